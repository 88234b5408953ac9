// Tiếp đón: who is this person? One big box takes what a hardware scanner
// types (a personal QR or a CCCD card's QR, then Enter) or a typed ID
// number; the answer is the person's card, with where a card disagrees
// with the record, and for someone not on file a one-step registration
// prefilled from the card.
import { api } from '../api.js';
import { clearErrors, errorBox, h, showChecks, showError, tx } from '../dom.js';
import { fmtTime } from '../i18n.js';
import * as names from '../names.js';
import { docText, flagBadges, fmtBirth, fmtPhone, genderText, personForm } from '../person.js';
import { canRegisterPeople, registersAnywhere, scopeUnit } from '../roles.js';
import { communePicker, existingLink } from './citizens.js';

const RECENT = 8;
const recent = []; // [{name, at}] this page's last check-ins, newest first

function fact(key, ...value) {
	return [h('dt', { i18n: key }), h('dd', {}, ...value)];
}

function communeText(code) {
	const span = h('span', {}, code || '—');
	if (code)
		names.unit(code).then((u) => { span.textContent = u.name_with_type; }, () => {});
	return span;
}

const FIELD_KEYS = { full_name: 'person.fullName', birth_date: 'person.birthDate', gender: 'person.gender' };

function cardValue(field, v) {
	if (field === 'birth_date')
		return fmtBirth(v);
	if (field === 'gender')
		return genderText(v);
	return v || '—';
}

function differences(r) {
	if (!r.differences || !r.differences.length)
		return null;
	return h('section', { class: 'alert alert-warning differences', 'aria-labelledby': 'ck-diff-title' },
		h('h3', { id: 'ck-diff-title', i18n: 'ck.diffTitle' }),
		h('table', { class: 'table table-compact' },
			h('thead', {}, h('tr', {},
				h('th', { scope: 'col', i18n: 'ck.diffField' }),
				h('th', { scope: 'col', i18n: 'ck.diffCard' }),
				h('th', { scope: 'col', i18n: 'ck.diffRecord' }))),
			h('tbody', {}, r.differences.map((f) => h('tr', { 'data-diff': f },
				h('th', { scope: 'row', i18n: FIELD_KEYS[f] || f }),
				h('td', {}, cardValue(f, r.card[f])),
				h('td', {}, cardValue(f, r.citizen[f])))))),
		h('p', { i18n: 'ck.diffNote' }));
}

// The person's card, with a checked-in banner. how: the API's matched_by
// or 'registered'.
function personCard(c, r, how) {
	const at = new Date().toISOString();
	recent.unshift({ name: c.full_name, at });
	recent.length = Math.min(recent.length, RECENT);
	const notes = (r.eligibility && r.eligibility.notes) || [];
	return h('section', { class: 'ck-person', 'aria-labelledby': 'ck-name', 'data-citizen': String(c.id) },
		h('div', { class: 'ck-banner', role: 'status' },
			h('span', { class: 'ck-tick', 'aria-hidden': 'true' }, '✓'),
			h('span', { i18n: how === 'registered' ? 'ck.registeredIn' : 'ck.checkedIn' }),
			h('span', { class: 'ck-at' }, fmtTime(at).split(' ')[1]),
			h('span', { class: 'ck-how', i18n: 'ck.by.' + how })),
		h('div', { class: 'ck-body' },
			h('h2', { id: 'ck-name', class: 'ck-name' }, c.full_name),
			h('dl', { class: 'facts ck-facts' },
				fact('person.birthDate', h('strong', {}, fmtBirth(c.birth_date))),
				fact('person.gender', genderText(c.gender)),
				fact('person.document', docText(c)),
				fact('person.commune', communeText(c.commune_code)),
				c.address ? fact('person.address', c.address) : null,
				c.phone ? fact('person.phone', fmtPhone(c.phone)) : null,
				c.priority_group ? fact('person.priority', tx('person.priorityN', { n: c.priority_group })) : null,
				r.registration ? fact('ck.registration', tx('ck.reg.' + r.registration.status)) : null,
				r.appointment_today
					? fact('ck.appointment', h('strong', {},
						`${r.appointment_today.starts}–${r.appointment_today.ends}, ${r.appointment_today.site_name}`))
					: null),
			flagBadges(c).length ? h('p', { class: 'badges' }, flagBadges(c)) : null,
			notes.length
				? h('div', { class: 'ck-notes' },
					h('h3', { i18n: 'ck.notes' }),
					h('ul', {}, notes.map((n) => h('li', { i18n: 'ck.note.' + n }))))
				: null,
			differences(r)));
}

function recentList() {
	if (!recent.length)
		return null;
	return h('section', { class: 'ck-recent', 'aria-labelledby': 'ck-recent-title' },
		h('h2', { id: 'ck-recent-title', i18n: 'ck.recent' }),
		h('ol', {}, recent.map((x) => h('li', {},
			h('span', { class: 'ck-recent-at' }, fmtTime(x.at).split(' ')[1]), ' ', x.name))));
}

