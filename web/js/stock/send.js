// The send tab: a transfer from the facility to another one. The lines
// (lot, doses) are typed or filled by the "first expiry, first out"
// suggestion for a vaccine and a number of doses; an allocation, if one
// is open for the route, can be named so the transfer counts against it.
import { api } from '../api.js';
import { clearErrors, field, h, notice, showChecks, showError, tx } from '../dom.js';
import { fmtNum, t } from '../i18n.js';
import {
	lotSelect, productName, qtyInput, quantity,
} from '../stock.js';

function usableRows(rows, facilityId) {
	return rows.filter((r) => String(r.facility_id) === String(facilityId) && r.on_hand > 0 &&
		r.usable !== false && !r.quarantined && !r.expired && !(r.vvm >= 3));
}

// A lot refused as unusable by the server (quarantined or expired since
// the form was filled): the message names the lot and why, when the lot
// says so; else null (the server's own message).
async function unusableWhy(e, items) {
	const m = e.code === 'lot_unusable' && /^items\[(\d+)\]\.lot_id$/.exec(e.field || '');
	const item = m && items[Number(m[1])];
	if (!item)
		return null;
	let lot;
	try {
		lot = (await api('GET', `/lots/${item.lot_id}`)).lot;
	} catch (e2) {
		return null;
	}
	if (lot.quarantined)
		return { field: e.field, i18n: 'stock.check.lotQuarantined', args: { lot: lot.lot_number, reason: (lot.quarantine_reason || '').replace(/[.\s]+$/, '') } };
	if (lot.expired)
		return { field: e.field, i18n: 'stock.check.lotExpired', args: { lot: lot.lot_number } };
	return null;
}

