// The reconciliation tab: over a period, per vaccine and per lot, the
// stock at the start, what came in and went out (sent, administered,
// wasted, expired, counted up or down) and the stock at the end, with
// the wastage rate, and whether every row adds up.
import { api } from '../api.js';
import { clearErrors, errorBox, field, h, replace, showChecks, tx } from '../dom.js';
import { fmtNum, vnToday } from '../i18n.js';
import { fmtDay } from '../registration.js';
import { numCell, productName } from '../stock.js';

const SUMS = ['opening', 'received', 'sent', 'administered', 'wasted', 'expired', 'adjust_in', 'adjust_out', 'closing'];
const period = { from: '', to: '' }; // while the page is open

function rate(x) {
	if (x === null || x === undefined)
		return h('span', { class: 'muted' }, '—');
	return fmtNum(Math.round(x * 1000) / 10) + ' %';
}

function sums(x) {
	return SUMS.map((k) => numCell(x[k], 'stock.sum.' + k, 'sum-' + k));
}

function productTable(list, prods) {
	return h('table', { class: 'table table-stack table-compact stock-recon', id: 'stock-recon-products' },
		h('thead', {}, h('tr', {},
			h('th', { scope: 'col', i18n: 'stock.product' }),
			SUMS.map((k) => h('th', { scope: 'col', class: 'num wrap', i18n: 'stock.sum.' + k })),
			h('th', { scope: 'col', class: 'num wrap', i18n: 'stock.wastageRate' }))),
		h('tbody', {}, list.map((p) => h('tr', { 'data-product': p.product },
			h('td', { label: 'stock.product' }, h('strong', {}, productName(prods, p.product))),
			sums(p),
			h('td', { class: 'num', label: 'stock.wastageRate' }, rate(p.wastage_rate))))));
}

function lotTable(list, prods) {
	return h('table', { class: 'table table-stack table-compact stock-recon', id: 'stock-recon-lots' },
		h('thead', {}, h('tr', {},
			h('th', { scope: 'col', i18n: 'stock.lot' }),
			h('th', { scope: 'col', i18n: 'stock.expiry' }),
			SUMS.map((k) => h('th', { scope: 'col', class: 'num wrap', i18n: 'stock.sum.' + k })),
			h('th', { scope: 'col', class: 'num wrap', i18n: 'stock.flagged' }))),
		h('tbody', {}, list.map((l) => h('tr', { 'data-lot': String(l.lot_id), class: l.flagged ? 'is-warn' : null },
			h('td', { label: 'stock.lot' }, h('strong', {}, l.lot_number),
				h('div', { class: 'muted' }, productName(prods, l.product))),
			h('td', { label: 'stock.expiry', class: 'nowrap' }, fmtDay(l.expiry)),
			sums(l),
			numCell(l.flagged || 0, 'stock.flagged', l.flagged ? 'is-low' : null)))));
}

export async function render(box, ctx, env) {
	const today = vnToday();
	if (!period.to) {
		period.to = today;
		period.from = today.slice(0, 8) + '01';
	}
	const from = h('input', { type: 'date', value: period.from, max: today });
	const to = h('input', { type: 'date', value: period.to });
	const form = h('form', { class: 'filters', novalidate: true, id: 'stock-recon-form' },
		field({ name: 'from', label: 'stock.from', input: from, required: true, class: 'field-narrow' }),
		field({ name: 'to', label: 'stock.toDay', input: to, required: true, class: 'field-narrow' }),
		h('div', { class: 'filter-actions' },
			h('button', { type: 'submit', class: 'btn btn-primary', i18n: 'stock.reconSubmit' })));
	const area = h('div', { class: 'stock-area', 'aria-live': 'polite' });
	box.append(form, area);

	async function load() {
		let r;
		try {
			r = await api('GET', '/stock/reconciliation', { query: { facility: env.facility.id, from: period.from, to: period.to } });
		} catch (e) {
			if (env.live())
				area.replaceChildren(errorBox(e));
			return;
		}
		if (!env.live())
			return;
		const balanced = h('p', { class: `alert ${r.balanced ? 'alert-success' : 'alert-error'}`, id: 'stock-balanced', 'data-balanced': String(!!r.balanced) },
			tx(r.balanced ? 'stock.balanced' : 'stock.unbalanced'));
		const flagged = r.lots.reduce((s, l) => s + (l.flagged || 0), 0);
		replace(area,
			h('p', { class: 'lead' }, tx('stock.reconPeriod', { facility: env.facility.name, from: fmtDay(r.from || period.from), to: fmtDay(r.to || period.to) })),
			balanced,
			flagged ? h('p', { class: 'alert alert-warning' }, tx('stock.flaggedNote', { n: flagged })) : null,
			h('p', { class: 'hint', i18n: 'stock.reconFormula' }),
			h('h2', { i18n: 'stock.byProduct' }),
			r.products.length ? productTable(r.products, env.prods) : h('p', { class: 'empty', i18n: 'stock.reconEmpty' }),
			r.lots.length ? [h('h2', { i18n: 'stock.byLot' }), lotTable(r.lots, env.prods)] : null,
			h('p', { class: 'count' }, tx('stock.reconLots', { n: fmtNum(r.lots.length) })));
	}

	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		clearErrors(form);
		const problems = [];
		for (const [input, name] of [[from, 'from'], [to, 'to']])
			if (!input.value)
				problems.push({ field: name, i18n: input.validity.badInput ? 'check.day' : 'check.required' });
		if (!problems.length && to.value < from.value)
			problems.push({ field: 'to', i18n: 'check.dayOrder' });
		if (problems.length) {
			showChecks(form, problems);
			return;
		}
		period.from = from.value;
		period.to = to.value;
		load();
	});
	await load();
}
