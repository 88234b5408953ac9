// The receive tab: doses from a supplier into a warehouse (the lot is
// picked among those on file or created on the way), and the transfers on
// their way to the facility, each line received with what arrived, its
// VVM stage, and a reason when that differs from what was shipped.
import { api } from '../api.js';
import { clearErrors, errorBox, field, h, notice, showChecks, showError, tx } from '../dom.js';
import { t, vnToday } from '../i18n.js';
import { fmtDay } from '../registration.js';
import {
	expiryText, productName, qtyInput, quantity, SOURCES, vvmSelect, WAREHOUSES,
} from '../stock.js';

/* ---- from a supplier -------------------------------------------------------- */

// The lot on file with exactly this number for the product, or null.
async function findLot(product, number) {
	const r = await api('GET', '/lots', { query: { product, q: number } });
	return { exact: r.lots.find((l) => l.lot_number === number) || null, lots: r.lots };
}

function supplierForm(env, status) {
	const prods = [...env.prods.values()].filter((p) => p.active);
	const product = h('select', {},
		h('option', { value: '', i18n: 'ses.chooseProduct' }),
		prods.map((p) => h('option', { value: p.code }, p.name)));
	const listId = 'stock-lot-list';
	const lotNumber = h('input', { type: 'text', maxlength: '64', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', list: listId });
	const lotList = h('datalist', { id: listId });
	const lotInfo = h('p', { class: 'hint stock-lot-info', 'aria-live': 'polite' });
	const expiry = h('input', { type: 'date', min: vnToday() });
	const expiryField = field({ name: 'expiry', label: 'stock.expiry', input: expiry, hint: 'stock.expiryHint', required: true, class: 'field-narrow' });
	const source = h('select', {}, SOURCES.map((s) => h('option', { value: s, i18n: 'stock.source.' + s })));
	const party = h('input', { type: 'text', maxlength: '200', autocomplete: 'off' });
	const qty = qtyInput('');
	const vvm = vvmSelect();
	const note = h('input', { type: 'text', maxlength: '500', autocomplete: 'off' });
	const submit = h('button', { type: 'submit', class: 'btn btn-primary', i18n: 'stock.receiveSubmit' });
	const lotField = field({ name: 'lot_number', label: 'stock.lotNumber', input: lotNumber, hint: 'stock.lotNumberHint', required: true, class: 'field-narrow' });
	lotField.append(lotList, lotInfo);
	const form = h('form', { class: 'form', novalidate: true, id: 'stock-receipt-form' },
		field({ name: 'product', label: 'stock.product', input: product, required: true }),
		h('div', { class: 'field-pair' }, lotField, expiryField),
		h('div', { class: 'field-pair' },
			field({ name: 'quantity', label: 'stock.quantityDoses', input: qty, required: true, class: 'field-narrow' }),
			field({ name: 'vvm', label: 'stock.vvmCol', input: vvm, class: 'field-narrow' })),
		h('div', { class: 'field-pair' },
			field({ name: 'source', label: 'stock.sourceLabel', input: source, required: true }),
			field({ name: 'party', label: 'stock.party', input: party, hint: 'stock.partyHint' })),
		field({ name: 'note', label: 'stock.note', input: note }),
		h('div', { class: 'form-actions' }, submit));

	let known = null; // the lot on file matching product + number
	let lookupSeq = 0;
	async function lookup() {
		const mine = ++lookupSeq;
		const num = lotNumber.value.trim();
		known = null;
		expiry.disabled = false;
		lotInfo.replaceChildren();
		if (!product.value || !num)
			return null;
		let r;
		try {
			r = await findLot(product.value, num);
		} catch (e) {
			return null; // the submit looks again and shows the error
		}
		if (mine !== lookupSeq)
			return known;
		lotList.replaceChildren(...r.lots.map((l) => h('option', { value: l.lot_number })));
		known = r.exact;
		if (known) {
			expiry.value = known.expiry;
			expiry.disabled = true;
			lotInfo.replaceChildren(tx(known.quarantined ? 'stock.lotKnownQuarantined' : 'stock.lotKnown', { day: fmtDay(known.expiry) }));
		} else {
			lotInfo.replaceChildren(tx('stock.lotNew'));
		}
		return known;
	}
	let timer = 0;
	lotNumber.addEventListener('input', () => {
		clearTimeout(timer);
		timer = setTimeout(lookup, 250);
	});
	product.addEventListener('change', lookup);

	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clearErrors(form);
		clearTimeout(timer);
		const problems = [];
		if (!product.value)
			problems.push({ field: 'product', i18n: 'check.choose' });
		if (!lotNumber.value.trim())
			problems.push({ field: 'lot_number', i18n: 'check.required' });
		const n = quantity(qty);
		if (n === null)
			problems.push({ field: 'quantity', i18n: 'stock.check.quantity' });
		if (problems.length) {
			showChecks(form, problems);
			return;
		}
		submit.disabled = true;
		try {
			let lot = await lookup();
			if (!lot) {
				if (!expiry.value) {
					showChecks(form, [{ field: 'expiry', i18n: expiry.validity.badInput ? 'check.day' : 'check.required' }]);
					return;
				}
				try {
					lot = (await api('POST', '/lots', {
						body: { product: product.value, lot_number: lotNumber.value.trim(), expiry: expiry.value },
					})).lot;
				} catch (e) {
					if (e.code !== 'conflict' || !e.existingId)
						throw e;
					lot = (await api('GET', `/lots/${e.existingId}`)).lot; // created meanwhile
				}
			}
			const body = {
				facility_id: env.facility.id, lot_id: lot.id, quantity: n, source: source.value,
			};
			if (party.value.trim())
				body.party = party.value.trim();
			if (vvm.value)
				body.vvm = Number(vvm.value);
			if (note.value.trim())
				body.note = note.value.trim();
			const r = await api('POST', '/stock/receipts', { body });
			const args = { n, lot: lot.lot_number, product: productName(env.prods, lot.product), facility: env.facility.name, off: r.written_off || 0 };
			notice(status, r.written_off ? 'stock.receivedWrittenOff' : 'stock.received', args, r.written_off ? 'warning' : 'success');
			for (const el of [lotNumber, qty, party, note])
				el.value = '';
			vvm.value = '';
			expiry.value = '';
			expiry.disabled = false;
			lotInfo.replaceChildren();
			known = null;
		} catch (e) {
			// the lot's own fields are named on this form
			showError(form, e.field === 'lot_id' ? { field: 'lot_number', code: e.code, message: e.message } : e);
		} finally {
			submit.disabled = false;
		}
	});
	return form;
}

