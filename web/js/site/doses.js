// A person's doses (GET /api/v1/citizens/{id}/doses): given at a site,
// recorded from a paper book or imported, voided ones struck through.
// Used on the person's record and at the site after a visit.
import { api } from '../api.js';
import { errorBox, h, tx } from '../dom.js';
import { fmtDay } from '../registration.js';
import { doseLabel } from './common.js';

function doseRow(d) {
	const voided = d.status === 'voided';
	return h('tr', { 'data-dose': String(d.id), 'data-lot': d.lot_number || '', class: voided ? 'is-cancelled' : null },
		h('td', { label: 'site.hist.dose' }, h('strong', {}, doseLabel(d)),
			voided ? [' ', h('span', { class: 'badge badge-off', i18n: 'site.hist.voided' })] : null),
		h('td', { label: 'site.hist.day', class: 'nowrap' }, fmtDay(d.given_on)),
		h('td', { label: 'site.hist.vaccine' }, d.product_name || d.product,
			d.lot_number ? h('div', { class: 'muted' }, tx('site.hist.lotN', { lot: d.lot_number })) : null),
		h('td', { label: 'site.hist.place' }, d.site_name || d.place || '—'),
		h('td', { label: 'site.hist.source' }, h('span', { i18n: 'site.hist.source.' + d.source }),
			(d.flags || []).length
				? h('div', { class: 'badges' }, d.flags.map((f) => h('span', { class: 'badge badge-warn', 'data-flag': f, i18n: 'site.flag.' + f })))
				: null));
}

// {el, load()}: a card; load() (re)reads the history.
export function dosePanel(citizenId, { title = 'site.hist.title' } = {}) {
	const body = h('div', {}, h('p', { class: 'muted', i18n: 'loading' }));
	const el = h('section', { class: 'card dose-history', id: 'dose-history', 'aria-labelledby': 'dose-history-title' },
		h('h2', { id: 'dose-history-title', i18n: title }), body);
	async function load() {
		let r;
		try {
			r = await api('GET', `/citizens/${encodeURIComponent(citizenId)}/doses`);
		} catch (e) {
			body.replaceChildren(errorBox(e));
			return null;
		}
		const doses = r.doses || [];
		if (!doses.length) {
			body.replaceChildren(h('p', { class: 'empty', i18n: 'site.hist.none' }));
			return doses;
		}
		const valid = doses.filter((d) => d.status !== 'voided');
		body.replaceChildren(
			h('p', { class: 'count' }, tx('site.hist.count', { n: valid.length })),
			h('table', { class: 'table table-stack dose-table' },
				h('thead', {}, h('tr', {},
					h('th', { scope: 'col', i18n: 'site.hist.dose' }),
					h('th', { scope: 'col', i18n: 'site.hist.day' }),
					h('th', { scope: 'col', i18n: 'site.hist.vaccine' }),
					h('th', { scope: 'col', i18n: 'site.hist.place' }),
					h('th', { scope: 'col', i18n: 'site.hist.source' }))),
				h('tbody', {}, doses.map(doseRow))));
		return doses;
	}
	return { el, load };
}
