// A person's record as people read it (birth dates as dd/mm/yyyy, Nam/Nữ,
// the kind of document) and the one form that registers or corrects a
// person, shared by the citizen portal and the staff pages.
import { field, h, tx } from './dom.js';
import { applyI18n } from './i18n.js';

export const ID_TYPES = ['cccd', 'cmnd', 'passport', 'none'];
export const GENDERS = ['male', 'female'];
export const PRIORITY_GROUPS = 16;
const ADULT_AGE = 18;

// "1990-05-17" -> "17/05/1990", "1990-05" -> "05/1990", "1990" -> "1990".
export function fmtBirth(iso) {
	const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(iso || '');
	if (!m)
		return iso || '—';
	return [m[3], m[2], m[1]].filter(Boolean).join('/');
}

// What a person types ("17/05/1990", "17-5-1990", "5/1990", "1990", or
// "1990-05-17") as the API's "YYYY-MM-DD" | "YYYY-MM" | "YYYY", or null.
// Only the shape is checked here; the server checks the calendar.
export function parseBirth(text) {
	const s = String(text || '').trim();
	let m = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$/.exec(s);
	let y, mo, d;
	if (m) {
		[y, mo, d] = [m[1], m[2], m[3]];
	} else {
		m = /^(?:(\d{1,2})[/.\-\s])?(?:(\d{1,2})[/.\-\s])?(\d{4})$/.exec(s);
		if (!m)
			return null;
		// one number before the year is the month; two are day and month
		[d, mo, y] = m[2] !== undefined ? [m[1], m[2], m[3]] : [undefined, m[1], m[3]];
	}
	const pad = (v) => String(v).padStart(2, '0');
	if (mo !== undefined && (Number(mo) < 1 || Number(mo) > 12))
		return null;
	if (d !== undefined && (Number(d) < 1 || Number(d) > 31))
		return null;
	return [y, mo !== undefined ? pad(mo) : null, d !== undefined ? pad(d) : null]
		.filter(Boolean).join('-');
}

// Age in whole years today (Vietnam's calendar is close enough for a
// form), taking a year-only date as 1 January.
export function ageOf(iso) {
	const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(iso || '');
	if (!m)
		return null;
	const now = new Date();
	const [y, mo, d] = [Number(m[1]), Number(m[2] || 1), Number(m[3] || 1)];
	let age = now.getFullYear() - y;
	if (now.getMonth() + 1 < mo || (now.getMonth() + 1 === mo && now.getDate() < d))
		age--;
	return age;
}

export function isAdult(p) {
	const a = ageOf(p.birth_date);
	return a !== null && a >= ADULT_AGE;
}

// "+84912345678" -> "0912 345 678" (no-break spaces: it never wraps).
export function fmtPhone(p) {
	const m = /^\+84(\d{3})(\d{3})(\d{3})$/.exec(p || '');
	return m ? `0${m[1]}\u00a0${m[2]}\u00a0${m[3]}` : (p || '—');
}

function normPhone(p) {
	const d = String(p || '').replace(/[^\d]/g, '');
	return d.startsWith('84') ? d.slice(2) : d.replace(/^0/, '');
}

// "CCCD 001085012345", "Chưa có giấy tờ".
export function docText(p) {
	if (!p.id_type || p.id_type === 'none' || !p.id_number)
		return tx('idtype.none');
	return h('span', {}, tx('idtype.short.' + p.id_type), ' ', h('span', { class: 'docnum' }, p.id_number));
}

export function genderText(g) {
	return g ? tx('gender.' + g) : '—';
}

// Badges for the record's flags and the check-in's notes.
export function flagBadges(p) {
	// "no document" is already what the document line says
	const list = (p.flags || []).filter((f) => f !== 'no_document')
		.map((f) => h('span', { class: 'badge badge-warn', i18n: 'flag.' + f }));
	if (p.verification === 'verified')
		list.unshift(h('span', { class: 'badge badge-ok', i18n: 'verification.verified' }));
	return list;
}

/* ---- the form ------------------------------------------------------------ */

