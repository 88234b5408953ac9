// Adverse events after immunisation (AEFI): POST /api/v1/visits/{id}/aefi
// during observation, /api/v1/doses/{id}/aefi after it. When it began,
// the symptoms, how severe, what was done and how the person is. A severe
// event alerts the district health centre at once (its console and an
// SMS): the form says so before it is sent.
import { api } from '../api.js';
import { clearErrors, field, h, showChecks, showError, tx } from '../dom.js';
import { fromVnLocal, vnLocalInput } from './common.js';

export const SYMPTOMS = [
	'injection_site', 'fever', 'headache', 'fatigue', 'myalgia', 'nausea', 'vomiting',
	'dizziness', 'syncope', 'rash', 'urticaria', 'swelling_face', 'dyspnoea',
	'chest_pain', 'palpitations', 'hypotension', 'seizure', 'anaphylaxis', 'other',
];
export const SEVERITIES = ['mild', 'moderate', 'severe'];
export const OUTCOMES = ['recovering', 'recovered', 'hospitalised', 'died', 'unknown'];

// {path: '/visits/ID/aefi' or '/doses/ID/aefi', onDone(aefi), onCancel}
export function aefiForm({ path, onDone, onCancel }) {
	const onset = h('input', { type: 'datetime-local', value: vnLocalInput(), max: vnLocalInput(new Date(Date.now() + 60000)) });
	const symptoms = h('fieldset', { class: 'field symptoms', 'data-field': 'symptoms' },
		h('legend', { i18n: 'site.aefi.symptoms' }),
		h('div', { class: 'check-grid' }, SYMPTOMS.map((s) => h('label', { class: 'check-choice', 'data-symptom': s },
			h('input', { type: 'checkbox', value: s }), h('span', { i18n: 'site.aefi.sym.' + s })))),
		h('p', { class: 'field-error', hidden: true }));
	const description = h('textarea', { rows: '2', maxlength: '2000' });
	const severity = h('fieldset', { class: 'field severity', 'data-field': 'severity' },
		h('legend', {}, tx('site.aefi.severity'), h('span', { class: 'req', 'aria-hidden': 'true' }, ' *')),
		h('div', { class: 'radios radios-big' }, SEVERITIES.map((s) => h('label', { class: 'sev-choice sev-' + s },
			h('input', { type: 'radio', name: 'severity', value: s }), h('span', { i18n: 'site.aefi.sev.' + s })))),
		h('p', { class: 'field-error', hidden: true }));
	const severeWarn = h('div', { class: 'alert alert-error', role: 'alert', id: 'aefi-severe', hidden: true },
		h('p', {}, h('strong', { i18n: 'site.aefi.severeWarn' })),
		h('p', { i18n: 'site.aefi.severeWarnHint' }));
	const actions = h('textarea', { rows: '2', maxlength: '2000' });
	const outcome = h('select', {},
		h('option', { value: '', i18n: 'site.aefi.chooseOutcome' }),
		OUTCOMES.map((o) => h('option', { value: o, i18n: 'site.aefi.out.' + o })));
	const submit = h('button', { type: 'submit', class: 'btn btn-danger btn-large', i18n: 'site.aefi.submit' });
	const cancel = h('button', { type: 'button', class: 'btn btn-large', i18n: 'form.cancel' });
	const form = h('form', { class: 'form aefi-form', id: 'aefi-form', novalidate: true },
		field({ name: 'onset_at', label: 'site.aefi.onset', input: onset, required: true, class: 'field-narrow' }),
		symptoms,
		field({ name: 'description', label: 'site.aefi.description', input: description }),
		severity, severeWarn,
		field({ name: 'actions', label: 'site.aefi.actions', input: actions, hint: 'site.aefi.actionsHint' }),
		field({ name: 'outcome', label: 'site.aefi.outcome', input: outcome, required: true }),
		h('div', { class: 'form-actions' }, submit, onCancel ? cancel : null));
	severity.addEventListener('change', () => {
		const v = form.querySelector('input[name="severity"]:checked')?.value;
		severeWarn.hidden = v !== 'severe';
		submit.dataset.i18n = v === 'severe' ? 'site.aefi.submitSevere' : 'site.aefi.submit';
		submit.textContent = '';
		submit.append(tx(submit.dataset.i18n));
	});
	if (onCancel)
		cancel.addEventListener('click', onCancel);
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clearErrors(form);
		const problems = [];
		const at = onset.value ? fromVnLocal(onset.value) : null;
		if (!at)
			problems.push({ field: 'onset_at', i18n: onset.value ? 'site.aefi.onsetBad' : 'check.required' });
		else if (at.getTime() > Date.now() + 60000)
			problems.push({ field: 'onset_at', i18n: 'site.aefi.onsetFuture' });
		const syms = [...symptoms.querySelectorAll('input:checked')].map((x) => x.value);
		if (!syms.length)
			problems.push({ field: 'symptoms', i18n: 'site.aefi.symptomsNeeded' });
		const sev = form.querySelector('input[name="severity"]:checked')?.value;
		if (!sev)
			problems.push({ field: 'severity', i18n: 'check.choose' });
		if (!outcome.value)
			problems.push({ field: 'outcome', i18n: 'check.choose' });
		if (problems.length) {
			showChecks(form, problems);
			return;
		}
		const body = { onset_at: at.toISOString(), symptoms: syms, severity: sev, outcome: outcome.value };
		if (description.value.trim())
			body.description = description.value.trim();
		if (actions.value.trim())
			body.actions = actions.value.trim();
		submit.disabled = true;
		try {
			const r = await api('POST', path, { body });
			onDone(r.aefi || { ...body });
		} catch (e) {
			submit.disabled = false;
			showError(form, e);
		}
	});
	return form;
}

// The line saying what was recorded.
export function aefiDone(a) {
	const severe = a.severity === 'severe';
	return h('div', { class: `alert ${severe ? 'alert-error' : 'alert-success'} aefi-done`, role: 'status', 'data-severity': a.severity },
		h('p', {}, tx('site.aefi.recorded'), ' ', h('strong', { i18n: 'site.aefi.sev.' + a.severity })),
		severe ? h('p', {}, h('strong', { i18n: 'site.aefi.alerted' })) : null);
}
