// Đăng ký tiêm: the people put down for vaccination inside the
// jurisdiction, filtered by state, priority group, age, commune and the
// day they registered, and the steps the user's role takes on them: the
// province approves, rejects and allocates to a district, the district
// centre schedules into a session, rejects or cancels; on the rows ticked,
// or on everyone the filter finds (up to a number). The support centre
// and the communes only read. Routes: #/registrations, #/registrations/{id}.
import { api } from '../api.js';
import { clearErrors, errorBox, field, h, showChecks, showError, tx } from '../dom.js';
import { fmtNum, t, vnToday } from '../i18n.js';
import * as names from '../names.js';
import { ageOf, fmtBirth, PRIORITY_GROUPS } from '../person.js';
import {
	fmtDay, statusBadge, stateDetail, STATES,
} from '../registration.js';
import { canBrowsePeople, regSteps, scopeLevel, scopeUnit } from '../roles.js';
import { unitPicker } from '../unitpicker.js';

const PAGE = 50;
const MAX_BULK = 1000; // the server's limit for one step
const MAX_AGE = 150;
// The state each step starts from: the list the user most often works on.
const FIRST_STEP_STATE = { approve: 'pending', allocate: 'approved', schedule: 'allocated' };
const NEEDS_REASON = ['reject', 'cancel'];
const SKIP_REASONS = ['not_found', 'out_of_jurisdiction', 'wrong_state', 'not_your_step',
	'other_province', 'already_there', 'other_district', 'session_full', 'changed'];

// The filters while the page is open (so a record's "back" finds the same
// list); never written to storage.
let last = null;
let lastRole = null;

function defaults(role) {
	const steps = regSteps(role);
	return {
		status: steps.length ? FIRST_STEP_STATE[steps[0]] : 'open',
		priority_group: '', age_min: '', age_max: '', unit: '', unitChosen: [],
		registered_from: '', registered_to: '', offset: 0, limit: 100,
	};
}

function unitName(code) {
	const span = h('span', {}, code || '—');
	if (code)
		names.unit(code).then((u) => { span.textContent = u.name_with_type; }, () => {});
	return span;
}

function priorityText(n) {
	return n ? tx('person.priorityN', { n }) : h('span', { class: 'muted' }, '—');
}

/* ---- the steps ----------------------------------------------------------- */

let productNames = null; // code -> name, loaded once

async function products() {
	if (!productNames) {
		const r = await api('GET', '/products');
		productNames = new Map(r.products.map((p) => [p.code, p.name]));
	}
	return productNames;
}

// "15/03/2026 07:30–11:00 · Trạm Y tế phường Phúc Xá · Comirnaty · còn 40/100 chỗ"
function sessionLabel(s, prods) {
	return `${fmtDay(s.day)} ${s.starts}–${s.ends} · ${s.site_name} · ${prods.get(s.product) || s.product} · ` +
		t('reg.placesLeft', { n: fmtNum(s.available), of: fmtNum(s.capacity) });
}

// The open sessions from today on with a place left, soonest first.
async function openSessions() {
	const [r, prods] = await Promise.all([
		api('GET', '/sessions', { query: { limit: 1000 } }),
		products(),
	]);
	const today = vnToday();
	return {
		sessions: r.sessions.filter((s) => s.status === 'open' && s.day >= today && s.available > 0),
		prods,
	};
}

