// Step 3, the injection (POST /api/v1/visits/{id}/injection): the lots of
// the screened vaccine on hand at the site, usable ones only, the one
// expiring first chosen (FEFO); an Idempotency-Key per attempt, the same
// key again when the network failed and the nurse retries, so the dose is
// never written twice. Too early for the next dose or a mixing the
// Ministry does not allow (409 schedule) shows why and from which day;
// a site manager may give it anyway with a reason (audited).
import { api } from '../api.js';
import { clearErrors, errorBox, field, h, showChecks, showError, tx } from '../dom.js';
import { has, t } from '../i18n.js';
import { fmtDay } from '../registration.js';
import { daysTo, EXPIRING_SOON } from '../stock.js';
import { uuid4 } from './common.js';

// Who is offered the override (the server decides).
const OVERRIDERS = ['site_manager', 'district_centre', 'province_health', 'national_admin'];

export function canOverride(role) {
	return OVERRIDERS.includes(role);
}

// The usable lots of `product` at the site, soonest expiry first.
export async function usableLots(siteId, product) {
	const r = await api('GET', '/stock', { query: { facility: siteId, product } });
	return (r.stock || [])
		.filter((x) => x.usable !== false && !x.quarantined && !x.expired && x.on_hand > 0 &&
			(!x.vvm || x.vvm < 3) && (!product || x.product === product))
		.sort((a, b) => String(a.expiry).localeCompare(String(b.expiry)) || a.lot_number.localeCompare(b.lot_number));
}

function lotChoice(row, first) {
	const days = row.days_to_expiry ?? daysTo(row.expiry);
	const input = h('input', { type: 'radio', name: 'lot_id', value: String(row.lot_id) });
	if (first)
		input.checked = true;
	return h('label', { class: 'lot-choice', 'data-lot': row.lot_number },
		input,
		h('span', { class: 'lot-main' },
			h('strong', { class: 'lot-number' }, row.lot_number),
			h('span', { class: 'lot-product' }, row.product_name || row.product)),
		h('span', { class: 'lot-facts' },
			tx('site.inj.expiry', { day: fmtDay(row.expiry) }),
			' · ',
			tx('site.inj.onHand', { n: row.on_hand })),
		h('span', { class: 'badges' },
			first ? h('span', { class: 'badge badge-ok', i18n: 'site.inj.fefo' }) : null,
			days !== null && days <= EXPIRING_SOON ? h('span', { class: 'badge badge-warn', i18n: 'stock.flag.expiring' }) : null));
}

function scheduleText(e) {
	const why = e.reason && has('site.sched.' + e.reason) ? t('site.sched.' + e.reason) : (e.reason || e.message || '');
	return why;
}