/* ---- an incoming transfer --------------------------------------------------- */

function receiveForm(tr, env, done) {
	const lines = tr.items.map((it, i) => {
		const sent = it.in_transit ?? it.shipped;
		const input = qtyInput(String(sent));
		input.setAttribute('aria-label', t('stock.receivedFor', { lot: it.lot_number }));
		const vvm = vvmSelect();
		vvm.setAttribute('aria-label', t('stock.vvmFor', { lot: it.lot_number }));
		const row = h('tr', { 'data-lot': String(it.lot_id) },
			h('td', { label: 'stock.lot' }, h('strong', {}, it.lot_number),
				h('div', { class: 'muted' }, productName(env.prods, it.product))),
			h('td', { label: 'stock.expiry' }, expiryText(it.expiry)),
			h('td', { class: 'num', label: 'stock.shipped', num: sent }),
			h('td', { label: 'stock.receivedCol', class: 'field', 'data-field': `items[${i}].received` },
				input, h('p', { class: 'field-error', hidden: true })),
			h('td', { label: 'stock.vvmCol', class: 'field', 'data-field': `items[${i}].vvm` },
				vvm, h('p', { class: 'field-error', hidden: true })));
		return { it, sent, input, vvm, row };
	});
	const reason = h('input', { type: 'text', maxlength: '500', autocomplete: 'off' });
	const reasonField = field({ name: 'reason', label: 'stock.discrepancyReason', input: reason, hint: 'stock.discrepancyHint' });
	const req = reasonField.querySelector('label');
	const star = h('span', { class: 'req', 'aria-hidden': 'true', hidden: true }, ' *');
	req.append(star);
	const differs = () => lines.some((l) => l.input.value.trim() !== String(l.sent));
	const sync = () => {
		const d = differs();
		star.hidden = !d;
		if (d)
			reason.setAttribute('aria-required', 'true');
		else
			reason.removeAttribute('aria-required');
		reasonField.classList.toggle('is-required', d);
	};
	const save = h('button', { type: 'submit', class: 'btn btn-primary', i18n: 'stock.receiveTransfer' });
	const close = h('button', { type: 'button', class: 'btn', i18n: 'reg.close', on: { click: () => done(null) } });
	const form = h('form', { class: 'form inline-form stock-receive-form', novalidate: true, 'data-transfer': String(tr.id) },
		h('table', { class: 'table table-stack table-compact' },
			h('thead', {}, h('tr', {},
				h('th', { scope: 'col', i18n: 'stock.lot' }),
				h('th', { scope: 'col', i18n: 'stock.expiry' }),
				h('th', { scope: 'col', class: 'num', i18n: 'stock.shipped' }),
				h('th', { scope: 'col', i18n: 'stock.receivedCol' }),
				h('th', { scope: 'col', i18n: 'stock.vvmCol' }))),
			h('tbody', {}, lines.map((l) => l.row))),
		reasonField,
		h('div', { class: 'form-actions' }, save, close));
	form.addEventListener('input', sync);
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clearErrors(form);
		const problems = [];
		const items = lines.map((l, i) => {
			const n = quantity(l.input, 0);
			if (n === null)
				problems.push({ field: `items[${i}].received`, i18n: 'stock.check.received' });
			const item = { lot_id: l.it.lot_id, received: n };
			if (l.vvm.value)
				item.vvm = Number(l.vvm.value);
			return item;
		});
		const why = reason.value.trim();
		if (differs() && !why)
			problems.push({ field: 'reason', i18n: 'stock.check.reason' });
		if (problems.length) {
			showChecks(form, problems);
			return;
		}
		save.disabled = true;
		try {
			const body = { items };
			if (why)
				body.reason = why;
			const r = await api('POST', `/stock/transfers/${tr.id}/receive`, { body });
			done(r.transfer || tr);
		} catch (e) {
			save.disabled = false;
			showError(form, e);
		}
	});
	return form;
}