// The form a step needs before it runs: a district, a session or a
// reason. Returns {el, collect() -> {body, problems}} or a promise of it.
async function stepInputs(ctx, step) {
	const me = ctx.me;
	if (step === 'allocate') {
		const picker = unitPicker({
			root: { code: scopeUnit(me.scope), name: me.jurisdiction_name, level: scopeLevel(me.scope) },
			name: 'district', label: 'reg.district', hint: 'reg.districtHint',
			minLevel: 'district', maxLevel: 'district',
		});
		return {
			el: picker.el,
			collect: () => {
				const p = picker.problem();
				return { body: { district: picker.value().code }, problems: p ? [p] : [] };
			},
		};
	}
	if (step === 'schedule') {
		const sel = h('select', {}, h('option', { value: '', i18n: 'loading' }));
		let nothing = false; // no session to choose: the step cannot run
		const box = field({ name: 'session_id', label: 'reg.session', input: sel, hint: 'reg.sessionHint', required: true });
		sel.disabled = true;
		try {
			const { sessions, prods } = await openSessions();
			sel.replaceChildren(h('option', { value: '', i18n: 'reg.chooseSession' }),
				...sessions.map((s) => h('option', { value: String(s.id) }, sessionLabel(s, prods))));
			nothing = sessions.length === 0;
			sel.disabled = nothing;
			if (nothing)
				box.querySelector('.hint').replaceWith(h('p', { class: 'hint' },
					tx('reg.noSessions'), ' ', h('a', { href: '#/sessions', i18n: 'reg.toSessions' })));
		} catch (e) {
			sel.replaceChildren(h('option', { value: '' }));
			box.append(errorBox(e));
		}
		return {
			el: box,
			blocked: () => nothing,
			collect: () => (sel.value
				? { body: { session_id: Number(sel.value) }, problems: [] }
				: { body: {}, problems: [{ field: 'session_id', i18n: 'check.choose' }] }),
		};
	}
	if (NEEDS_REASON.includes(step)) {
		const input = h('input', { type: 'text', maxlength: '500', autocomplete: 'off' });
		return {
			el: field({ name: 'reason', label: 'reg.reason', input, hint: 'reg.reasonHint', required: true }),
			collect: () => {
				const v = input.value.trim();
				return {
					body: { reason: v },
					problems: v.length < 3 ? [{ field: 'reason', i18n: v ? 'check.reason' : 'check.required' }] : [],
				};
			},
		};
	}
	return { el: null, collect: () => ({ body: {}, problems: [] }) };
}

// "Đã thực hiện 3; bỏ qua 1" and why each was skipped, with the names of
// the people the page knows.
function outcomeBox(step, r, known) {
	const groups = new Map();
	for (const s of r.skipped) {
		const key = SKIP_REASONS.includes(s.reason) ? s.reason : 'other';
		if (!groups.has(key))
			groups.set(key, []);
		groups.get(key).push(s.id);
	}
	const list = [...groups.entries()].map(([reason, ids]) => {
		const who = ids.map((id) => known.get(String(id))).filter(Boolean);
		return h('li', { 'data-skip': reason },
			h('span', { i18n: 'reg.skip.' + reason }), ' ', tx('reg.skipCount', { n: ids.length }),
			who.length ? h('span', { class: 'muted' }, ': ', who.slice(0, 10).join(', '),
				who.length > 10 ? '…' : '') : null);
	});
	const none = r.done === 0 && r.skipped.length === 0;
	return h('div', {
		class: `alert ${r.skipped.length || none ? 'alert-warning' : 'alert-success'} reg-outcome`,
		role: 'status', tabindex: '-1', 'data-done': String(r.done), 'data-skipped': String(r.skipped.length),
	},
	h('p', {}, h('strong', { i18n: 'reg.step.' + step }), ' — ',
		none ? tx('reg.nobody') : tx('reg.outcome', { done: r.done, skipped: r.skipped.length })),
	list.length ? h('ul', { class: 'skips' }, list) : null);
}