function radios(name, values, keyPrefix, required) {
	let n = 0;
	const box = h('fieldset', { class: 'field radios radios-inline', 'data-field': name },
		h('legend', {}, tx(keyPrefix + 'label'), required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null));
	const err = h('p', { class: 'field-error', id: `f-${name}-radios-error`, hidden: true });
	for (const v of values) {
		const id = `f-${name}-${v}-${++n}-${Math.random().toString(36).slice(2, 7)}`;
		box.appendChild(h('div', { class: 'radio' },
			h('input', { type: 'radio', name, value: v, id, 'aria-describedby': err.id }),
			h('label', { for: id, i18n: keyPrefix + v })));
	}
	box.appendChild(err);
	return box;
}

// opts: {
//   commune: (field element with data-field="commune_code") and
//   communeValue: () -> code or '', communeProblem: () -> problem | null,
//   guardians: [{id, full_name}] to choose a guardian from (portal),
//   staff: true to offer phone and priority group,
//   initial: a citizen (or a card's fields) to start from,
//   submit: the submit button's text key }
// Returns {form, collect() -> {body, problems}, submitButton, cancelButton}.
export function personForm(opts) {
	const init = opts.initial || {};
	const fullName = h('input', { type: 'text', maxlength: '200', autocomplete: opts.staff ? 'off' : 'name', autocapitalize: 'words', spellcheck: 'false' });
	const idType = h('select', {}, ID_TYPES.map((k) => h('option', { value: k, i18n: 'idtype.' + k })));
	const idNumber = h('input', { type: 'text', maxlength: '32', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'characters' });
	const nationality = h('input', { type: 'text', maxlength: '2', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false' });
	const birth = h('input', { type: 'text', maxlength: '10', autocomplete: opts.staff ? 'off' : 'bday', inputmode: 'numeric', placeholder: 'person.birthPlaceholder' });
	const gender = radios('gender', GENDERS, 'gender.', true);
	const address = h('input', { type: 'text', maxlength: '500', autocomplete: opts.staff ? 'off' : 'street-address' });
	const phone = h('input', { type: 'tel', maxlength: '20', autocomplete: 'off', inputmode: 'tel' });
	const priority = h('select', {},
		h('option', { value: '', i18n: 'person.priorityNone' }),
		Array.from({ length: PRIORITY_GROUPS }, (_, i) => h('option', { value: String(i + 1), i18n: 'person.priorityN', args: { n: i + 1 } })));
	const guardian = h('select', {},
		h('option', { value: '', i18n: 'person.guardianNone' }),
		(opts.guardians || []).map((g) => h('option', { value: String(g.id) }, g.full_name)));

	const idNumberField = field({ name: 'id_number', label: 'person.idNumber', input: idNumber, hint: 'person.idNumberHint.cccd', required: true });
	const nationalityField = field({ name: 'nationality', label: 'person.nationality', input: nationality, hint: 'person.nationalityHint', required: true, class: 'field-narrow' });
	const guardianField = opts.guardians && opts.guardians.length
		? field({ name: 'guardian_id', label: 'person.guardian', input: guardian, hint: 'person.guardianHint' })
		: null;

	function setIdType() {
		const k = idType.value;
		idNumberField.hidden = k === 'none';
		nationalityField.hidden = k !== 'passport';
		idNumber.inputMode = k === 'passport' ? 'text' : 'numeric';
		const hint = idNumberField.querySelector('.hint');
		hint.dataset.i18n = 'person.idNumberHint.' + k;
		applyI18n(hint);
	}
	idType.addEventListener('change', setIdType);

	const submit = h('button', { type: 'submit', class: 'btn btn-primary', i18n: opts.submit || 'form.save' });
	const cancel = h('button', { type: 'button', class: 'btn', i18n: 'form.cancel' });
	const form = h('form', { class: 'form person-form', novalidate: true },
		field({ name: 'full_name', label: 'person.fullName', input: fullName, hint: 'person.fullNameHint', required: true }),
		field({ name: 'birth_date', label: 'person.birthDate', input: birth, hint: 'person.birthHint', required: true, class: 'field-narrow' }),
		gender,
		field({ name: 'id_type', label: 'person.idType', input: idType, required: true }),
		idNumberField,
		nationalityField,
		opts.commune,
		field({ name: 'address', label: 'person.address', input: address, hint: 'person.addressHint' }),
		opts.staff ? field({ name: 'phone', label: 'person.phone', input: phone, hint: 'person.phoneHint', class: 'field-narrow' }) : null,
		opts.staff ? field({ name: 'priority_group', label: 'person.priority', input: priority }) : null,
		guardianField,
		h('div', { class: 'form-actions' }, submit, opts.noCancel ? null : cancel));

	// start values
	fullName.value = init.full_name || '';
	idType.value = ID_TYPES.includes(init.id_type) ? init.id_type : 'cccd';
	idNumber.value = init.id_number || '';
	nationality.value = init.nationality && init.nationality !== 'VN' ? init.nationality : '';
	birth.value = init.birth_date ? fmtBirth(init.birth_date) : '';
	for (const r of gender.querySelectorAll('input'))
		r.checked = r.value === init.gender;
	address.value = init.address || '';
	phone.value = init.phone ? fmtPhone(init.phone) : '';
	priority.value = init.priority_group ? String(init.priority_group) : '';
	if (init.guardian_id)
		guardian.value = String(init.guardian_id);
	setIdType();

	// The body for POST (all fields) and the problems found before asking.
	function collect() {
		const problems = [];
		const body = {};
		const name = fullName.value.trim().replace(/\s+/g, ' ');
		if (!name)
			problems.push({ field: 'full_name', i18n: 'check.required' });
		else if (/\d/.test(name))
			problems.push({ field: 'full_name', i18n: 'check.nameDigits' });
		body.full_name = name;
		const bd = parseBirth(birth.value);
		if (!birth.value.trim())
			problems.push({ field: 'birth_date', i18n: 'check.required' });
		else if (!bd)
			problems.push({ field: 'birth_date', i18n: 'check.birthDate' });
		body.birth_date = bd;
		const g = gender.querySelector('input:checked');
		if (!g)
			problems.push({ field: 'gender', i18n: 'check.choose' });
		body.gender = g ? g.value : null;
		body.id_type = idType.value;
		if (idType.value !== 'none') {
			const num = idNumber.value.trim();
			if (!num)
				problems.push({ field: 'id_number', i18n: 'check.required' });
			else if (idType.value !== 'passport' && !/^[\d\s.\-]+$/.test(num))
				problems.push({ field: 'id_number', i18n: 'check.digits' });
			body.id_number = num.replace(/[\s.\-]/g, '');
		} else if (bd && ageOf(bd) !== null && ageOf(bd) >= 14) {
			problems.push({ field: 'id_type', i18n: 'check.needDocument' });
		}
		if (idType.value === 'passport') {
			const nat = nationality.value.trim().toUpperCase();
			if (!/^[A-Z]{2}$/.test(nat))
				problems.push({ field: 'nationality', i18n: nat ? 'check.nationality' : 'check.required' });
			body.nationality = nat;
		} else {
			body.nationality = 'VN';
		}
		const cp = opts.communeProblem();
		if (cp)
			problems.push(cp);
		body.commune_code = opts.communeValue();
		if (address.value.trim())
			body.address = address.value.trim();
		if (opts.staff) {
			if (phone.value.trim())
				body.phone = phone.value.trim();
			if (priority.value)
				body.priority_group = Number(priority.value);
		}
		if (guardianField && guardian.value)
			body.guardian_id = Number(guardian.value);
		return { body, problems };
	}

	return { form, collect, submit, cancel, fullName };
}

// Only what changed against the stored record, for PATCH.
export function changedFields(body, stored) {
	const out = {};
	for (const [k, v] of Object.entries(body)) {
		const old = stored[k] ?? (k === 'nationality' ? 'VN' : null);
		if (k === 'phone' && normPhone(old) === normPhone(v))
			continue;
		if (k === 'id_number' && body.id_type === 'none')
			continue;
		if ((v ?? null) !== old)
			out[k] = v;
	}
	return out;
}