// flash: {key, args} of a notice to show first (the transfer just sent).
export async function render(box, ctx, env, flash) {
	const status = h('div', { class: 'status-area', 'aria-live': 'polite' });
	box.append(status);
	if (flash)
		notice(status, flash.key, flash.args);
	let rows = [];
	async function loadStock() {
		const r = await api('GET', '/stock', { query: { facility: env.facility.id } });
		rows = usableRows(r.stock, env.facility.id);
	}
	await loadStock();
	if (!env.live())
		return;

	const others = env.facilities.filter((f) => f.id !== env.facility.id);
	const dest = h('select', {},
		h('option', { value: '', i18n: 'stock.chooseDestination' }),
		others.map((f) => h('option', { value: String(f.id) }, f.name)));
	const products = [...new Set(rows.map((r) => r.product))];
	const product = h('select', {},
		h('option', { value: '', i18n: 'ses.chooseProduct' }),
		products.map((p) => h('option', { value: p }, productName(env.prods, p))));
	const want = qtyInput('');
	const suggest = h('button', { type: 'button', class: 'btn', i18n: 'stock.fefo' });
	const fefoInfo = h('p', { class: 'hint', 'aria-live': 'polite' });
	const allocation = h('select', {}, h('option', { value: '', i18n: 'stock.noAllocation' }));
	const allocField = field({ name: 'allocation_id', label: 'stock.allocation', input: allocation, hint: 'stock.allocationHint' });
	allocField.hidden = true;
	const note = h('input', { type: 'text', maxlength: '500', autocomplete: 'off' });
	const tbody = h('tbody', {});
	// the list's own message comes first: showError() takes the first one
	const linesBox = h('div', { class: 'field', 'data-field': 'items' },
		h('p', { class: 'field-error', hidden: true }),
		h('table', { class: 'table table-stack table-compact stock-lines', id: 'stock-lines' },
			h('thead', {}, h('tr', {},
				h('th', { scope: 'col', i18n: 'stock.lot' }),
				h('th', { scope: 'col', i18n: 'stock.quantityDoses' }),
				h('th', { scope: 'col', i18n: 'users.actions' }))),
			tbody));
	const addLine = h('button', { type: 'button', class: 'btn btn-small', i18n: 'stock.addLine' });
	const total = h('p', { class: 'count', 'aria-live': 'polite' });
	const submit = h('button', { type: 'submit', class: 'btn btn-primary', i18n: 'stock.sendSubmit' });
	const form = h('form', { class: 'form', novalidate: true, id: 'stock-send-form' },
		field({ name: 'to_facility', label: 'stock.destination', input: dest, required: true }),
		h('fieldset', { class: 'stock-fefo' },
			h('legend', { i18n: 'stock.fefoTitle' }),
			h('div', { class: 'field-pair' },
				field({ name: 'product', label: 'stock.product', input: product }),
				field({ name: 'want', label: 'stock.quantityDoses', input: want, class: 'field-narrow' })),
			suggest, fefoInfo),
		h('h3', { i18n: 'stock.linesTitle' }),
		linesBox, h('div', { class: 'toolbar' }, addLine), total,
		allocField,
		field({ name: 'note', label: 'stock.note', input: note }),
		h('div', { class: 'form-actions' }, submit));
	box.append(rows.length ? form : h('p', { class: 'empty', i18n: 'stock.nothingToSend' }));
	if (!rows.length)
		return;

	const lines = []; // {lot, qty, tr}
	function renumber() {
		lines.forEach((l, i) => {
			l.lotBox.dataset.field = `items[${i}].lot_id`;
			l.qtyBox.dataset.field = `items[${i}].quantity`;
		});
		const n = lines.reduce((s, l) => s + (quantity(l.qty) || 0), 0);
		total.replaceChildren(tx('stock.linesTotal', { n, lines: lines.length }));
	}
	function add(lotId = '', n = '') {
		const lot = lotSelect(rows, env.prods);
		lot.value = String(lotId);
		lot.setAttribute('aria-label', t('stock.lot'));
		lot.dataset.i18nAriaLabel = 'stock.lot';
		const qty = qtyInput(String(n));
		qty.setAttribute('aria-label', t('stock.quantityDoses'));
		qty.dataset.i18nAriaLabel = 'stock.quantityDoses';
		const lotBox = h('td', { class: 'field', label: 'stock.lot' }, lot, h('p', { class: 'field-error', hidden: true }));
		const qtyBox = h('td', { class: 'field', label: 'stock.quantityDoses' }, qty, h('p', { class: 'field-error', hidden: true }));
		const line = { lot, qty, lotBox, qtyBox };
		const remove = h('button', {
			type: 'button', class: 'btn btn-small', i18n: 'stock.removeLine',
			on: {
				click: () => {
					lines.splice(lines.indexOf(line), 1);
					line.tr.remove();
					renumber();
				},
			},
		});
		line.tr = h('tr', {}, lotBox, qtyBox, h('td', { class: 'actions' }, remove));
		lines.push(line);
		tbody.append(line.tr);
		renumber();
		return line;
	}
	function clearLines() {
		lines.splice(0);
		tbody.replaceChildren();
		renumber();
	}
	add();
	addLine.addEventListener('click', () => add().lot.focus());
	tbody.addEventListener('input', renumber);

	suggest.addEventListener('click', async () => {
		clearErrors(form);
		const problems = [];
		if (!product.value)
			problems.push({ field: 'product', i18n: 'check.choose' });
		const n = quantity(want);
		if (n === null)
			problems.push({ field: 'want', i18n: 'stock.check.quantity' });
		if (problems.length) {
			showChecks(form, problems);
			return;
		}
		suggest.disabled = true;
		try {
			const r = await api('GET', '/stock/fefo', { query: { facility: env.facility.id, product: product.value, quantity: n } });
			clearLines();
			for (const p of r.picks)
				add(p.lot_id, p.take);
			if (!r.picks.length)
				add();
			fefoInfo.replaceChildren(r.short > 0
				? h('span', { class: 'stock-short' }, tx('stock.fefoShort', { short: r.short, n }))
				: tx('stock.fefoDone', { lines: r.picks.length }));
		} catch (e) {
			const f = !e.field || e.field === 'quantity' ? 'want' : e.field;
			showError(form, { field: f, code: e.code, message: e.message });
		} finally {
			suggest.disabled = false;
		}
	});

	dest.addEventListener('change', async () => {
		allocation.replaceChildren(h('option', { value: '', i18n: 'stock.noAllocation' }));
		allocField.hidden = true;
		if (!dest.value)
			return;
		let r;
		try {
			r = await api('GET', '/stock/allocations', { query: { facility: env.facility.id } });
		} catch (e) {
			return; // allocations are optional: the transfer goes without
		}
		if (!env.live())
			return;
		const open = (r.allocations || []).filter((a) => String(a.from_facility) === String(env.facility.id) &&
			String(a.to_facility) === dest.value && a.status === 'open');
		for (const a of open)
			allocation.append(h('option', { value: String(a.id) },
				t('stock.allocationLine', {
					id: a.id, product: productName(env.prods, a.product),
					shipped: fmtNum(a.shipped), quantity: fmtNum(a.quantity),
				})));
		allocField.hidden = open.length === 0;
	});

	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clearErrors(form);
		const problems = [];
		if (!dest.value)
			problems.push({ field: 'to_facility', i18n: 'check.choose' });
		const seen = new Set();
		const items = [];
		lines.forEach((l, i) => {
			const row = rows.find((r) => String(r.lot_id) === l.lot.value);
			if (!row)
				problems.push({ field: `items[${i}].lot_id`, i18n: 'check.choose' });
			else if (seen.has(l.lot.value))
				problems.push({ field: `items[${i}].lot_id`, i18n: 'stock.check.sameLot' });
			seen.add(l.lot.value);
			const n = quantity(l.qty);
			if (n === null)
				problems.push({ field: `items[${i}].quantity`, i18n: 'stock.check.quantity' });
			else if (row && n > row.on_hand)
				problems.push({ field: `items[${i}].quantity`, i18n: 'stock.check.moreThanOnHand', args: { n: row.on_hand } });
			items.push({ lot_id: Number(l.lot.value), quantity: n });
		});
		if (!lines.length)
			problems.push({ field: 'items', i18n: 'stock.check.noLines' });
		if (problems.length) {
			showChecks(form, problems);
			return;
		}
		const body = { from_facility: env.facility.id, to_facility: Number(dest.value), items };
		if (allocation.value)
			body.allocation_id = Number(allocation.value);
		if (note.value.trim())
			body.note = note.value.trim();
		submit.disabled = true;
		let r;
		try {
			r = await api('POST', '/stock/transfers', { body });
		} catch (e) {
			submit.disabled = false;
			showError(form, await unusableWhy(e, items) || e);
			return;
		}
		// The lots' stock changed: the tab starts again with the new numbers.
		const n = items.reduce((s, x) => s + x.quantity, 0);
		box.replaceChildren();
		await render(box, ctx, env, {
			key: 'stock.sent',
			args: { id: r.transfer.id, n, to: r.transfer.to_name || dest.selectedOptions[0].textContent },
		});
	});
}