// The steps the role takes, on the rows ticked (and, on the list, on
// everyone the filter finds). opts: {selected() -> Map id -> name,
// filter() -> the filter body or null, known() -> Map id -> name,
// onDone(step, result)}.
function stepPanel(ctx, opts) {
	const steps = regSteps(ctx.me.role);
	const status = h('div', { class: 'status-area', 'aria-live': 'polite' });
	const limit = h('input', { type: 'number', min: '1', max: String(MAX_BULK), step: '1', inputmode: 'numeric', class: 'limit-input', value: String(last ? last.limit : 100) });
	let target = 'ids';
	const targetBox = opts.filter
		? h('fieldset', { class: 'field radios reg-target', 'data-field': 'target' },
			h('legend', { i18n: 'reg.target' }),
			h('div', { class: 'radio' },
				h('input', { type: 'radio', name: 'reg-target', id: 'reg-target-ids', value: 'ids', checked: true }),
				h('label', { for: 'reg-target-ids', id: 'reg-target-ids-label' }, tx('reg.targetIds', { n: 0 }))),
			h('div', { class: 'radio' },
				h('input', { type: 'radio', name: 'reg-target', id: 'reg-target-filter', value: 'filter' }),
				h('label', { for: 'reg-target-filter', i18n: 'reg.targetFilter' }),
				limit,
				h('span', { 'aria-hidden': 'true', i18n: 'reg.people' })),
			h('p', { class: 'hint', i18n: 'reg.targetHint' }),
			h('p', { class: 'field-error', hidden: true }))
		: null;
	if (targetBox) {
		limit.setAttribute('aria-label', t('reg.limitLabel'));
		limit.dataset.i18nAriaLabel = 'reg.limitLabel';
		targetBox.addEventListener('change', (ev) => {
			if (ev.target.name === 'reg-target')
				target = ev.target.value;
		});
		limit.addEventListener('focus', () => {
			targetBox.querySelector('#reg-target-filter').checked = true;
			target = 'filter';
		});
	}
	const buttons = h('div', { class: 'step-buttons' }, steps.map((s) => h('button', {
		type: 'button', class: ['btn', s === steps[0] ? 'btn-primary' : null, NEEDS_REASON.includes(s) ? 'btn-danger' : null],
		'data-step': s, i18n: 'reg.do.' + s, 'aria-expanded': 'false', 'aria-controls': 'reg-step-form',
	})));
	const formSlot = h('div', { id: 'reg-step-form' });
	const panel = h('section', { class: 'card reg-steps', 'aria-labelledby': 'reg-steps-title' },
		h('h2', { id: 'reg-steps-title', i18n: 'reg.stepsTitle' }),
		targetBox, buttons, formSlot, status);

	function setCount(n) {
		const label = panel.querySelector('#reg-target-ids-label');
		if (label)
			label.replaceChildren(tx('reg.targetIds', { n }));
	}

	function which() {
		if (target === 'filter' && opts.filter) {
			const n = Number(limit.value);
			if (!Number.isInteger(n) || n < 1 || n > MAX_BULK)
				return { problem: 'reg.limitCheck' };
			return { body: { filter: opts.filter(), limit: n }, summary: ['reg.summaryFilter', { n }] };
		}
		const ids = [...opts.selected().keys()].map(Number);
		if (!ids.length)
			return { problem: 'reg.noneSelected' };
		return { body: { ids }, summary: ['reg.summaryIds', { n: ids.length }] };
	}

	function close() {
		formSlot.replaceChildren();
		for (const b of buttons.children)
			b.setAttribute('aria-expanded', 'false');
	}

	async function open(step, button) {
		status.replaceChildren();
		const w = which();
		if (w.problem) {
			close();
			status.replaceChildren(h('div', { class: 'alert alert-warning', role: 'alert' }, tx(w.problem)));
			return;
		}
		for (const b of buttons.children)
			b.setAttribute('aria-expanded', String(b === button));
		const inputs = await stepInputs(ctx, step);
		if (!ctx.current())
			return;
		const submit = h('button', { type: 'submit', class: NEEDS_REASON.includes(step) ? 'btn btn-danger' : 'btn btn-primary', i18n: 'reg.confirm.' + step });
		const cancel = h('button', { type: 'button', class: 'btn', i18n: 'reg.close' });
		const form = h('form', { class: 'form reg-step-form', novalidate: true, 'data-step': step },
			h('h3', { i18n: 'reg.step.' + step }),
			h('p', { class: 'reg-summary' }, tx(w.summary[0], w.summary[1]),
				w.body.filter && FIRST_STEP_STATE[step] && !w.body.filter.status
					? [' ', tx('reg.onlyState', { state: t('reg.status.' + FIRST_STEP_STATE[step]) })] : null),
			inputs.el,
			h('div', { class: 'form-actions' }, submit, cancel));
		cancel.addEventListener('click', () => { close(); button.focus(); });
		form.addEventListener('submit', async (ev) => {
			ev.preventDefault();
			clearErrors(form);
			const again = which();
			if (again.problem) {
				showChecks(form, [{ i18n: again.problem }]);
				return;
			}
			const { body, problems } = inputs.collect();
			if (problems.length) {
				showChecks(form, problems);
				return;
			}
			submit.disabled = true;
			let r;
			try {
				r = await api('POST', '/registrations/' + step, { body: { ...again.body, ...body } });
			} catch (e) {
				submit.disabled = false;
				showError(form, e.field && e.field.startsWith('filter.') ? { ...e, field: null } : e);
				return;
			}
			if (!ctx.current())
				return;
			close();
			const known = opts.known();
			await opts.onDone(step, r);
			if (!ctx.current())
				return;
			status.replaceChildren(outcomeBox(step, r, known));
			status.firstChild.focus();
		});
		if (inputs.blocked && inputs.blocked())
			submit.disabled = true;
		formSlot.replaceChildren(form);
		const first = form.querySelector('input:not([type=radio]), select:not(:disabled)');
		(first || submit).focus();
	}

	buttons.addEventListener('click', (ev) => {
		const b = ev.target.closest('button[data-step]');
		if (b)
			open(b.dataset.step, b);
	});
	return { panel, setCount, limit };
}

