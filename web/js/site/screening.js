// Step 2, the screening form (POST /api/v1/visits/{id}/screening), built
// from the checklist (GET /api/v1/screening/checklist, data/screening/):
// yes/no for each question that applies to the person (women's questions
// for women, children's for minors), the temperature, blood pressure and
// pulse when measured, and for a minor the guardian's consent. The
// outcome box reads the answer: eligible (maybe with caution), postpone
// to a day, refer to a hospital, contraindicated, or waiting for consent.
import { api } from '../api.js';
import { clearErrors, field, h, showChecks, showError, tx } from '../dom.js';
import { getLang } from '../i18n.js';
import { fmtDay } from '../registration.js';
import { ageOn, genderOf, reasonText } from './common.js';

let checklist = null; // loaded once per page load

export async function loadChecklist() {
	if (!checklist)
		checklist = await api('GET', '/screening/checklist');
	return checklist;
}

const OUTCOME_KIND = {
	eligible: 'success', needs_consent: 'warning', postpone: 'warning', refer: 'error', contraindicated: 'error',
};

// What the last screening said, in a box coloured by its outcome.
export function outcomeBox(s) {
	if (!s)
		return null;
	const kind = OUTCOME_KIND[s.outcome] || 'info';
	const reasons = (s.reasons || []).filter((r) => r.outcome !== 'eligible');
	return h('section', { class: `alert alert-${kind} screen-outcome`, role: 'status', 'data-outcome': s.outcome, 'aria-labelledby': 'screen-outcome-title' },
		h('h2', { id: 'screen-outcome-title', class: 'outcome-title', i18n: 'site.outcome.' + s.outcome }),
		s.outcome === 'postpone' && s.postpone_until
			? h('p', { class: 'outcome-date' }, tx('site.outcome.until', { day: fmtDay(s.postpone_until) }))
			: null,
		h('p', { i18n: 'site.outcome.' + s.outcome + 'Hint' }),
		s.caution && s.outcome === 'eligible' ? h('p', { class: 'outcome-caution' }, h('strong', { i18n: 'site.outcome.caution' })) : null,
		s.observe_minutes && s.observe_minutes > 30
			? h('p', {}, tx('site.outcome.observeLonger', { n: s.observe_minutes }))
			: null,
		reasons.length
			? h('div', {}, h('h3', { i18n: 'site.outcome.reasons' }),
				h('ul', { class: 'outcome-reasons' }, reasons.map((r) => h('li', { 'data-reason': r.code },
					reasonText(r), ' ', h('span', { class: 'muted' }, '(', tx('site.reasonKind.' + r.outcome), ')')))))
			: null);
}

function question(item) {
	return getLang() === 'en' ? item.question_en || item.question_vi : item.question_vi;
}

// Which items to ask: every "all" item, the minors' or the adults' by
// age, the women's unless the person is known to be a man (an item that
// does not apply may be answered no, so asking it is safe).
function applicable(items, age, adultAge, gender) {
	return items.filter((it) => {
		switch (it.applies_to) {
		case 'minor':
			return age !== null && age < adultAge;
		case 'adult':
			return age === null || age >= adultAge;
		case 'female':
			return gender !== 'male';
		default:
			return true;
		}
	});
}

function yesNo(item, n, previous) {
	const name = 'q-' + item.code;
	const radio = (v) => {
		const input = h('input', { type: 'radio', name, value: v });
		if (previous !== undefined && String(previous) === v)
			input.checked = true;
		return h('label', { class: 'yn-choice yn-' + (v === 'true' ? 'yes' : 'no') }, input, h('span', { i18n: v === 'true' ? 'site.yes' : 'site.no' }));
	};
	const qtext = h('span', { class: 'q-text' }, question(item));
	const row = h('fieldset', { class: 'field yn', 'data-field': 'answers.' + item.code, 'data-code': item.code },
		h('legend', {}, h('span', { class: 'q-num' }, `${n}. `), qtext,
			item.applies_to === 'female' ? h('span', { class: 'badge badge-info q-who', i18n: 'site.screen.womenOnly' }) : null,
			item.applies_to === 'minor' ? h('span', { class: 'badge badge-info q-who', i18n: 'site.screen.minorOnly' }) : null),
		h('div', { class: 'yn-choices' }, radio('true'), radio('false')),
		h('p', { class: 'field-error', hidden: true }));
	document.addEventListener('tc:lang', () => { qtext.textContent = question(item); });
	return row;
}

function numberInput(step, min, max, value) {
	return h('input', {
		type: 'number', step, min, max, inputmode: 'decimal',
		value: value === null || value === undefined ? undefined : String(value),
	});
}

