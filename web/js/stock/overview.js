// The stock tab: the recall and quarantine alerts, the lots on hand at
// the facility (expired, quarantined and soon-expiring ones marked), how
// many days of stock are left per vaccine, and what is on the road.
import { api } from '../api.js';
import { clearErrors, errorBox, field, h, replace, showChecks, tx } from '../dom.js';
import { canMoveStock } from '../roles.js';
import {
	expiryText, lotBadges, lotState, numCell, productName,
} from '../stock.js';

const MAX_DAYS = 3650;
const filt = { days: '', all: false }; // while the page is open

// One line per alert: what is wrong with the lot (quarantined, expired,
// VVM 3-4, expiring), where and how many doses, and for a quarantine its
// reason and what not to do with it.
function alertsBanner(alerts, prods) {
	if (!alerts.length)
		return null;
	const onlyWarn = alerts.every((a) => a.reason === 'expiring');
	return h('div', { class: ['alert', onlyWarn ? 'alert-warning' : 'alert-error', 'stock-alerts'], role: 'alert', id: 'stock-alerts' },
		h('p', {}, h('strong', { i18n: 'stock.alertsTitle' })),
		h('ul', {}, alerts.map((a) => h('li', { 'data-lot': String(a.lot_id), 'data-reason': a.reason || null },
			a.reason ? [h('strong', { i18n: 'stock.alert.' + a.reason }), ' — '] : null,
			tx('stock.alertLine', {
				lot: a.lot_number, product: productName(prods, a.product),
				n: a.on_hand, facility: a.facility_name || '',
			}),
			a.reason === 'quarantined'
				? [a.detail ? [' ', h('span', { class: 'reason' }, tx('stock.alertQuarantineWhy', { reason: a.detail.replace(/[.\s]+$/, '') }))] : null,
					' ', tx('stock.alertQuarantineDo')]
				: null))));
}

function stockRow(r) {
	const state = lotState(r);
	return h('tr', { 'data-lot': String(r.lot_id), 'data-state': state, class: state === 'ok' ? null : 'is-' + state },
		h('td', { label: 'stock.product' }, r.product_name || r.product),
		h('td', { label: 'stock.lot' }, h('strong', { class: 'lot-number' }, r.lot_number)),
		h('td', { label: 'stock.expiry' }, expiryText(r.expiry, r.days_to_expiry)),
		numCell(r.on_hand, 'stock.onHand', 'on-hand'),
		h('td', { label: 'stock.vvmCol' }, r.vvm ? tx('stock.vvm.' + r.vvm) : h('span', { class: 'muted' }, '—')),
		h('td', { label: 'stock.state' }, lotBadges(r)));
}

function stockTable(rows) {
	return h('table', { class: 'table table-stack stock-table', id: 'stock-table' },
		h('thead', {}, h('tr', {},
			h('th', { scope: 'col', i18n: 'stock.product' }),
			h('th', { scope: 'col', i18n: 'stock.lot' }),
			h('th', { scope: 'col', i18n: 'stock.expiry' }),
			h('th', { scope: 'col', class: 'num', i18n: 'stock.onHand' }),
			h('th', { scope: 'col', i18n: 'stock.vvmCol' }),
			h('th', { scope: 'col', i18n: 'stock.state' }))),
		h('tbody', {}, rows.map(stockRow)));
}

function daysLeftTable(list, prods) {
	return h('table', { class: 'table table-stack table-compact', id: 'stock-days-left' },
		h('thead', {}, h('tr', {},
			h('th', { scope: 'col', i18n: 'stock.product' }),
			h('th', { scope: 'col', class: 'num', i18n: 'stock.onHand' }),
			h('th', { scope: 'col', class: 'num', i18n: 'stock.used7d' }),
			h('th', { scope: 'col', class: 'num', i18n: 'stock.daysLeftCol' }))),
		h('tbody', {}, list.map((d) => h('tr', { 'data-product': d.product },
			h('td', { label: 'stock.product' }, productName(prods, d.product)),
			numCell(d.on_hand, 'stock.onHand'),
			numCell(d.used_7d, 'stock.used7d'),
			d.days_left === null || d.days_left === undefined
				? h('td', { class: 'num muted', label: 'stock.daysLeftCol', i18n: 'stock.notUsed' })
				: numCell(d.days_left, 'stock.daysLeftCol', d.days_left < 7 ? 'is-low' : null)))));
}