/* ---- the list ------------------------------------------------------------- */

function regRow(g, selectable) {
	const age = ageOf(g.birth_date);
	return h('tr', { 'data-registration': String(g.id), 'data-status': g.status },
		selectable
			? h('td', { class: 'check', label: 'reg.select' },
				h('input', { type: 'checkbox', value: String(g.id), ariaLabel: 'reg.selectOne', args: { name: g.full_name } }))
			: null,
		h('td', { label: 'person.fullName', class: 'name' }, h('a', { href: `#/registrations/${g.id}`, class: 'strong-link' }, g.full_name)),
		h('td', { label: 'person.birthDate', class: 'nowrap' }, fmtBirth(g.birth_date),
			age !== null ? h('span', { class: 'muted' }, ' ', tx('reg.age', { n: age })) : null),
		h('td', { label: 'person.priority', class: 'nowrap' }, priorityText(g.priority_group)),
		h('td', { label: 'person.commune' }, unitName(g.commune_code)),
		h('td', { label: 'reg.statusCol' }, statusBadge(g.status),
			h('div', { class: 'state-detail' }, stateDetail(g, unitName))),
		h('td', { label: 'reg.registeredAt' }, h('span', { time: g.created_at })));
}

function filterForm(ctx) {
	const me = ctx.me;
	const status = h('select', {},
		h('option', { value: '', i18n: 'reg.status.any' }),
		h('option', { value: 'open', i18n: 'reg.status.open' }),
		STATES.map((s) => h('option', { value: s, i18n: 'reg.status.' + s })));
	const priority = h('select', {},
		h('option', { value: '', i18n: 'reg.priorityAny' }),
		Array.from({ length: PRIORITY_GROUPS }, (_, i) => h('option', { value: String(i + 1), i18n: 'person.priorityN', args: { n: i + 1 } })));
	const ageMin = h('input', { type: 'number', min: '0', max: String(MAX_AGE), step: '1', inputmode: 'numeric' });
	const ageMax = h('input', { type: 'number', min: '0', max: String(MAX_AGE), step: '1', inputmode: 'numeric' });
	const from = h('input', { type: 'date' });
	const to = h('input', { type: 'date' });
	const level = scopeLevel(me.scope);
	const picker = level === 'commune' || level === 'facility' ? null : unitPicker({
		root: { code: scopeUnit(me.scope), name: me.jurisdiction_name, level },
		name: 'unit', label: 'reg.place', optional: true,
		minLevel: level, maxLevel: 'commune', initial: last.unitChosen,
	});
	status.value = last.status;
	priority.value = last.priority_group;
	ageMin.value = last.age_min;
	ageMax.value = last.age_max;
	from.value = last.registered_from;
	to.value = last.registered_to;
	const ages = h('div', { class: 'field-pair' },
		field({ name: 'age_min', label: 'reg.ageMin', input: ageMin, class: 'field-narrow' }),
		field({ name: 'age_max', label: 'reg.ageMax', input: ageMax, class: 'field-narrow' }));
	const days = h('div', { class: 'field-pair dates' },
		field({ name: 'registered_from', label: 'reg.from', input: from, class: 'field-narrow' }),
		field({ name: 'registered_to', label: 'reg.to', input: to, class: 'field-narrow' }));
	const reset = h('button', { type: 'button', class: 'btn', i18n: 'reg.clear' });
	const form = h('form', { class: 'filters reg-filters', novalidate: true, role: 'search', ariaLabel: 'reg.filters' },
		field({ name: 'status', label: 'reg.statusCol', input: status }),
		field({ name: 'priority_group', label: 'person.priority', input: priority }),
		ages, days,
		picker ? picker.el : null,
		h('div', { class: 'filter-actions' },
			h('button', { type: 'submit', class: 'btn btn-primary', i18n: 'reg.filter' }), reset));

	// Checks what was typed; the filter for the list, or null.
	function collect() {
		clearErrors(form);
		const problems = [];
		const num = (input, name) => {
			const v = input.value.trim();
			if (v === '')
				return '';
			const n = Number(v);
			if (!Number.isInteger(n) || n < 0 || n > MAX_AGE) {
				problems.push({ field: name, i18n: 'check.age' });
				return '';
			}
			return String(n);
		};
		const f = {
			status: status.value,
			priority_group: priority.value,
			age_min: num(ageMin, 'age_min'),
			age_max: num(ageMax, 'age_max'),
			registered_from: from.value,
			registered_to: to.value,
			unit: '', unitChosen: [],
		};
		if (f.age_min !== '' && f.age_max !== '' && Number(f.age_min) > Number(f.age_max))
			problems.push({ field: 'age_max', i18n: 'check.ageOrder' });
		if ((from.validity && from.validity.badInput))
			problems.push({ field: 'registered_from', i18n: 'check.day' });
		if ((to.validity && to.validity.badInput))
			problems.push({ field: 'registered_to', i18n: 'check.day' });
		if (f.registered_from && f.registered_to && f.registered_from > f.registered_to)
			problems.push({ field: 'registered_to', i18n: 'check.dayOrder' });
		if (picker) {
			const v = picker.value();
			f.unit = v.level === level ? '' : v.code;
			f.unitChosen = picker.chosen();
		}
		if (problems.length) {
			showChecks(form, problems);
			return null;
		}
		return f;
	}
	return { form, collect, reset };
}