// The form. ctx for the role; onDone(visit, dose) after the answer.
export async function injectionForm({ ctx, visit, siteId, product, productName, onDone }) {
	const box = h('div', { class: 'inj' });
	let lots;
	try {
		lots = await usableLots(siteId, product);
	} catch (e) {
		box.append(errorBox(e));
		return box;
	}
	if (!lots.length) {
		box.append(h('div', { class: 'alert alert-error', role: 'alert', id: 'inj-nostock' },
			h('p', {}, tx('site.inj.noStock', { product: productName || product }))));
		return box;
	}
	const choices = lots.map((r, i) => lotChoice(r, i === 0));
	const overrideInput = h('textarea', { rows: '2', maxlength: '500' });
	const overrideField = field({ name: 'override_reason', label: 'site.inj.overrideReason', input: overrideInput, hint: 'site.inj.overrideHint' });
	overrideField.hidden = true;
	const schedBox = h('div', { class: 'inj-schedule', 'aria-live': 'polite' });
	const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-large', id: 'inj-submit', i18n: 'site.inj.submit' });
	const form = h('form', { class: 'form inj-form', id: 'inj-form', novalidate: true },
		h('fieldset', { class: 'field lot-picker', 'data-field': 'lot_id' },
			h('legend', {}, tx('site.inj.lot', { product: productName || product })),
			h('p', { class: 'hint', i18n: 'site.inj.lotHint' }),
			h('div', { class: 'lot-choices' }, choices),
			h('p', { class: 'field-error', hidden: true })),
		schedBox, overrideField,
		h('div', { class: 'form-actions' }, submit));

	// The attempt in flight: its body and key. A retry of the same body
	// after a network failure (or a server that did not answer) reuses the
	// key; any other request gets a new one.
	let attempt = null;

	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clearErrors(form);
		const chosen = form.querySelector('input[name="lot_id"]:checked');
		if (!chosen) {
			showChecks(form, [{ field: 'lot_id', i18n: 'check.choose' }]);
			return;
		}
		const body = { lot_id: Number(chosen.value) };
		if (!overrideField.hidden) {
			const reason = overrideInput.value.trim();
			if (reason.length < 3) {
				showChecks(form, [{ field: 'override_reason', i18n: reason ? 'check.reason' : 'check.required' }]);
				return;
			}
			body.override_reason = reason;
		}
		const json = JSON.stringify(body);
		if (!attempt || attempt.json !== json || !attempt.retry)
			attempt = { json, key: uuid4(), retry: false };
		submit.disabled = true;
		try {
			const r = await api('POST', `/visits/${visit.id}/injection`, { body, headers: { 'Idempotency-Key': attempt.key } });
			attempt = null;
			onDone(r.visit, r.visit.dose);
		} catch (e) {
			submit.disabled = false;
			// Did the server write it? Unknown: the same key asks again safely.
			attempt.retry = e.status === 0 || e.status >= 500;
			if (attempt.retry) {
				showError(form, { i18n: 'site.inj.retry' });
				submit.dataset.i18n = 'site.inj.retryButton';
				submit.textContent = t('site.inj.retryButton');
				return;
			}
			submit.dataset.i18n = 'site.inj.submit';
			submit.textContent = t('site.inj.submit');
			if (e.code === 'schedule') {
				const may = canOverride(ctx.me.role);
				schedBox.replaceChildren(h('div', { class: 'alert alert-warning', role: 'alert', id: 'inj-schedule' },
					h('h3', { i18n: 'site.inj.schedTitle' }),
					h('p', { class: 'sched-reason' }, scheduleText(e)),
					e.earliest ? h('p', {}, h('strong', {}, tx('site.inj.earliest', { day: fmtDay(e.earliest) }))) : null,
					h('p', { i18n: may ? 'site.inj.overrideOffer' : 'site.inj.askManager' })));
				if (may && overrideField.hidden) {
					overrideField.hidden = false;
					submit.dataset.i18n = 'site.inj.submitOverride';
					submit.textContent = t('site.inj.submitOverride');
					overrideInput.focus();
				}
				return;
			}
			showError(form, e);
		}
	});
	box.append(form);
	return box;
}

// What was given: the dose's number, vaccine and lot.
export function doseDone(dose) {
	if (!dose)
		return null;
	return h('div', { class: 'alert alert-success dose-done', role: 'status', id: 'dose-done' },
		h('p', { class: 'dose-done-title' },
			tx(dose.kind === 'booster' ? 'site.inj.doneBooster' : 'site.inj.donePrimary',
				{ n: dose.number, product: dose.product_name || dose.product })),
		h('p', {}, tx('site.inj.doneLot', { lot: dose.lot_number || '—', at: dose.given_at ? fmtTimeShort(dose.given_at) : '' })),
		(dose.flags || []).length
			? h('p', { class: 'badges' }, dose.flags.map((f) => h('span', { class: 'badge badge-warn', i18n: 'site.flag.' + f })))
			: null);
}

function fmtTimeShort(iso) {
	const d = new Date(iso);
	if (Number.isNaN(d.getTime()))
		return '';
	return new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'Asia/Ho_Chi_Minh' }).format(d);
}

