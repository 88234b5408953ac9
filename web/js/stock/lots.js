// The lots tab (national and provincial staff): the lots on file by
// vaccine and number, where each is held, quarantining one with a reason
// (every facility holding it sees the alert) and, for national staff,
// releasing it.
import { api } from '../api.js';
import { clearErrors, errorBox, field, h, notice, showChecks, showError, tx } from '../dom.js';
import { fmtDay } from '../registration.js';
import { canQuarantineLots, canReleaseLots } from '../roles.js';
import { expiryText, lotBadges, numCell, productName } from '../stock.js';

const COLS = 6;
const filt = { product: '', q: '' }; // while the page is open

// A form in a row of its own under the lot's row.
function rowForm(tr, build) {
	const next = tr.nextElementSibling;
	if (next && next.classList.contains('row-form'))
		next.remove();
	const cell = h('td', { colspan: String(COLS) });
	tr.after(h('tr', { class: 'row-form' }, cell));
	build(cell, () => cell.parentElement.remove());
	cell.querySelector('input, button')?.focus();
}

function reasonForm(lot, action, done) {
	return (cell, close) => {
		const input = h('input', { type: 'text', maxlength: '500', autocomplete: 'off' });
		const yes = h('button', { type: 'submit', class: ['btn', action === 'quarantine' ? 'btn-danger' : 'btn-primary'], i18n: 'stock.lot.' + action });
		const back = h('button', { type: 'button', class: 'btn', i18n: 'reg.close', on: { click: close } });
		const form = h('form', { class: 'form inline-form', novalidate: true },
			h('p', { class: 'confirm' }, tx('stock.lot.' + action + 'Confirm', { lot: lot.lot_number })),
			field({ name: 'reason', label: 'reg.reason', input, required: true }),
			h('div', { class: 'form-actions' }, yes, back));
		form.addEventListener('submit', async (ev) => {
			ev.preventDefault();
			clearErrors(form);
			const reason = input.value.trim();
			if (reason.length < 3) {
				showChecks(form, [{ field: 'reason', i18n: reason ? 'check.reason' : 'check.required' }]);
				return;
			}
			yes.disabled = true;
			try {
				const r = await api('POST', `/lots/${lot.id}/${action}`, { body: { reason } });
				done(r.lot || lot);
			} catch (e) {
				yes.disabled = false;
				showError(form, e);
			}
		});
		cell.append(form);
	};
}

function holders(lot) {
	return async (cell, close) => {
		cell.append(h('p', { class: 'muted', i18n: 'loading' }));
		let r;
		try {
			r = await api('GET', `/lots/${lot.id}`);
		} catch (e) {
			cell.replaceChildren(errorBox(e));
			return;
		}
		const list = (r.holders || []).filter((x) => x.on_hand > 0);
		cell.replaceChildren(
			list.length
				? h('table', { class: 'table table-compact stock-holders' },
					h('thead', {}, h('tr', {},
						h('th', { scope: 'col', i18n: 'stock.facility' }),
						h('th', { scope: 'col', class: 'num', i18n: 'stock.onHand' }))),
					h('tbody', {}, list.map((x) => h('tr', {},
						h('td', {}, x.facility_name), numCell(x.on_hand, 'stock.onHand')))))
				: h('p', { class: 'muted', i18n: 'stock.lot.noHolders' }),
			h('button', { type: 'button', class: 'btn btn-small', i18n: 'reg.close', on: { click: close } }));
	};
}