// The form; onDone(visit) after the answer.
export function screeningForm({ visit, list, onDone }) {
	const age = ageOn(visit.birth_date);
	const adultAge = list.adult_age || 18;
	const minor = age !== null && age < adultAge;
	const items = applicable(list.items || [], age, adultAge, genderOf(visit.citizen_id));
	const prev = visit.screening || null;
	const prevAnswers = (prev && prev.answers) || {};

	const questions = items.map((it, i) => yesNo(it, i + 1, prevAnswers[it.code]));
	const allNo = h('button', { type: 'button', class: 'btn btn-large', i18n: 'site.screen.allNo' });
	allNo.addEventListener('click', () => {
		for (const q of questions)
			if (!q.querySelector('input:checked'))
				q.querySelector('input[value="false"]').checked = true;
	});

	const temp = numberInput('0.1', '30', '45', prev ? prev.temperature : null);
	const sys = numberInput('1', '50', '260', prev ? prev.systolic : null);
	const dia = numberInput('1', '30', '160', prev ? prev.diastolic : null);
	const pulse = numberInput('1', '20', '250', prev ? prev.pulse : null);
	const consent = h('input', { type: 'checkbox', id: 'screen-consent' });
	const guardian = h('input', { type: 'text', maxlength: '200', autocomplete: 'off', value: prev ? prev.guardian_name || '' : '' });
	const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-large', i18n: 'site.screen.submit' });

	const form = h('form', { class: 'form screen-form', id: 'screen-form', novalidate: true },
		h('section', { class: 'screen-vitals', 'aria-labelledby': 'screen-vitals-title' },
			h('h3', { id: 'screen-vitals-title', i18n: 'site.screen.vitals' }),
			h('div', { class: 'vitals-grid' },
				field({ name: 'temperature', label: 'site.screen.temperature', input: temp, required: true, hint: 'site.screen.temperatureHint', class: 'field-narrow' }),
				field({ name: 'systolic', label: 'site.screen.systolic', input: sys, class: 'field-narrow' }),
				field({ name: 'diastolic', label: 'site.screen.diastolic', input: dia, class: 'field-narrow' }),
				field({ name: 'pulse', label: 'site.screen.pulse', input: pulse, class: 'field-narrow' })),
			h('p', { class: 'hint', i18n: 'site.screen.bpHint' })),
		h('section', { class: 'screen-questions', 'aria-labelledby': 'screen-q-title' },
			h('div', { class: 'screen-q-head' },
				h('h3', { id: 'screen-q-title', i18n: 'site.screen.questions' }), allNo),
			questions),
		minor
			? h('section', { class: 'screen-consent card-inset', 'aria-labelledby': 'screen-consent-title' },
				h('h3', { id: 'screen-consent-title', i18n: 'site.screen.consentTitle' }),
				h('p', { class: 'hint' }, tx('site.screen.consentHint', { age })),
				h('div', { class: 'field checkline big-check', 'data-field': 'guardian_consent' },
					consent, h('label', { for: 'screen-consent', i18n: 'site.screen.consent' }),
					h('p', { class: 'field-error', hidden: true })),
				field({ name: 'guardian_name', label: 'site.screen.guardianName', input: guardian }))
			: null,
		h('div', { class: 'form-actions' }, submit));

	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clearErrors(form);
		const problems = [];
		const answers = {};
		for (const q of questions) {
			const c = q.querySelector('input:checked');
			if (!c)
				problems.push({ field: 'answers.' + q.dataset.code, i18n: 'site.screen.answer' });
			else
				answers[q.dataset.code] = c.value === 'true';
		}
		const num = (input) => (input.value.trim() === '' ? null : Number(input.value));
		const t = num(temp);
		if (t === null)
			problems.unshift({ field: 'temperature', i18n: 'check.required' });
		else if (!(t >= 30 && t <= 45))
			problems.unshift({ field: 'temperature', i18n: 'site.screen.temperatureRange' });
		const s = num(sys);
		const d = num(dia);
		if ((s === null) !== (d === null))
			problems.push({ field: s === null ? 'systolic' : 'diastolic', i18n: 'site.screen.bpBoth' });
		else if (s !== null && !(Number.isInteger(s) && s >= 50 && s <= 260))
			problems.push({ field: 'systolic', i18n: 'site.screen.range', args: { min: 50, max: 260 } });
		else if (d !== null && !(Number.isInteger(d) && d >= 30 && d <= 160 && d < s))
			problems.push({ field: 'diastolic', i18n: 'site.screen.diaRange' });
		const p = num(pulse);
		if (p !== null && !(Number.isInteger(p) && p >= 20 && p <= 250))
			problems.push({ field: 'pulse', i18n: 'site.screen.range', args: { min: 20, max: 250 } });
		if (minor && consent.checked && guardian.value.trim().length < 2)
			problems.push({ field: 'guardian_name', i18n: 'site.screen.guardianNeeded' });
		if (problems.length) {
			showChecks(form, problems);
			return;
		}
		const body = { answers, temperature: Math.round(t * 10) / 10 };
		if (s !== null) {
			body.systolic = s;
			body.diastolic = d;
		}
		if (p !== null)
			body.pulse = p;
		if (minor) {
			body.guardian_consent = consent.checked;
			if (consent.checked)
				body.guardian_name = guardian.value.trim();
		}
		submit.disabled = true;
		try {
			const r = await api('POST', `/visits/${visit.id}/screening`, { body });
			onDone(r.visit);
		} catch (e) {
			submit.disabled = false;
			showError(form, e);
		}
	});
	return form;
}