// The registration form for someone not on file, prefilled from the card
// or the typed number; after it, the person shows as checked in.
async function registerForm(ctx, initial, onDone) {
	const me = ctx.me;
	const anywhere = registersAnywhere(me.role);
	const picker = await communePicker(ctx, anywhere ? scopeUnit(me.scope) : null, anywhere, 'ck.communeHint');
	const pf = personForm({
		staff: true, initial,
		commune: picker.el,
		communeValue: () => picker.value().code,
		communeProblem: () => picker.problem(),
		submit: 'ck.registerSubmit',
		noCancel: true,
	});
	pf.form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clearErrors(pf.form);
		const { body, problems } = pf.collect();
		if (problems.length) {
			showChecks(pf.form, problems);
			return;
		}
		pf.submit.disabled = true;
		try {
			const r = await api('POST', '/citizens', { body });
			onDone(r);
		} catch (e) {
			pf.submit.disabled = false;
			showError(pf.form, e);
			if (e.existingId)
				existingLink(pf.form, e.existingId);
		}
	});
	return pf.form;
}

export async function render(main, ctx) {
	const input = h('input', {
		type: 'text', id: 'ck-input', class: 'ck-input', autocomplete: 'off', spellcheck: 'false',
		autocapitalize: 'none', enterkeyhint: 'search', maxlength: '2000',
	});
	const go = h('button', { type: 'submit', class: 'btn btn-primary btn-large', i18n: 'ck.lookup' });
	const scan = h('form', { class: 'ck-scan', role: 'search', novalidate: true },
		h('label', { for: 'ck-input', class: 'ck-label', i18n: 'ck.inputLabel' }),
		h('div', { class: 'input-row ck-row' }, input, go),
		h('p', { class: 'hint', id: 'ck-hint', i18n: 'ck.inputHint' }),
		h('p', { class: 'field-error', hidden: true }));
	input.setAttribute('aria-describedby', 'ck-hint');
	const result = h('div', { class: 'ck-result', 'aria-live': 'polite' });
	const side = h('div', { class: 'ck-side' });
	main.append(h('h1', { i18n: 'ck.title' }),
		h('div', { class: 'ck-layout' }, h('div', { class: 'ck-mainbox' }, scan, result), side));

	let seq = 0;
	const refocus = () => input.focus({ preventScroll: true });
	const showRecent = () => side.replaceChildren(recentList() || '');

	function found(c, r, how) {
		result.replaceChildren(personCard(c, r, how));
		showRecent();
	}

	async function lookup(text) {
		const mine = ++seq;
		result.replaceChildren(h('p', { class: 'muted', i18n: 'loading' }));
		let r;
		try {
			r = await api('POST', '/checkin', { body: { qr: text } });
		} catch (e) {
			if (mine === seq && ctx.current())
				result.replaceChildren(errorBox(e));
			return;
		}
		if (mine !== seq || !ctx.current())
			return;
		if (r.found) {
			found(r.citizen, r, r.matched_by);
			return;
		}
		// Not on file: from a card, offer the registration at once;
		// from a typed number, say so and offer it on request.
		const digits = text.replace(/\D/g, '');
		const initial = r.card
			? { ...r.card, nationality: 'VN' }
			: { id_type: digits.length === 9 ? 'cmnd' : 'cccd', id_number: digits };
		const area = h('div', {});
		const intro = r.card
			? h('div', { class: 'alert alert-info', role: 'status' },
				h('p', {}, tx('ck.unknownCard', { name: r.card.full_name })))
			: h('div', { class: 'alert alert-warning', role: 'status' },
				h('p', {}, tx('ck.unknownNumber', { number: digits })));
		result.replaceChildren(intro, area);
		if (!canRegisterPeople(ctx.me.role))
			return;
		const open = async () => {
			const form = await registerForm(ctx, initial, async (created) => {
				// The new personal QR checks the person in like any other.
				let r2 = { eligibility: { notes: [] } };
				try {
					r2 = await api('POST', '/checkin', { body: { qr: created.qr_token } });
				} catch (e) {
					// registered all the same; the card shows what is known
				}
				if (ctx.current())
					found(created.citizen, r2, 'registered');
				refocus();
			});
			if (mine === seq && ctx.current())
				area.replaceChildren(h('section', { class: 'card form-card', 'aria-labelledby': 'ck-reg-title' },
					h('h2', { id: 'ck-reg-title', i18n: 'ck.registerTitle' }), form));
		};
		if (r.card) {
			await open();
		} else {
			const b = h('button', { type: 'button', class: 'btn btn-primary', i18n: 'ck.registerThis' });
			b.addEventListener('click', async () => { b.remove(); await open(); area.querySelector('input').focus(); });
			area.append(b);
		}
	}

	scan.addEventListener('submit', (ev) => {
		ev.preventDefault();
		clearErrors(scan);
		const text = input.value.trim();
		if (!text) {
			showChecks(scan, [{ i18n: 'ck.empty' }]);
			refocus();
			return;
		}
		// Clear at once so the next scan starts in an empty box.
		input.value = '';
		refocus();
		lookup(text);
	});
	showRecent();
	refocus();
}
