// Cơ sở: the facilities inside the user's jurisdiction, filtered by kind,
// and for national, provincial and district health staff a form to add one.
import { api } from '../api.js';
import { clearErrors, errorBox, field, h, notice, showChecks, showError, tx } from '../dom.js';
import * as names from '../names.js';
import {
	canCreateFacilities, creatableKinds, KIND_NAMES, KINDS, levelIndex, scopeLevel, scopeUnit,
} from '../roles.js';
import { unitPicker } from '../unitpicker.js';

const PAGE = 100;

function facilityRow(f) {
	return h('tr', {},
		h('td', { label: 'fac.name' }, h('strong', {}, f.name)),
		h('td', { label: 'fac.kind', i18n: 'kind.' + f.kind }),
		h('td', { label: 'fac.address' }, f.address || '—'),
		f.kind === 'vaccination_site'
			? h('td', { class: 'num', label: 'fac.capacityShort', num: f.daily_capacity })
			: h('td', { class: 'num muted', label: 'fac.capacityShort' }, '—'),
		h('td', { label: 'fac.status' },
			h('span', { class: f.active ? 'badge badge-ok' : 'badge badge-off', i18n: f.active ? 'fac.active' : 'fac.closed' })));
}

function createForm(ctx, onCreated) {
	const me = ctx.me;
	const kinds = creatableKinds(me.role);
	const root = { code: scopeUnit(me.scope), name: me.jurisdiction_name, level: scopeLevel(me.scope) };
	const kind = h('select', {},
		h('option', { value: '', i18n: 'fac.chooseKind' }),
		kinds.map((k) => h('option', { value: k, i18n: 'kind.' + k })));
	kind.value = kinds.includes('vaccination_site') ? 'vaccination_site' : kinds[0];
	const name = h('input', { type: 'text', maxlength: '200', autocomplete: 'off' });
	const address = h('input', { type: 'text', maxlength: '500', autocomplete: 'off' });
	const capacity = h('input', { type: 'number', min: '1', step: '1', inputmode: 'numeric' });
	const capField = field({ name: 'daily_capacity', label: 'fac.capacity', input: capacity, hint: 'fac.capacityHint', required: true, class: 'field-narrow' });
	const pickerSlot = h('div', {});
	let picker = null;

	function setKind() {
		const k = kind.value;
		capField.hidden = k !== 'vaccination_site';
		if (!k) {
			picker = null;
			pickerSlot.replaceChildren();
			return;
		}
		const levels = KINDS[k].levels.filter((l) => levelIndex(l) >= levelIndex(root.level));
		picker = unitPicker({
			root, name: 'unit', label: 'fac.unit', hint: 'fac.unitHint.' + k,
			minLevel: levels[0] || root.level, maxLevel: levels[levels.length - 1] || root.level,
		});
		pickerSlot.replaceChildren(picker.el);
	}
	kind.addEventListener('change', setKind);

	const submit = h('button', { type: 'submit', class: 'btn btn-primary', i18n: 'form.save' });
	const cancel = h('button', { type: 'button', class: 'btn', i18n: 'form.cancel' });
	const form = h('form', { class: 'form', novalidate: true },
		field({ name: 'kind', label: 'fac.kind', input: kind, required: true }),
		field({ name: 'name', label: 'fac.name', input: name, required: true }),
		pickerSlot,
		field({ name: 'address', label: 'fac.address', input: address }),
		capField,
		h('div', { class: 'form-actions' }, submit, cancel));
	setKind();

	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clearErrors(form);
		const problems = [];
		if (!kind.value)
			problems.push({ field: 'kind', i18n: 'check.choose' });
		if (name.value.trim().length < 2)
			problems.push({ field: 'name', i18n: 'check.name' });
		const pp = picker && picker.problem();
		if (pp)
			problems.push(pp);
		const cap = Number(capacity.value);
		if (kind.value === 'vaccination_site' && !(Number.isInteger(cap) && cap >= 1 && capacity.value !== ''))
			problems.push({ field: 'daily_capacity', i18n: 'check.capacity' });
		if (problems.length) {
			showChecks(form, problems);
			return;
		}
		const body = { kind: kind.value, name: name.value.trim(), unit: picker.value().code };
		if (address.value.trim())
			body.address = address.value.trim();
		if (kind.value === 'vaccination_site')
			body.daily_capacity = cap;
		submit.disabled = true;
		try {
			const r = await api('POST', '/facilities', { body });
			names.rememberFacility(r.facility);
			form.reset();
			kind.value = body.kind;
			setKind();
			onCreated(r.facility);
		} catch (e) {
			showError(form, e);
		} finally {
			submit.disabled = false;
		}
	});
	return { form, cancel };
}