function transitTable(list, env, ctx) {
	const incoming = (x) => String(x.to_facility) === String(env.facility.id);
	const mover = canMoveStock(ctx.me.role);
	return h('table', { class: 'table table-stack table-compact', id: 'stock-transit' },
		h('thead', {}, h('tr', {},
			h('th', { scope: 'col', i18n: 'stock.transfer' }),
			h('th', { scope: 'col', i18n: 'stock.from' }),
			h('th', { scope: 'col', i18n: 'stock.to' }),
			h('th', { scope: 'col', i18n: 'stock.lot' }),
			h('th', { scope: 'col', class: 'num', i18n: 'stock.quantity' }),
			h('th', { scope: 'col', i18n: 'stock.shippedAt' }))),
		h('tbody', {}, list.map((x) => h('tr', { 'data-transfer': String(x.transfer_id) },
			h('td', { label: 'stock.transfer' }, '#' + x.transfer_id,
				incoming(x) && mover
					? [' ', h('a', { href: '#/stock/receive', class: 'btn btn-small', i18n: 'stock.goReceive' })]
					: null),
			h('td', { label: 'stock.from' }, x.from_name),
			h('td', { label: 'stock.to' }, x.to_name),
			h('td', { label: 'stock.lot' }, x.lot_number, h('div', { class: 'muted' }, productName(env.prods, x.product))),
			numCell(x.quantity, 'stock.quantity'),
			h('td', { label: 'stock.shippedAt' }, x.shipped_at ? h('span', { time: x.shipped_at }) : '—')))));
}

export async function render(body, ctx, env) {
	const days = h('input', { type: 'number', min: '1', max: String(MAX_DAYS), step: '1', inputmode: 'numeric', value: filt.days });
	const all = h('input', { type: 'checkbox', id: 'stock-all', checked: filt.all });
	const filters = h('form', { class: 'filters', novalidate: true, role: 'search', ariaLabel: 'stock.filters' },
		field({ name: 'expiring_days', label: 'stock.expiringWithin', input: days, hint: 'stock.expiringHint', class: 'field-narrow' }),
		h('div', { class: 'field checkline' }, all, h('label', { for: 'stock-all', i18n: 'stock.showEmpty' })),
		h('div', { class: 'filter-actions' },
			h('button', { type: 'submit', class: 'btn btn-primary', i18n: 'reg.filter' }),
			h('button', {
				type: 'button', class: 'btn', i18n: 'audit.clear',
				on: { click: () => { days.value = ''; all.checked = false; filters.requestSubmit(); } },
			})));
	const area = h('div', { class: 'stock-area' });
	body.append(filters, area);

	async function load() {
		let r;
		try {
			r = await api('GET', '/stock', {
				query: { facility: env.facility.id, expiring_days: filt.days, all: filt.all ? 1 : '' },
			});
		} catch (e) {
			if (env.live())
				area.replaceChildren(errorBox(e));
			return;
		}
		if (!env.live())
			return;
		const rows = r.stock.filter((x) => String(x.facility_id) === String(env.facility.id));
		const transit = r.in_transit || [];
		const daysLeft = r.days_left || [];
		replace(area,
			alertsBanner(r.alerts || [], env.prods),
			h('section', { 'aria-labelledby': 'stock-h-lots' },
				h('h2', { id: 'stock-h-lots', i18n: 'stock.lotsTitle' }),
				rows.length
					? [h('p', { class: 'count' }, tx('stock.lotCount', { n: rows.length })), stockTable(rows)]
					: h('p', { class: 'empty', i18n: filt.days ? 'stock.noneExpiring' : 'stock.empty' })),
			daysLeft.length
				? h('section', { 'aria-labelledby': 'stock-h-days' },
					h('h2', { id: 'stock-h-days', i18n: 'stock.daysLeftTitle' }),
					h('p', { class: 'hint', i18n: 'stock.daysLeftHint' }),
					daysLeftTable(daysLeft, env.prods))
				: null,
			h('section', { 'aria-labelledby': 'stock-h-transit' },
				h('h2', { id: 'stock-h-transit', i18n: 'stock.transitTitle' }),
				transit.length
					? transitTable(transit, env, ctx)
					: h('p', { class: 'muted', i18n: 'stock.noTransit' })));
	}

	filters.addEventListener('submit', (ev) => {
		ev.preventDefault();
		clearErrors(filters);
		const v = days.value.trim();
		const n = Number(v);
		if (v !== '' && !(Number.isInteger(n) && n >= 1 && n <= MAX_DAYS)) {
			showChecks(filters, [{ field: 'expiring_days', i18n: 'stock.check.days' }]);
			return;
		}
		filt.days = v;
		filt.all = all.checked;
		load();
	});
	await load();
}