// The API's filter from the page's: only what is set.
function apiFilter(f, forStep) {
	const out = {};
	// A step on "everyone open" means everyone at the step's own start.
	if (f.status && !(forStep && f.status === 'open'))
		out.status = f.status;
	if (f.unit)
		out.unit = f.unit;
	for (const k of ['priority_group', 'age_min', 'age_max'])
		if (f[k] !== '')
			out[k] = Number(f[k]);
	for (const k of ['registered_from', 'registered_to'])
		if (f[k])
			out[k] = f[k];
	return out;
}

async function renderList(main, ctx) {
	if (!last || lastRole !== ctx.me.role) {
		last = defaults(ctx.me.role);
		lastRole = ctx.me.role;
	}
	const steps = regSteps(ctx.me.role);
	const selectable = steps.length > 0;
	const { form, collect, reset } = filterForm(ctx);
	main.append(h('h1', { i18n: 'reg.title' }),
		h('p', { class: 'muted reg-intro', i18n: 'reg.intro.' + (selectable ? ctx.me.role : 'read') }),
		form);

	const selected = new Map(); // id -> name, on this page
	const shown = new Map(); // id -> name, every row shown since the last step
	const tbody = h('tbody', {});
	const count = h('p', { class: 'count', 'aria-live': 'polite' });
	const prev = h('button', { type: 'button', class: 'btn', i18n: 'cit.prev' });
	const next = h('button', { type: 'button', class: 'btn', i18n: 'cit.next' });
	const all = h('input', { type: 'checkbox', id: 'reg-all' });
	const selCount = h('span', { class: 'sel-count', 'aria-live': 'polite' });
	const selBar = selectable
		? h('div', { class: 'sel-bar' },
			h('div', { class: 'checkline' }, all, h('label', { for: 'reg-all', i18n: 'reg.selectAll' })),
			selCount)
		: null;
	const table = h('table', { class: 'table table-stack reg-table', id: 'reg-table' },
		h('thead', {}, h('tr', {},
			selectable ? h('th', { scope: 'col', class: 'check' }, h('span', { class: 'visually-hidden', i18n: 'reg.select' })) : null,
			h('th', { scope: 'col', i18n: 'person.fullName' }),
			h('th', { scope: 'col', i18n: 'person.birthDate' }),
			h('th', { scope: 'col', i18n: 'person.priority' }),
			h('th', { scope: 'col', i18n: 'person.commune' }),
			h('th', { scope: 'col', i18n: 'reg.statusCol' }),
			h('th', { scope: 'col', i18n: 'reg.registeredAt' }))),
		tbody);
	const empty = h('p', { class: 'empty', hidden: true, i18n: 'reg.empty' });
	const pager = h('div', { class: 'pager' }, prev, next);
	const listArea = h('div', {}, count, selBar, table, empty, pager);

	const panel = selectable ? stepPanel(ctx, {
		selected: () => selected,
		filter: () => apiFilter(last, true),
		known: () => new Map(shown),
		onDone: async () => {
			last.offset = 0;
			await load();
		},
	}) : null;
	if (panel) {
		main.append(panel.panel);
		panel.limit.addEventListener('change', () => { last.limit = Number(panel.limit.value) || last.limit; });
	}
	main.append(listArea);

	function showSelection() {
		const boxes = [...tbody.querySelectorAll('input[type=checkbox]')];
		const n = selected.size;
		all.checked = boxes.length > 0 && n === boxes.length;
		all.indeterminate = n > 0 && n < boxes.length;
		all.disabled = boxes.length === 0;
		selCount.replaceChildren(n ? tx('reg.selectedN', { n }) : '');
		if (panel)
			panel.setCount(n);
	}
	tbody.addEventListener('change', (ev) => {
		const box = ev.target;
		if (box.type !== 'checkbox')
			return;
		const row = box.closest('tr');
		if (box.checked)
			selected.set(box.value, row.querySelector('a').textContent);
		else
			selected.delete(box.value);
		row.classList.toggle('is-selected', box.checked);
		showSelection();
	});
	all.addEventListener('change', () => {
		for (const box of tbody.querySelectorAll('input[type=checkbox]')) {
			box.checked = all.checked;
			box.closest('tr').classList.toggle('is-selected', all.checked);
			if (all.checked)
				selected.set(box.value, box.closest('tr').querySelector('a').textContent);
		}
		if (!all.checked)
			selected.clear();
		showSelection();
	});

	async function load() {
		prev.disabled = next.disabled = true;
		let r;
		try {
			r = await api('GET', '/registrations', { query: { ...apiFilter(last, false), limit: PAGE, offset: last.offset } });
		} catch (e) {
			if (ctx.current())
				listArea.replaceChildren(errorBox(e));
			return;
		}
		if (!ctx.current())
			return;
		selected.clear();
		for (const g of r.registrations)
			shown.set(String(g.id), g.full_name);
		tbody.replaceChildren(...r.registrations.map((g) => regRow(g, selectable)));
		const n = r.registrations.length;
		table.hidden = n === 0;
		empty.hidden = n !== 0;
		if (selBar)
			selBar.hidden = n === 0;
		const onePage = last.offset === 0 && n < PAGE;
		count.replaceChildren(!n ? ''
			: onePage ? tx('reg.count', { n })
				: tx('cit.range', { from: last.offset + 1, to: last.offset + n }));
		prev.disabled = last.offset === 0;
		next.disabled = n < PAGE;
		pager.hidden = onePage;
		showSelection();
	}
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		const f = collect();
		if (!f)
			return;
		Object.assign(last, f, { offset: 0 });
		load();
	});
	reset.addEventListener('click', () => {
		last = defaults(ctx.me.role);
		window.dispatchEvent(new HashChangeEvent('hashchange'));
	});
	prev.addEventListener('click', () => { last.offset = Math.max(0, last.offset - PAGE); load(); });
	next.addEventListener('click', () => { last.offset += PAGE; load(); });
	await load();
}