function incomingList(env, status) {
	const box = h('div', { id: 'stock-incoming' });
	async function load() {
		let r;
		try {
			r = await api('GET', '/stock/transfers', { query: { facility: env.facility.id, status: 'in_transit' } });
		} catch (e) {
			if (env.live())
				box.replaceChildren(errorBox(e));
			return;
		}
		if (!env.live())
			return;
		const list = r.transfers.filter((x) => String(x.to_facility) === String(env.facility.id) && x.status === 'in_transit');
		if (!list.length) {
			box.replaceChildren(h('p', { class: 'empty', i18n: 'stock.noIncoming' }));
			return;
		}
		box.replaceChildren(h('ul', { class: 'stock-incoming' }, list.map((x) => {
			const slot = h('div', {});
			const open = h('button', { type: 'button', class: 'btn btn-primary', i18n: 'stock.openReceive', args: { id: x.id }, 'aria-expanded': 'false' });
			open.addEventListener('click', async () => {
				if (slot.firstChild) {
					slot.replaceChildren();
					open.setAttribute('aria-expanded', 'false');
					return;
				}
				open.disabled = true;
				try {
					const full = (await api('GET', `/stock/transfers/${x.id}`)).transfer;
					slot.replaceChildren(receiveForm(full, env, (got) => {
						slot.replaceChildren();
						open.setAttribute('aria-expanded', 'false');
						if (!got)
							return;
						const n = (got.items || []).reduce((s, it) => s + (it.received > 0 ? it.received : 0), 0);
						notice(status, got.discrepancy_reason ? 'stock.transferReceivedDiff' : 'stock.transferReceived',
							{ id: got.id, n, from: got.from_name || x.from_name });
						load();
					}));
					open.setAttribute('aria-expanded', 'true');
					slot.querySelector('input')?.focus();
				} catch (e) {
					slot.replaceChildren(errorBox(e));
				} finally {
					open.disabled = false;
				}
			});
			return h('li', { class: 'card stock-transfer', 'data-transfer': String(x.id) },
				h('p', {}, h('strong', {}, tx('stock.transferFrom', { id: x.id, from: x.from_name })),
					x.shipped_at ? [' · ', tx('stock.shippedOn'), ' ', h('span', { time: x.shipped_at })] : null),
				x.note ? h('p', { class: 'muted' }, x.note) : null,
				open, slot);
		})));
	}
	return { box, load };
}

/* ---- the tab -------------------------------------------------------------------- */

export async function render(body, ctx, env) {
	const status = h('div', { class: 'status-area', 'aria-live': 'polite' });
	const warehouse = WAREHOUSES.includes(env.facility.kind);
	const incoming = incomingList(env, status);
	body.append(status,
		h('section', { class: 'card form-card', 'aria-labelledby': 'stock-h-incoming' },
			h('h2', { id: 'stock-h-incoming', i18n: 'stock.incomingTitle' }),
			incoming.box),
		warehouse
			? h('section', { class: 'card form-card', 'aria-labelledby': 'stock-h-supplier' },
				h('h2', { id: 'stock-h-supplier', i18n: 'stock.supplierTitle' }),
				h('p', { class: 'hint', i18n: 'stock.supplierHint' }),
				supplierForm(env, status))
			: h('p', { class: 'hint', i18n: 'stock.supplierOnlyWarehouses' }));
	await incoming.load();
}
