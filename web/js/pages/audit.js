// Nhật ký: the audit trail inside the admin's jurisdiction, newest first,
// filtered by record kind and id (#/audit?entity=user&id=5).
import { api } from '../api.js';
import { clearErrors, errorBox, field, h, showChecks, tx } from '../dom.js';
import { has } from '../i18n.js';
import * as names from '../names.js';

const PAGE = 50;
const ENTITIES = ['user', 'facility', 'session', 'citizen', 'registration', 'vaccination_session', 'import'];

// Which keys of a record are worth showing, with their label.
const KEYS = {
	username: 'users.username',
	name: 'fac.name',
	role: 'users.role',
	kind: 'fac.kind',
	unit: 'fac.unit',
	facility: 'users.facility',
	address: 'fac.address',
	daily_capacity: 'fac.capacity',
	active: 'users.status',
	password_changed: 'audit.passwordChanged',
};

function value(entity, key, v) {
	if (v === null || v === undefined || v === '')
		return '—';
	if (key === 'role')
		return tx('role.' + v);
	if (key === 'kind')
		return tx('kind.' + v);
	if (key === 'active')
		return entity === 'facility' ? tx(v ? 'fac.active' : 'fac.closed') : tx(v ? 'users.active' : 'users.disabled');
	if (key === 'password_changed')
		return tx(v ? 'form.yes' : 'form.no');
	if (key === 'daily_capacity' && typeof v === 'number')
		return h('span', { num: v });
	if (key === 'unit' || key === 'facility')
		return named(key, v);
	return String(v);
}

// A unit code or facility id, shown by name once the name is known.
function named(key, v) {
	const span = h('span', {}, key === 'facility' ? '#' + v : String(v));
	const p = key === 'facility' ? names.facility(v).then((f) => f.name)
		: names.unit(v).then((u) => u.name_with_type);
	p.then((name) => { span.textContent = name; }, () => {});
	return span;
}

function changes(e) {
	const b = e.before && typeof e.before === 'object' ? e.before : null;
	const a = e.after && typeof e.after === 'object' ? e.after : null;
	const ul = h('ul', { class: 'changes' });
	for (const [k, label] of Object.entries(KEYS)) {
		const bv = b ? b[k] : undefined;
		const av = a ? a[k] : undefined;
		if (b && a) {
			if (JSON.stringify(bv) === JSON.stringify(av))
				continue;
			ul.appendChild(h('li', {}, tx(label), ': ', value(e.entity, k, bv), ' → ', value(e.entity, k, av)));
		} else if (a && av !== undefined && av !== null && k !== 'active' &&
		           !(k === 'daily_capacity' && av === 0)) {
			ul.appendChild(h('li', {}, tx(label), ': ', value(e.entity, k, av)));
		} else if (b && !a && bv !== undefined && bv !== null) {
			ul.appendChild(h('li', {}, tx(label), ': ', value(e.entity, k, bv)));
		}
	}
	return ul.children.length ? ul : h('span', { class: 'muted' }, '—');
}

// A translated word for a known action or entity, the raw one otherwise.
function known(prefix, word) {
	return has(prefix + word) ? h('span', { i18n: prefix + word }) : h('span', {}, word);
}

function entityCell(e) {
	const what = known('audit.entity.', e.entity);
	if (!e.entity_id || e.entity_id === '-')
		return h('td', { label: 'audit.entity' }, what);
	return h('td', { label: 'audit.entity' }, what, ' ',
		h('a', { href: `#/audit?entity=${encodeURIComponent(e.entity)}&id=${encodeURIComponent(e.entity_id)}` }, '#' + e.entity_id));
}

function entryRow(e) {
	return h('tr', {},
		h('td', { label: 'audit.at', class: 'nowrap' }, h('span', { time: e.at })),
		h('td', { label: 'audit.actor' }, e.actor_id === null
			? h('span', { class: 'muted' }, tx('audit.system'), ` (${e.actor})`)
			: e.actor),
		h('td', { label: 'audit.action' }, known('audit.action.', e.action)),
		entityCell(e),
		h('td', { label: 'audit.changes' }, changes(e)));
}

export async function render(main, ctx) {
	const q = ctx.query;
	const entity = ENTITIES.includes(q.get('entity')) ? q.get('entity') : '';
	const id = entity ? (q.get('id') || '') : '';

	const entitySel = h('select', {},
		h('option', { value: '', i18n: 'audit.entityAll' }),
		ENTITIES.map((en) => h('option', { value: en, i18n: 'audit.entity.' + en })));
	entitySel.value = entity;
	const idInput = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off', maxlength: '32', value: id });
	const form = h('form', { class: 'filters', novalidate: true, role: 'search' },
		field({ name: 'entity', label: 'audit.entity', input: entitySel }),
		field({ name: 'id', label: 'audit.id', input: idInput, class: 'field-narrow' }),
		h('div', { class: 'filter-actions' },
			h('button', { type: 'submit', class: 'btn btn-primary', i18n: 'audit.filter' }),
			entity ? h('a', { class: 'btn', href: '#/audit', i18n: 'audit.clear' }) : null));
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		clearErrors(form);
		const idv = idInput.value.trim();
		if (idv && !entitySel.value) {
			showChecks(form, [{ field: 'entity', i18n: 'err.invalid_parameter.entity' }]);
			return;
		}
		const qs = new URLSearchParams();
		if (entitySel.value)
			qs.set('entity', entitySel.value);
		if (idv)
			qs.set('id', idv);
		const next = '#/audit' + (qs.toString() ? '?' + qs : '');
		if (location.hash === next)
			window.dispatchEvent(new HashChangeEvent('hashchange'));
		else
			location.hash = next;
	});

	main.append(h('h1', { i18n: 'audit.title' }), form, h('p', { class: 'muted', i18n: 'audit.newest' }));

	const tbody = h('tbody', {});
	const more = h('button', { type: 'button', class: 'btn', i18n: 'audit.more', hidden: true });
	const table = h('table', { class: 'table table-stack', id: 'audit-table' },
		h('thead', {}, h('tr', {},
			h('th', { scope: 'col', i18n: 'audit.at' }),
			h('th', { scope: 'col', i18n: 'audit.actor' }),
			h('th', { scope: 'col', i18n: 'audit.action' }),
			h('th', { scope: 'col', i18n: 'audit.entity' }),
			h('th', { scope: 'col', i18n: 'audit.changes' }))),
		tbody);
	const empty = h('p', { class: 'empty', i18n: 'audit.empty', hidden: true });
	const listArea = h('div', {}, table, empty, h('div', { class: 'more' }, more));
	main.append(listArea);
	let offset = 0;

	async function load() {
		more.disabled = true;
		let r;
		try {
			r = await api('GET', '/audit', { query: { entity, id, limit: PAGE, offset } });
		} catch (e) {
			if (ctx.current())
				listArea.replaceChildren(errorBox(e));
			return;
		}
		if (!ctx.current())
			return;
		for (const e of r.entries)
			tbody.appendChild(entryRow(e));
		offset += r.entries.length;
		more.hidden = r.entries.length < PAGE;
		more.disabled = false;
		table.hidden = offset === 0;
		empty.hidden = offset !== 0;
	}
	more.addEventListener('click', load);
	await load();
}