/* ---- one registration ----------------------------------------------------- */

function fact(key, ...value) {
	return [h('dt', { i18n: key }), h('dd', {}, ...value)];
}

function factRows(g) {
	return [
		fact('reg.statusCol', statusBadge(g.status)),
		g.appointment ? fact('reg.appointment', stateDetail(g, unitName)) : null,
		g.district_code ? fact('reg.districtCol', unitName(g.district_code)) : null,
		g.reason ? fact('reg.reason', g.reason) : null,
		fact('person.birthDate', fmtBirth(g.birth_date)),
		fact('person.priority', priorityText(g.priority_group)),
		fact('person.commune', unitName(g.commune_code)),
		fact('reg.source', tx('reg.source.' + g.source)),
		fact('reg.registeredAt', h('span', { time: g.created_at })),
		fact('person.updatedAt', h('span', { time: g.updated_at })),
	];
}

async function renderOne(main, ctx, id) {
	const path = `/registrations/${encodeURIComponent(id)}`;
	const r = await api('GET', path);
	if (!ctx.current())
		return;
	const g = r.registration;
	const facts = h('dl', { class: 'facts' }, factRows(g));
	main.append(
		h('p', { class: 'back' }, h('a', { href: '#/registrations', i18n: 'reg.back' })),
		h('h1', { 'data-registration': String(g.id) }, g.full_name),
		h('section', { class: 'card', 'aria-labelledby': 'reg-facts' },
			h('h2', { id: 'reg-facts', i18n: 'reg.record' }), facts,
			canBrowsePeople(ctx.me.role)
				? h('p', { class: 'more-link' }, h('a', { href: `#/citizens/${g.citizen_id}`, i18n: 'reg.openPerson' }))
				: null));
	if (!regSteps(ctx.me.role).length)
		return;
	const one = new Map([[String(g.id), g.full_name]]);
	const { panel } = stepPanel(ctx, {
		selected: () => one,
		filter: null,
		known: () => one,
		onDone: async () => {
			try {
				const again = await api('GET', path);
				if (ctx.current())
					facts.replaceChildren(...factRows(again.registration).flat().filter(Boolean));
			} catch (e) {
				// the outcome still shows; the facts are as they were
			}
		},
	});
	main.append(panel);
}

export async function render(main, ctx) {
	const id = ctx.params[0] && /^\d+$/.test(ctx.params[0]) ? ctx.params[0] : null;
	if (id)
		await renderOne(main, ctx, id);
	else
		await renderList(main, ctx);
}
