// The wastage tab: doses written off at the facility (broken, an open
// vial past its hours, a cold chain break, VVM, expiry, a recall) and,
// for site managers and above, a physical count that sets the stock on
// hand of a lot to what was counted.
import { api } from '../api.js';
import { clearErrors, field, h, notice, showChecks, showError } from '../dom.js';
import { canMoveStock } from '../roles.js';
import {
	lotSelect, productName, qtyInput, quantity, vvmSelect, WASTAGE_REASONS,
} from '../stock.js';

function wastageForm(rows, env, done) {
	const held = rows.filter((r) => r.on_hand > 0);
	const lot = lotSelect(held, env.prods);
	const qty = qtyInput('');
	const reason = h('select', {},
		h('option', { value: '', i18n: 'stock.chooseReason' }),
		WASTAGE_REASONS.map((r) => h('option', { value: r, i18n: 'stock.reason.' + r })));
	const note = h('input', { type: 'text', maxlength: '500', autocomplete: 'off' });
	const submit = h('button', { type: 'submit', class: 'btn btn-danger', i18n: 'stock.wasteSubmit' });
	const form = h('form', { class: 'form', novalidate: true, id: 'stock-wastage-form' },
		field({ name: 'lot_id', label: 'stock.lot', input: lot, required: true }),
		h('div', { class: 'field-pair' },
			field({ name: 'quantity', label: 'stock.quantityDoses', input: qty, required: true, class: 'field-narrow' }),
			field({ name: 'reason', label: 'stock.wasteReason', input: reason, required: true })),
		field({ name: 'note', label: 'stock.note', input: note }),
		h('div', { class: 'form-actions' }, submit));
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clearErrors(form);
		const row = held.find((r) => String(r.lot_id) === lot.value);
		const n = quantity(qty);
		const problems = [];
		if (!row)
			problems.push({ field: 'lot_id', i18n: 'check.choose' });
		if (n === null)
			problems.push({ field: 'quantity', i18n: 'stock.check.quantity' });
		else if (row && n > row.on_hand)
			problems.push({ field: 'quantity', i18n: 'stock.check.moreThanOnHand', args: { n: row.on_hand } });
		if (!reason.value)
			problems.push({ field: 'reason', i18n: 'check.choose' });
		if (problems.length) {
			showChecks(form, problems);
			return;
		}
		const body = { facility_id: env.facility.id, lot_id: row.lot_id, quantity: n, reason: reason.value };
		if (note.value.trim())
			body.note = note.value.trim();
		submit.disabled = true;
		try {
			await api('POST', '/stock/wastage', { body });
		} catch (e) {
			submit.disabled = false;
			showError(form, e);
			return;
		}
		done('stock.wasted', { n, lot: row.lot_number, product: row.product_name || productName(env.prods, row.product) });
	});
	return form;
}

function countForm(rows, env, done) {
	const lot = lotSelect(rows, env.prods);
	const counted = qtyInput('');
	const vvm = vvmSelect();
	const reason = h('input', { type: 'text', maxlength: '500', autocomplete: 'off' });
	const note = h('input', { type: 'text', maxlength: '500', autocomplete: 'off' });
	const submit = h('button', { type: 'submit', class: 'btn btn-primary', i18n: 'stock.countSubmit' });
	const form = h('form', { class: 'form', novalidate: true, id: 'stock-count-form' },
		field({ name: 'lot_id', label: 'stock.lot', input: lot, required: true }),
		h('div', { class: 'field-pair' },
			field({ name: 'counted', label: 'stock.counted', input: counted, hint: 'stock.countedHint', required: true, class: 'field-narrow' }),
			field({ name: 'vvm', label: 'stock.vvmCol', input: vvm })),
		field({ name: 'reason', label: 'stock.countReason', input: reason, hint: 'stock.countReasonHint' }),
		field({ name: 'note', label: 'stock.note', input: note }),
		h('div', { class: 'form-actions' }, submit));
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clearErrors(form);
		const row = rows.find((r) => String(r.lot_id) === lot.value);
		const n = quantity(counted, 0);
		const why = reason.value.trim();
		const problems = [];
		if (!row)
			problems.push({ field: 'lot_id', i18n: 'check.choose' });
		if (n === null)
			problems.push({ field: 'counted', i18n: 'stock.check.counted' });
		else if (row && n !== row.on_hand && !why)
			problems.push({ field: 'reason', i18n: 'stock.check.countReason' });
		if (problems.length) {
			showChecks(form, problems);
			return;
		}
		const body = { facility_id: env.facility.id, lot_id: row.lot_id, counted: n };
		if (vvm.value)
			body.vvm = Number(vvm.value);
		if (why)
			body.reason = why;
		if (note.value.trim())
			body.note = note.value.trim();
		submit.disabled = true;
		let r;
		try {
			r = await api('POST', '/stock/adjustments', { body });
		} catch (e) {
			submit.disabled = false;
			showError(form, e);
			return;
		}
		done(r.delta ? 'stock.countedDiff' : 'stock.countedSame',
			{ lot: row.lot_number, delta: (r.delta > 0 ? '+' : '') + r.delta, n: r.on_hand });
	});
	return form;
}

// flash: {key, args} of a notice to show first (what was just written).
export async function render(box, ctx, env, flash) {
	const status = h('div', { class: 'status-area', 'aria-live': 'polite' });
	box.append(status);
	if (flash)
		notice(status, flash.key, flash.args, 'success');
	const r = await api('GET', '/stock', { query: { facility: env.facility.id, all: 1 } });
	if (!env.live())
		return;
	const rows = r.stock.filter((x) => String(x.facility_id) === String(env.facility.id));
	// What was written changed the stock: the tab starts again with the new numbers.
	const done = async (key, args) => {
		box.replaceChildren();
		await render(box, ctx, env, { key, args });
	};
	if (!rows.length) {
		box.append(h('p', { class: 'empty', i18n: 'stock.empty' }));
		return;
	}
	box.append(
		h('section', { class: 'card form-card', 'aria-labelledby': 'stock-h-waste' },
			h('h2', { id: 'stock-h-waste', i18n: 'stock.wasteTitle' }),
			h('p', { class: 'hint', i18n: 'stock.wasteHint' }),
			wastageForm(rows, env, done)),
		canMoveStock(ctx.me.role)
			? h('section', { class: 'card form-card', 'aria-labelledby': 'stock-h-count' },
				h('h2', { id: 'stock-h-count', i18n: 'stock.countTitle' }),
				h('p', { class: 'hint', i18n: 'stock.countHint' }),
				countForm(rows, env, done))
			: null);
}