export async function render(main, ctx) {
	const kindFilter = KIND_NAMES.includes(ctx.query.get('kind')) ? ctx.query.get('kind') : '';
	const status = h('div', { class: 'status-area' });
	const filter = h('select', { id: 'fac-kind-filter' },
		h('option', { value: '', i18n: 'fac.allKinds' }),
		KIND_NAMES.map((k) => h('option', { value: k, i18n: 'kind.' + k })));
	filter.value = kindFilter;
	filter.addEventListener('change', () => {
		location.hash = '#/facilities' + (filter.value ? '?kind=' + filter.value : '');
	});

	const toolbar = h('div', { class: 'toolbar' },
		h('div', { class: 'toolbar-field' }, h('label', { for: 'fac-kind-filter', i18n: 'fac.kind' }), filter));
	main.append(h('h1', { i18n: 'fac.title' }), toolbar, status);

	const tbody = h('tbody', {});
	const count = h('p', { class: 'count' });
	const more = h('button', { type: 'button', class: 'btn', i18n: 'fac.more', hidden: true });
	const table = h('table', { class: 'table table-stack' },
		h('thead', {}, h('tr', {},
			h('th', { scope: 'col', i18n: 'fac.name' }),
			h('th', { scope: 'col', i18n: 'fac.kind' }),
			h('th', { scope: 'col', i18n: 'fac.address' }),
			h('th', { scope: 'col', class: 'num', i18n: 'fac.capacityShort' }),
			h('th', { scope: 'col', i18n: 'fac.status' }))),
		tbody);
	const empty = h('p', { class: 'empty', i18n: 'fac.empty', hidden: true });
	const listArea = h('div', {}, count, table, empty, h('div', { class: 'more' }, more));
	let offset = 0;
	let shown = 0;

	async function load(reset) {
		if (reset) {
			offset = 0;
			shown = 0;
			tbody.replaceChildren();
		}
		more.disabled = true;
		let r;
		try {
			r = await api('GET', '/facilities', { query: { kind: kindFilter, limit: PAGE, offset } });
		} catch (e) {
			if (ctx.current())
				listArea.replaceChildren(errorBox(e));
			return;
		}
		if (!ctx.current())
			return;
		for (const f of r.facilities) {
			names.rememberFacility(f);
			tbody.appendChild(facilityRow(f));
		}
		offset += r.facilities.length;
		shown += r.facilities.length;
		more.hidden = r.facilities.length < PAGE;
		more.disabled = false;
		table.hidden = shown === 0;
		empty.hidden = shown !== 0;
		count.replaceChildren(tx('fac.count', { n: shown }));
	}
	more.addEventListener('click', () => load(false));

	if (canCreateFacilities(ctx.me.role)) {
		const panel = h('section', { class: 'card form-card', id: 'fac-create', hidden: true, 'aria-labelledby': 'fac-create-title' },
			h('h2', { id: 'fac-create-title', i18n: 'fac.createTitle' }));
		const open = h('button', { type: 'button', class: 'btn btn-primary', 'aria-expanded': 'false', 'aria-controls': 'fac-create', i18n: 'fac.create' });
		const { form, cancel } = createForm(ctx, (f) => {
			toggle(false);
			notice(status, 'fac.created', { name: f.name });
			load(true);
		});
		panel.append(form);
		const toggle = (show) => {
			panel.hidden = !show;
			open.setAttribute('aria-expanded', String(show));
			if (show)
				form.querySelector('select, input').focus();
			else
				open.focus();
		};
		open.addEventListener('click', () => {
			status.replaceChildren();
			toggle(panel.hidden);
		});
		cancel.addEventListener('click', () => {
			clearErrors(form);
			toggle(false);
		});
		toolbar.append(open);
		main.append(panel);
	}
	main.append(listArea);
	await load(true);
}