export async function render(box, ctx, env) {
	const role = ctx.me.role;
	const status = h('div', { class: 'status-area', 'aria-live': 'polite' });
	const product = h('select', {},
		h('option', { value: '', i18n: 'stock.allProducts' }),
		[...env.prods.values()].filter((p) => p.active).map((p) => h('option', { value: p.code }, p.name)));
	product.value = filt.product;
	const q = h('input', { type: 'search', maxlength: '64', autocomplete: 'off', spellcheck: 'false', value: filt.q });
	const filters = h('form', { class: 'filters', novalidate: true, role: 'search', ariaLabel: 'stock.filters' },
		field({ name: 'product', label: 'stock.product', input: product }),
		field({ name: 'q', label: 'stock.lotNumber', input: q, hint: 'stock.lotPrefixHint', class: 'field-narrow' }),
		h('div', { class: 'filter-actions' }, h('button', { type: 'submit', class: 'btn btn-primary', i18n: 'reg.filter' })));
	const tbody = h('tbody', {});
	const table = h('table', { class: 'table table-stack stock-lots', id: 'stock-lots' },
		h('thead', {}, h('tr', {},
			h('th', { scope: 'col', i18n: 'stock.lot' }),
			h('th', { scope: 'col', i18n: 'stock.product' }),
			h('th', { scope: 'col', i18n: 'stock.expiry' }),
			h('th', { scope: 'col', i18n: 'stock.manufacturer' }),
			h('th', { scope: 'col', i18n: 'stock.state' }),
			h('th', { scope: 'col', i18n: 'users.actions' }))),
		tbody);
	const empty = h('p', { class: 'empty', i18n: 'stock.lot.none', hidden: true });
	const area = h('div', {});
	box.append(h('p', { class: 'muted', i18n: 'stock.lot.intro' }), filters, status, area, table, empty);

	function changed(lot, action) {
		notice(status, 'stock.lot.' + action + 'd', { lot: lot.lot_number, product: productName(env.prods, lot.product) },
			action === 'quarantine' ? 'warning' : 'success');
		load();
	}

	function lotRow(l) {
		const actions = h('td', { class: 'actions', label: 'users.actions' });
		const tr = h('tr', { 'data-lot': String(l.id), class: l.quarantined || l.expired ? 'is-bad' : null },
			h('td', { label: 'stock.lot' }, h('strong', { class: 'lot-number' }, l.lot_number)),
			h('td', { label: 'stock.product' }, l.product_name || productName(env.prods, l.product)),
			h('td', { label: 'stock.expiry' }, expiryText(l.expiry)),
			h('td', { label: 'stock.manufacturer' }, l.manufacturer || '—'),
			h('td', { label: 'stock.state' }, lotBadges(l),
				l.quarantined && l.quarantine_reason ? h('div', { class: 'reason' }, tx('stock.lot.reasonLine', { reason: l.quarantine_reason })) : null),
			actions);
		const btn = (key, build, cls) => h('button', {
			type: 'button', class: ['btn', 'btn-small', cls], i18n: key, ariaLabel: key + 'Label',
			args: { lot: l.lot_number, day: fmtDay(l.expiry) },
			on: { click: () => rowForm(tr, build) },
		});
		const box2 = h('div', { class: 'row-actions' }, btn('stock.lot.holders', holders(l)));
		if (!l.quarantined && canQuarantineLots(role))
			box2.append(btn('stock.lot.quarantine', reasonForm(l, 'quarantine', (x) => changed(x, 'quarantine')), 'btn-danger'));
		if (l.quarantined && canReleaseLots(role))
			box2.append(btn('stock.lot.release', reasonForm(l, 'release', (x) => changed(x, 'release'))));
		actions.append(box2);
		return tr;
	}

	async function load() {
		let r;
		try {
			r = await api('GET', '/lots', { query: { product: filt.product, q: filt.q } });
		} catch (e) {
			if (env.live())
				area.replaceChildren(errorBox(e));
			return;
		}
		if (!env.live())
			return;
		area.replaceChildren(h('p', { class: 'count' }, tx('stock.lot.count', { n: r.lots.length })));
		tbody.replaceChildren(...r.lots.map(lotRow));
		table.hidden = r.lots.length === 0;
		empty.hidden = r.lots.length !== 0;
	}
	filters.addEventListener('submit', (ev) => {
		ev.preventDefault();
		filt.product = product.value;
		filt.q = q.value.trim();
		status.replaceChildren();
		load();
	});
	await load();
}
