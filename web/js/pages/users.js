// Tài khoản cán bộ: staff accounts inside the admin's jurisdiction; create
// one (role, and a unit or facility), disable and enable.
import { api } from '../api.js';
import { clearErrors, errorBox, field, h, notice, showChecks, showError, tx } from '../dom.js';
import * as names from '../names.js';
import {
	grantableRoles, ROLE_NAMES, ROLES, scopeLevel, scopeUnit, unitLevelsFor,
} from '../roles.js';
import { unitPicker } from '../unitpicker.js';

const PAGE = 100;
const USERNAME_RE = /^[a-z0-9._-]{3,64}$/;

function placeCell(u) {
	const span = h('span', {}, u.facility ? '#' + u.facility : u.unit);
	const p = u.facility ? names.facility(u.facility).then((f) => f.name)
		: names.unit(u.unit).then((x) => x.name_with_type);
	p.then((name) => { span.textContent = name; }, () => {});
	return h('td', { label: 'users.place' }, span);
}

function statusBadge(active) {
	return h('span', { class: active ? 'badge badge-ok' : 'badge badge-off', i18n: active ? 'users.active' : 'users.disabled' });
}

function createForm(ctx, facilitiesP, onCreated) {
	const me = ctx.me;
	const roles = grantableRoles(me.role, me.scope);
	const root = { code: scopeUnit(me.scope), name: me.jurisdiction_name, level: scopeLevel(me.scope) };

	const username = h('input', { type: 'text', maxlength: '64', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' });
	const password = h('input', { type: 'password', maxlength: '128', autocomplete: 'new-password' });
	const reveal = h('button', { type: 'button', class: 'btn btn-small', 'aria-pressed': 'false', i18n: 'users.showPassword' });
	reveal.addEventListener('click', () => {
		const show = password.type === 'password';
		password.type = show ? 'text' : 'password';
		reveal.setAttribute('aria-pressed', String(show));
	});
	const role = h('select', {},
		h('option', { value: '', i18n: 'users.chooseRole' }),
		roles.map((r) => h('option', { value: r, i18n: 'role.' + r })));

	const attachUnit = h('input', { type: 'radio', name: 'attach', value: 'unit', id: 'attach-unit', checked: true });
	const attachFac = h('input', { type: 'radio', name: 'attach', value: 'facility', id: 'attach-facility' });
	const attach = h('fieldset', { class: 'field radios', hidden: true },
		h('legend', { i18n: 'users.attach' }),
		h('div', { class: 'radio' }, attachUnit, h('label', { for: 'attach-unit', i18n: 'users.attachUnit' })),
		h('div', { class: 'radio' }, attachFac, h('label', { for: 'attach-facility', i18n: 'users.attachFacility' })));

	const facSelect = h('select', {}, h('option', { value: '', i18n: 'loading' }));
	const facField = field({ name: 'facility', label: 'users.facility', input: facSelect, required: true });
	facilitiesP.then((list) => {
		facSelect.replaceChildren(h('option', { value: '', i18n: list.length ? 'users.chooseFacility' : 'users.noFacilities' }));
		for (const f of list)
			facSelect.appendChild(h('option', { value: String(f.id) }, f.name));
		if (list.length === 1)
			facSelect.value = String(list[0].id);
	}, (e) => {
		facSelect.replaceChildren(h('option', { value: '', i18n: 'err.' + (e.code || 'unknown') }));
	});

	const pickerSlot = h('div', {});
	let picker = null;
	let mode = 'unit';

	function setPlacement() {
		const r = role.value;
		const levels = r ? ROLES[r].levels : [];
		const unitLevels = unitLevelsFor(levels, me.scope);
		const facOk = levels.includes('facility');
		attach.hidden = !(unitLevels.length && facOk);
		if (!r)
			mode = 'none';
		else if (unitLevels.length && facOk)
			mode = attachFac.checked ? 'facility' : 'unit';
		else
			mode = facOk ? 'facility' : 'unit';
		facField.hidden = mode !== 'facility';
		if (mode === 'unit') {
			picker = unitPicker({
				root, name: 'unit', label: 'fac.unit', hint: 'users.roleHint.' + r,
				minLevel: unitLevels[0], maxLevel: unitLevels[unitLevels.length - 1],
			});
			pickerSlot.replaceChildren(picker.el);
		} else {
			picker = null;
			pickerSlot.replaceChildren();
		}
	}
	role.addEventListener('change', setPlacement);
	attachUnit.addEventListener('change', setPlacement);
	attachFac.addEventListener('change', setPlacement);

	const submit = h('button', { type: 'submit', class: 'btn btn-primary', i18n: 'users.create' });
	const cancel = h('button', { type: 'button', class: 'btn', i18n: 'form.cancel' });
	const pwField = field({ name: 'password', label: 'users.password', input: password, hint: 'users.passwordHint', required: true });
	pwField.insertBefore(h('div', { class: 'input-row' }, password, reveal), pwField.querySelector('.hint'));
	const form = h('form', { class: 'form', novalidate: true },
		field({ name: 'username', label: 'users.username', input: username, hint: 'users.usernameHint', required: true }),
		pwField,
		field({ name: 'role', label: 'users.role', input: role, required: true }),
		attach, pickerSlot, facField,
		h('div', { class: 'form-actions' }, submit, cancel));
	if (roles.length === 1) {
		role.value = roles[0];
	}
	setPlacement();

	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clearErrors(form);
		const problems = [];
		const name = username.value.trim();
		if (!USERNAME_RE.test(name))
			problems.push({ field: 'username', i18n: name ? 'check.username' : 'check.required' });
		const pwLen = [...password.value].length;
		if (pwLen < 10 || pwLen > 128)
			problems.push({ field: 'password', i18n: password.value ? 'check.password' : 'check.required' });
		if (!role.value)
			problems.push({ field: 'role', i18n: 'check.choose' });
		else if (mode === 'unit' && picker && picker.problem())
			problems.push(picker.problem());
		else if (mode === 'facility' && !facSelect.value)
			problems.push({ field: 'facility', i18n: 'check.choose' });
		if (problems.length) {
			showChecks(form, problems);
			return;
		}
		const body = { username: name, password: password.value, role: role.value };
		if (mode === 'facility')
			body.facility = Number(facSelect.value);
		else
			body.unit = picker.value().code;
		submit.disabled = true;
		try {
			const r = await api('POST', '/users', { body });
			password.value = '';
			password.type = 'password';
			reveal.setAttribute('aria-pressed', 'false');
			username.value = '';
			onCreated(r.user);
		} catch (e) {
			showError(form, e);
		} finally {
			submit.disabled = false;
		}
	});
	return { form, cancel };
}

