// Building the page without innerHTML: h() makes elements, field() makes
// labelled form fields, showError() puts an API error next to its field.
import { applyI18n, errorText, t } from './i18n.js';

// h('p', {i18n: 'login.intro'}), h('a', {href: '#/', class: 'x'}, 'text'),
// h('button', {on: {click: fn}}, ...). Children may be strings, nodes,
// arrays, or null/false (skipped).
export function h(tag, props, ...children) {
	const el = document.createElement(tag);
	for (const [k, v] of Object.entries(props || {})) {
		if (v === undefined || v === null || v === false)
			continue;
		if (k === 'class')
			el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
		else if (k === 'on')
			for (const [ev, fn] of Object.entries(v))
				el.addEventListener(ev, fn);
		else if (k === 'i18n')
			el.dataset.i18n = v;
		else if (k === 'args')
			el.dataset.i18nArgs = JSON.stringify(v);
		else if (k === 'placeholder' || k === 'title' || k === 'ariaLabel' || k === 'label')
			el.dataset['i18n' + k[0].toUpperCase() + k.slice(1)] = v;
		else if (k === 'time')
			el.dataset.time = v;
		else if (k === 'num')
			el.dataset.num = String(v);
		else if (k === 'value')
			el.value = v;
		else if (k === 'checked' || k === 'selected' || k === 'disabled' || k === 'hidden')
			el[k] = true;
		else if (v === true)
			el.setAttribute(k, '');
		else
			el.setAttribute(k, String(v));
	}
	append(el, children);
	if (el.dataset.i18n || el.dataset.i18nPlaceholder || el.dataset.i18nTitle ||
	    el.dataset.i18nAriaLabel || el.dataset.i18nLabel || el.dataset.time || el.dataset.num)
		applyI18n(el);
	return el;
}

function append(el, children) {
	for (const c of children) {
		if (c === null || c === undefined || c === false)
			continue;
		if (Array.isArray(c))
			append(el, c);
		else if (c instanceof Node)
			el.appendChild(c);
		else
			el.appendChild(document.createTextNode(String(c)));
	}
}

// A translated text node wrapped in a span.
export function tx(key, args) {
	return h('span', { i18n: key, args });
}

export function replace(el, ...children) {
	el.replaceChildren();
	append(el, children);
	return el;
}

let seq = 0;

// A labelled field. opts: {name, label, input (element) or type, required,
// hint, autocomplete, ...}. The input gets id, name, aria-describedby.
export function field(opts) {
	const id = `f-${opts.name}-${++seq}`;
	const input = opts.input || h('input', {
		type: opts.type || 'text',
		autocomplete: opts.autocomplete || 'off',
		inputmode: opts.inputmode,
		min: opts.min,
		spellcheck: opts.spellcheck,
		autocapitalize: opts.autocapitalize,
	});
	input.id = id;
	input.name = opts.name;
	if (opts.required)
		input.setAttribute('aria-required', 'true');
	const hint = opts.hint ? h('p', { class: 'hint', id: id + '-hint', i18n: opts.hint, args: opts.hintArgs }) : null;
	const err = h('p', { class: 'field-error', id: id + '-error', hidden: true });
	input.setAttribute('aria-describedby', [hint ? hint.id : null, err.id].filter(Boolean).join(' '));
	const label = h('label', { for: id },
		tx(opts.label),
		opts.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null);
	return h('div', { class: ['field', opts.class], 'data-field': opts.name }, label, input, hint, err);
}

// The alert at the top of a form (created on first use).
function formAlert(form) {
	let a = form.querySelector(':scope > .form-alert');
	if (!a) {
		a = h('div', { class: 'alert alert-error form-alert', role: 'alert', tabindex: '-1' });
		form.prepend(a);
	}
	return a;
}

export function clearErrors(form) {
	for (const el of form.querySelectorAll('.field-error')) {
		el.hidden = true;
		el.textContent = '';
		delete el.dataset.errCode;
		delete el.dataset.i18n;
		delete el.dataset.i18nArgs;
	}
	for (const el of form.querySelectorAll('[aria-invalid]'))
		el.removeAttribute('aria-invalid');
	const a = form.querySelector(':scope > .form-alert');
	if (a)
		a.remove();
}

function setErrText(el, e) {
	delete el.dataset.i18n;
	delete el.dataset.i18nArgs;
	delete el.dataset.errCode;
	if (e.i18n) {
		el.dataset.i18n = e.i18n;
		if (e.args)
			el.dataset.i18nArgs = JSON.stringify(e.args);
		el.textContent = t(e.i18n, e.args);
	} else {
		el.dataset.errCode = e.code;
		if (e.field)
			el.dataset.errField = e.field;
		el.dataset.errMsg = e.message || '';
		el.textContent = errorText(e.code, e.field, e.message);
	}
}

// Once the user changes a marked field, its message has done its job.
function clearOnEdit(form) {
	if (form.dataset.clearOnEdit)
		return;
	form.dataset.clearOnEdit = '1';
	const clear = (ev) => {
		const box = ev.target.closest('[data-field]');
		if (!box)
			return;
		const msg = box.querySelector('.field-error');
		if (msg && !msg.hidden) {
			msg.hidden = true;
			msg.textContent = '';
			delete msg.dataset.errCode;
			delete msg.dataset.i18n;
			delete msg.dataset.i18nArgs;
		}
		for (const el of box.querySelectorAll('[aria-invalid]'))
			el.removeAttribute('aria-invalid');
	};
	form.addEventListener('input', clear);
	form.addEventListener('change', clear);
}

// Shows one error: next to the field the error names when the form has
// it, else at the top of the form. e is an ApiError or {field, i18n,
// args?}.
export function showError(form, e) {
	clearOnEdit(form);
	const box = e.field ? form.querySelector(`[data-field="${CSS.escape(e.field)}"]`) : null;
	if (box && !box.hidden) {
		const msg = box.querySelector('.field-error');
		setErrText(msg, e);
		msg.hidden = false;
		const input = box.querySelector('input, select, textarea');
		if (input) {
			input.setAttribute('aria-invalid', 'true');
			input.focus();
		}
		return;
	}
	const a = formAlert(form);
	a.replaceChildren(h('p', {}));
	setErrText(a.firstChild, e);
	a.focus();
}

// Client-side problems: [{field, i18n}], shown like API errors; the first
// field gets the focus.
export function showChecks(form, problems) {
	for (const p of problems.slice().reverse())
		showError(form, p);
}

// A short-lived status line ("Account created").
export function notice(container, key, args, kind = 'success') {
	const n = h('div', { class: `alert alert-${kind}`, role: 'status' }, tx(key, args));
	container.replaceChildren(n);
	return n;
}

// A message for an error that has no form (a failed page load).
export function errorBox(e) {
	const p = h('p', {});
	setErrText(p, e);
	return h('div', { class: 'alert alert-error', role: 'alert' }, p);
}

// Case- and diacritics-insensitive text for searching Vietnamese names.
export function fold(s) {
	return String(s).normalize('NFD').replace(/[\u0300-\u036f]/g, '')
		.replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
}

// Hands a Blob to the browser as a download named `name`.
export function saveBlob(blob, name) {
	const url = URL.createObjectURL(blob);
	const a = document.createElement('a');
	a.href = url;
	a.download = name;
	a.hidden = true;
	document.body.appendChild(a);
	a.click();
	a.remove();
	// the download has its own reference by now
	setTimeout(() => URL.revokeObjectURL(url), 10000);
}
