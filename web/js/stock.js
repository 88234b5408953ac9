// What the vaccine supply chain's pages share (docs/stock.md): the
// facilities of the jurisdiction, the products' names, a lot as people
// read it (number, vaccine, expiry, flags) and the selects the forms use.
import { api } from './api.js';
import { h, tx } from './dom.js';
import { fmtNum, t, vnToday } from './i18n.js';
import * as names from './names.js';
import { fmtDay } from './registration.js';

export const KIND_ORDER = ['national_warehouse', 'provincial_warehouse', 'district_centre', 'vaccination_site'];
export const WAREHOUSES = ['national_warehouse', 'provincial_warehouse'];
export const SOURCES = ['covax', 'donation', 'purchase', 'other'];
export const WASTAGE_REASONS = ['opened_vial_expired', 'breakage', 'cold_chain', 'vvm', 'expired', 'recall', 'other'];
export const EXPIRING_SOON = 30; // days: a lot is highlighted from then on
export const MAX_QTY = 100000000; // src/db/stock.h TC_STOCK_MAX_QTY

// The active facilities of the jurisdiction, warehouses first.
export async function loadFacilities() {
	const r = await api('GET', '/facilities', { query: { limit: 1000 } });
	for (const f of r.facilities)
		names.rememberFacility(f);
	return r.facilities.filter((f) => f.active).sort((a, b) =>
		(KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind)) || a.name.localeCompare(b.name, 'vi'));
}

// The user's own facility, else the first of the list (the warehouse or
// centre at the top of the jurisdiction).
export function defaultFacility(list, me) {
	const mine = list.find((f) => String(f.id) === String(me.facility));
	return mine || list[0] || null;
}

let products = null; // code -> product, loaded once

export async function loadProducts() {
	if (!products) {
		const r = await api('GET', '/products');
		products = new Map(r.products.map((p) => [p.code, p]));
	}
	return products;
}

export function productName(prods, code) {
	return prods.get(code)?.name || code;
}

// Whole days from today (Vietnam) to day "YYYY-MM-DD"; negative once past.
export function daysTo(day) {
	const a = Date.parse(vnToday() + 'T00:00:00Z');
	const b = Date.parse(String(day) + 'T00:00:00Z');
	return Number.isNaN(b) ? null : Math.round((b - a) / 86400000);
}

// "31/03/2027" and under it "còn 120 ngày" (or "đã hết hạn").
export function expiryText(day, days = daysTo(day)) {
	let left = null;
	if (days !== null && days !== undefined)
		left = days < 0 ? tx('stock.expiredAgo') : tx(days === 0 ? 'stock.lastDay' : 'stock.daysLeft', { n: days });
	return [h('span', { class: 'nowrap' }, fmtDay(day)),
		left ? h('div', { class: 'stock-days' }, left) : null];
}

// A lot's state: 'bad' (quarantined, expired, VVM 3-4), 'warn' (expiring
// within EXPIRING_SOON days) or 'ok'.
export function lotState(row) {
	const days = row.days_to_expiry ?? daysTo(row.expiry);
	if (row.quarantined || row.expired || (days !== null && days < 0) || row.vvm >= 3)
		return 'bad';
	if (days !== null && days <= EXPIRING_SOON)
		return 'warn';
	return 'ok';
}

export function lotBadges(row) {
	const days = row.days_to_expiry ?? daysTo(row.expiry);
	const out = [];
	if (row.quarantined)
		out.push(h('span', { class: 'badge badge-error', 'data-flag': 'quarantined', i18n: 'stock.flag.quarantined' }));
	if (row.expired || (days !== null && days < 0))
		out.push(h('span', { class: 'badge badge-error', 'data-flag': 'expired', i18n: 'stock.flag.expired' }));
	else if (days !== null && days <= EXPIRING_SOON)
		out.push(h('span', { class: 'badge badge-warn', 'data-flag': 'expiring', i18n: 'stock.flag.expiring' }));
	if (row.vvm >= 3)
		out.push(h('span', { class: 'badge badge-error', 'data-flag': 'vvm', i18n: 'stock.flag.vvm', args: { n: row.vvm } }));
	if (!out.length)
		out.push(h('span', { class: 'badge badge-ok', 'data-flag': 'usable', i18n: 'stock.flag.usable' }));
	return h('span', { class: 'badges' }, out);
}

// "ABV1234 · Vaxzevria · HSD 31/03/2027 · tồn 800"
export function lotLabel(row, prods) {
	const parts = [row.lot_number, row.product_name || productName(prods, row.product),
		t('stock.expiryShort', { day: fmtDay(row.expiry) })];
	if (row.on_hand !== undefined)
		parts.push(t('stock.onHandShort', { n: fmtNum(row.on_hand) }));
	return parts.join(' · ');
}

// A select of VVM stages; the empty choice means "not read".
export function vvmSelect(emptyKey = 'stock.vvmNone') {
	return h('select', {},
		h('option', { value: '', i18n: emptyKey }),
		[1, 2, 3, 4].map((n) => h('option', { value: String(n), i18n: 'stock.vvm.' + n })));
}

// A select of the facility's lots (stock rows), each with what is on hand.
export function lotSelect(rows, prods, chooseKey = 'stock.chooseLot') {
	return h('select', {},
		h('option', { value: '', i18n: chooseKey }),
		rows.map((r) => h('option', { value: String(r.lot_id) }, lotLabel(r, prods))));
}

// A whole number of doses from 1 (or `min`) to MAX_QTY, else null.
export function quantity(input, min = 1) {
	const v = input.value.trim();
	const n = Number(v);
	return v !== '' && Number.isInteger(n) && n >= min && n <= MAX_QTY ? n : null;
}

export function qtyInput(value) {
	return h('input', { type: 'number', min: '0', max: String(MAX_QTY), step: '1', inputmode: 'numeric', value });
}

export function numCell(n, label, cls) {
	return h('td', { class: ['num', cls], label }, n === null || n === undefined ? '—' : h('span', { num: n }));
}