export async function render(main, ctx) {
	const me = ctx.me;
	const roleFilter = ROLE_NAMES.includes(ctx.query.get('role')) ? ctx.query.get('role') : '';
	const status = h('div', { class: 'status-area' });
	const filter = h('select', { id: 'users-role-filter' },
		h('option', { value: '', i18n: 'users.allRoles' }),
		ROLE_NAMES.map((r) => h('option', { value: r, i18n: 'role.' + r })));
	filter.value = roleFilter;
	filter.addEventListener('change', () => {
		location.hash = '#/users' + (filter.value ? '?role=' + filter.value : '');
	});
	const toolbar = h('div', { class: 'toolbar' },
		h('div', { class: 'toolbar-field' }, h('label', { for: 'users-role-filter', i18n: 'users.filterRole' }), filter));
	main.append(h('h1', { i18n: 'users.title' }), toolbar, status);

	const tbody = h('tbody', {});
	const count = h('p', { class: 'count' });
	const more = h('button', { type: 'button', class: 'btn', i18n: 'users.more', hidden: true });
	const table = h('table', { class: 'table table-stack', id: 'users-table' },
		h('thead', {}, h('tr', {},
			h('th', { scope: 'col', i18n: 'users.username' }),
			h('th', { scope: 'col', i18n: 'users.role' }),
			h('th', { scope: 'col', i18n: 'users.place' }),
			h('th', { scope: 'col', i18n: 'users.status' }),
			h('th', { scope: 'col', i18n: 'users.createdAt' }),
			h('th', { scope: 'col' }, h('span', { class: 'visually-hidden', i18n: 'users.actions' })))),
		tbody);
	const empty = h('p', { class: 'empty', i18n: 'users.empty', hidden: true });
	const listArea = h('div', {}, count, table, empty, h('div', { class: 'more' }, more));
	let offset = 0;
	let shown = 0;

	function actions(u, tr) {
		const cell = h('td', { class: 'actions', label: 'users.actions' });
		const history = h('a', { class: 'btn btn-small btn-link', href: `#/audit?entity=user&id=${u.id}`, i18n: 'users.history' });
		const self = u.id === me.id;
		const manageable = !self && (ROLES[u.role]?.rank ?? 9) <= ROLES[me.role].rank;
		function normal() {
			const btns = [];
			if (manageable) {
				const b = h('button', {
					type: 'button',
					class: u.active ? 'btn btn-small btn-danger' : 'btn btn-small',
					ariaLabel: u.active ? 'users.disableLabel' : 'users.enableLabel',
					args: { name: u.username },
				}, tx(u.active ? 'users.disable' : 'users.enable'));
				b.addEventListener('click', () => (u.active ? confirmDisable() : setActive(true)));
				btns.push(b);
			}
			cell.replaceChildren(history, ...btns);
		}
		function confirmDisable() {
			const yes = h('button', { type: 'button', class: 'btn btn-small btn-danger', i18n: 'users.disable' });
			const no = h('button', { type: 'button', class: 'btn btn-small', i18n: 'form.cancel' });
			yes.addEventListener('click', () => setActive(false));
			no.addEventListener('click', () => { normal(); cell.querySelector('button, a').focus(); });
			cell.replaceChildren(h('p', { class: 'confirm', i18n: 'users.confirmDisable', args: { name: u.username } }), yes, no);
			no.focus();
		}
		async function setActive(active) {
			for (const b of cell.querySelectorAll('button'))
				b.disabled = true;
			try {
				const r = await api('PATCH', '/users/' + u.id, { body: { active } });
				Object.assign(u, r.user);
				tr.replaceWith(userRow(u));
				notice(status, active ? 'users.enabledDone' : 'users.disabledDone', { name: u.username });
			} catch (e) {
				status.replaceChildren(errorBox(e));
				normal();
			}
		}
		normal();
		return cell;
	}

	function userRow(u) {
		const tr = h('tr', { 'data-username': u.username });
		tr.append(
			h('td', { label: 'users.username' }, h('strong', {}, u.username),
				u.id === me.id ? [' ', h('span', { class: 'muted', i18n: 'users.you' })] : null),
			h('td', { label: 'users.role', i18n: 'role.' + u.role }),
			placeCell(u),
			h('td', { label: 'users.status' }, statusBadge(u.active)),
			h('td', { label: 'users.createdAt', class: 'nowrap' }, u.created_at ? h('span', { time: u.created_at }) : '—'),
			actions(u, tr));
		return tr;
	}

	async function load(reset) {
		if (reset) {
			offset = 0;
			shown = 0;
			tbody.replaceChildren();
		}
		more.disabled = true;
		let r;
		try {
			r = await api('GET', '/users', { query: { role: roleFilter, limit: PAGE, offset } });
		} catch (e) {
			if (ctx.current())
				listArea.replaceChildren(errorBox(e));
			return;
		}
		if (!ctx.current())
			return;
		for (const u of r.users)
			tbody.appendChild(userRow(u));
		offset += r.users.length;
		shown += r.users.length;
		more.hidden = r.users.length < PAGE;
		more.disabled = false;
		table.hidden = shown === 0;
		empty.hidden = shown !== 0;
		count.replaceChildren(tx('users.count', { n: shown }));
	}
	more.addEventListener('click', () => load(false));

	const facilitiesP = api('GET', '/facilities', { query: { limit: 1000 } })
		.then((r) => r.facilities.filter((f) => f.active));
	// Facility names for the list come from here rather than one by one.
	await facilitiesP.then((list) => list.forEach(names.rememberFacility), () => {});
	if (!ctx.current())
		return;

	const panel = h('section', { class: 'card form-card', id: 'users-create', hidden: true, 'aria-labelledby': 'users-create-title' },
		h('h2', { id: 'users-create-title', i18n: 'users.createTitle' }));
	const open = h('button', { type: 'button', class: 'btn btn-primary', 'aria-expanded': 'false', 'aria-controls': 'users-create', i18n: 'users.create' });
	const { form, cancel } = createForm(ctx, facilitiesP, (u) => {
		toggle(false);
		notice(status, 'users.created', { name: u.username });
		load(true);
	});
	panel.append(form);
	const toggle = (show) => {
		panel.hidden = !show;
		open.setAttribute('aria-expanded', String(show));
		if (show)
			form.querySelector('input').focus();
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
	main.append(panel, listArea);
	await load(true);
}
