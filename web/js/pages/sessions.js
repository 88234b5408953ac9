// Buổi tiêm: the vaccination sessions at the sites inside the
// jurisdiction, by day and site, with the places booked; for the
// district centre and the offices a form to plan one, and per session
// the capacity, closing and reopening, and cancelling (which sends the
// people scheduled back to "allocated", each told by SMS). Sites read
// their own sessions. Route: #/sessions.
import { api } from '../api.js';
import { clearErrors, errorBox, field, h, notice, showChecks, showError, tx } from '../dom.js';
import { t, vnToday } from '../i18n.js';
import * as names from '../names.js';
import { fmtDay } from '../registration.js';
import { canPlanSessions } from '../roles.js';

const MAX_CAPACITY = 100000;
const LIST_LIMIT = 1000; // the server's most per page

// Kept while the page is open; never written to storage.
const last = { day: '', site: '' };

const BADGES = { open: 'badge-ok', closed: 'badge-warn', cancelled: 'badge-off' };

function statusBadge(status) {
	return h('span', { class: `badge ${BADGES[status] || 'badge-off'}`, 'data-status': status, i18n: 'ses.status.' + status });
}

async function loadChoices() {
	const [f, p] = await Promise.all([
		api('GET', '/facilities', { query: { kind: 'vaccination_site', limit: 1000 } }),
		api('GET', '/products'),
	]);
	for (const x of f.facilities)
		names.rememberFacility(x);
	return {
		sites: f.facilities.filter((x) => x.active),
		products: p.products,
		productName: new Map(p.products.map((x) => [x.code, x.name])),
	};
}

function places(s) {
	const full = s.available <= 0;
	return [
		h('strong', { class: 'places' }, `${s.booked} / ${s.capacity}`),
		h('div', { class: full ? 'places-left is-full' : 'places-left' },
			s.status === 'cancelled' ? null : tx(full ? 'ses.full' : 'ses.left', { n: s.available })),
	];
}

/* ---- planning a session ---------------------------------------------------- */

function createForm(choices, onCreated) {
	const today = vnToday();
	const site = h('select', {},
		h('option', { value: '', i18n: 'ses.chooseSite' }),
		choices.sites.map((f) => h('option', { value: String(f.id) }, f.name)));
	const day = h('input', { type: 'date', min: today, value: today });
	const starts = h('input', { type: 'time', value: '07:30', step: '300' });
	const ends = h('input', { type: 'time', value: '11:30', step: '300' });
	const product = h('select', {},
		h('option', { value: '', i18n: 'ses.chooseProduct' }),
		choices.products.filter((p) => p.active).map((p) => h('option', { value: p.code }, p.name)));
	const capacity = h('input', { type: 'number', min: '1', max: String(MAX_CAPACITY), step: '1', inputmode: 'numeric' });
	const capField = field({ name: 'capacity', label: 'ses.capacity', input: capacity, hint: 'ses.capacityHint', required: true, class: 'field-narrow' });
	site.addEventListener('change', () => {
		const f = choices.sites.find((x) => String(x.id) === site.value);
		const hint = capField.querySelector('.hint');
		hint.dataset.i18n = f && f.daily_capacity ? 'ses.capacitySite' : 'ses.capacityHint';
		hint.dataset.i18nArgs = JSON.stringify({ n: f ? f.daily_capacity : 0 });
		hint.textContent = t(hint.dataset.i18n, { n: f ? f.daily_capacity : 0 });
		if (f && f.daily_capacity && !capacity.value)
			capacity.value = String(f.daily_capacity);
	});
	const submit = h('button', { type: 'submit', class: 'btn btn-primary', i18n: 'ses.createSubmit' });
	const cancel = h('button', { type: 'button', class: 'btn', i18n: 'form.cancel' });
	const form = h('form', { class: 'form ses-form', novalidate: true },
		field({ name: 'site_id', label: 'ses.site', input: site, required: true }),
		field({ name: 'day', label: 'ses.day', input: day, hint: 'ses.dayHint', required: true, class: 'field-narrow' }),
		h('div', { class: 'field-pair' },
			field({ name: 'starts', label: 'ses.starts', input: starts, required: true, class: 'field-narrow' }),
			field({ name: 'ends', label: 'ses.ends', input: ends, required: true, class: 'field-narrow' })),
		field({ name: 'product', label: 'ses.product', input: product, required: true }),
		capField,
		h('div', { class: 'form-actions' }, submit, cancel));
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clearErrors(form);
		const problems = [];
		if (!site.value)
			problems.push({ field: 'site_id', i18n: 'check.choose' });
		if (!day.value)
			problems.push({ field: 'day', i18n: day.validity.badInput ? 'check.day' : 'check.required' });
		else if (day.value < vnToday())
			problems.push({ field: 'day', i18n: 'check.dayPast' });
		if (!starts.value)
			problems.push({ field: 'starts', i18n: 'check.required' });
		if (!ends.value)
			problems.push({ field: 'ends', i18n: 'check.required' });
		else if (starts.value && ends.value <= starts.value)
			problems.push({ field: 'ends', i18n: 'check.endsAfter' });
		if (!product.value)
			problems.push({ field: 'product', i18n: 'check.choose' });
		const cap = Number(capacity.value);
		if (capacity.value === '' || !Number.isInteger(cap) || cap < 1 || cap > MAX_CAPACITY)
			problems.push({ field: 'capacity', i18n: 'check.sessionCapacity' });
		if (problems.length) {
			showChecks(form, problems);
			return;
		}
		submit.disabled = true;
		try {
			const r = await api('POST', '/sessions', {
				body: {
					site_id: Number(site.value), day: day.value, starts: starts.value.slice(0, 5),
					ends: ends.value.slice(0, 5), product: product.value, capacity: cap,
				},
			});
			capacity.value = '';
			onCreated(r.session);
		} catch (e) {
			showError(form, e);
		} finally {
			submit.disabled = false;
		}
	});
	return { form, cancel, site };
}

/* ---- changing a session ----------------------------------------------------- */

// A form in a row of its own under the session's row.
function rowForm(tr, cols, build) {
	const next = tr.nextElementSibling;
	if (next && next.classList.contains('row-form'))
		next.remove();
	const cell = h('td', { colspan: String(cols) });
	const row = h('tr', { class: 'row-form' }, cell);
	tr.after(row);
	build(cell, () => row.remove());
	const first = cell.querySelector('input, select, button');
	if (first)
		first.focus();
}

function capacityForm(s, done) {
	return (cell, close) => {
		const input = h('input', { type: 'number', min: String(Math.max(1, s.booked)), max: String(MAX_CAPACITY), step: '1', inputmode: 'numeric', value: String(s.capacity) });
		const save = h('button', { type: 'submit', class: 'btn btn-primary', i18n: 'form.save' });
		const back = h('button', { type: 'button', class: 'btn', i18n: 'reg.close', on: { click: close } });
		const form = h('form', { class: 'form inline-form', novalidate: true },
			field({ name: 'capacity', label: 'ses.newCapacity', input, hint: 'ses.newCapacityHint', hintArgs: { n: s.booked }, class: 'field-narrow' }),
			h('div', { class: 'form-actions' }, save, back));
		form.addEventListener('submit', async (ev) => {
			ev.preventDefault();
			clearErrors(form);
			const cap = Number(input.value);
			if (input.value === '' || !Number.isInteger(cap) || cap < 1 || cap > MAX_CAPACITY) {
				showChecks(form, [{ field: 'capacity', i18n: 'check.sessionCapacity' }]);
				return;
			}
			if (cap < s.booked) {
				showChecks(form, [{ field: 'capacity', i18n: 'ses.belowBooked' }]);
				return;
			}
			save.disabled = true;
			try {
				const r = await api('PATCH', `/sessions/${s.id}`, { body: { capacity: cap } });
				done(r, 'capacity');
			} catch (e) {
				save.disabled = false;
				showError(form, e);
			}
		});
		cell.append(form);
	};
}

function cancelForm(s, done) {
	return (cell, close) => {
		const input = h('input', { type: 'text', maxlength: '500', autocomplete: 'off' });
		const yes = h('button', { type: 'submit', class: 'btn btn-danger', i18n: 'ses.cancelYes' });
		const back = h('button', { type: 'button', class: 'btn', i18n: 'reg.close', on: { click: close } });
		const form = h('form', { class: 'form inline-form', novalidate: true },
			h('p', { class: 'confirm' }, tx(s.booked ? 'ses.cancelWarn' : 'ses.cancelEmpty', { n: s.booked })),
			field({ name: 'reason', label: 'reg.reason', input, hint: 'ses.reasonHint', required: true }),
			h('div', { class: 'form-actions' }, yes, back));
		form.addEventListener('submit', async (ev) => {
			ev.preventDefault();
			clearErrors(form);
			const reason = input.value.trim();
			if (reason.length < 3) {
				showChecks(form, [{ field: 'reason', i18n: reason ? 'check.reason' : 'check.required' }]);
				return;
			}
			yes.disabled = true;
			try {
				const r = await api('PATCH', `/sessions/${s.id}`, { body: { status: 'cancelled', reason } });
				done(r, 'cancelled');
			} catch (e) {
				yes.disabled = false;
				showError(form, e);
			}
		});
		cell.append(form);
	};
}

/* ---- the page ------------------------------------------------------------------ */

export async function render(main, ctx) {
	const planner = canPlanSessions(ctx.me.role);
	const status = h('div', { class: 'status-area' });
	main.append(h('h1', { i18n: 'ses.title' }),
		h('p', { class: 'muted', i18n: planner ? 'ses.intro' : 'ses.introSite' }));
	const choices = await loadChoices();
	if (!ctx.current())
		return;

	const dayInput = h('input', { type: 'date' });
	dayInput.value = last.day;
	const siteSel = h('select', {},
		h('option', { value: '', i18n: 'ses.allSites' }),
		choices.sites.map((f) => h('option', { value: String(f.id) }, f.name)));
	siteSel.value = last.site;
	const filters = h('form', { class: 'filters', novalidate: true, role: 'search', ariaLabel: 'ses.filters' },
		field({ name: 'date', label: 'ses.day', input: dayInput, hint: 'ses.dayFilterHint', class: 'field-narrow' }),
		choices.sites.length > 1 ? field({ name: 'site', label: 'ses.site', input: siteSel }) : null,
		h('div', { class: 'filter-actions' },
			h('button', { type: 'submit', class: 'btn btn-primary', i18n: 'reg.filter' }),
			h('button', {
				type: 'button', class: 'btn', i18n: 'ses.upcoming',
				on: { click: () => { dayInput.value = ''; siteSel.value = ''; filters.requestSubmit(); } },
			})));
	main.append(filters);

	const tbody = h('tbody', {});
	const count = h('p', { class: 'count', 'aria-live': 'polite' });
	const cols = planner ? 6 : 5;
	const table = h('table', { class: 'table table-stack ses-table', id: 'ses-table' },
		h('thead', {}, h('tr', {},
			h('th', { scope: 'col', i18n: 'ses.when' }),
			h('th', { scope: 'col', i18n: 'ses.site' }),
			h('th', { scope: 'col', i18n: 'ses.product' }),
			h('th', { scope: 'col', class: 'num wrap', i18n: 'ses.booked' }),
			h('th', { scope: 'col', i18n: 'reg.statusCol' }),
			planner ? h('th', { scope: 'col', i18n: 'users.actions' }) : null)),
		tbody);
	const empty = h('p', { class: 'empty', hidden: true });
	const cut = h('p', { class: 'hint', hidden: true, i18n: 'ses.cut', args: { n: LIST_LIMIT } });
	const listArea = h('div', {}, count, table, empty, cut);

	function changed(s, r, what) {
		const args = { day: fmtDay(s.day), starts: s.starts, site: s.site_name, n: r.unscheduled || 0 };
		if (what === 'cancelled')
			notice(status, r.unscheduled ? 'ses.cancelled' : 'ses.cancelledEmpty', args,
				r.unscheduled ? 'warning' : 'success');
		else
			notice(status, 'ses.changed.' + what, { ...args, capacity: r.session.capacity });
		load();
	}

	function actions(s) {
		if (s.status === 'cancelled')
			return h('td', { class: 'actions', label: 'users.actions' }, h('span', { class: 'muted' }, '—'));
		const box = h('div', { class: 'row-actions' });
		const td = h('td', { class: 'actions', label: 'users.actions' }, box);
		const btn = (key, fn, cls) => h('button', {
			type: 'button', class: ['btn', 'btn-small', cls], i18n: key, ariaLabel: key + 'Label',
			args: { day: fmtDay(s.day), starts: s.starts, site: s.site_name },
			on: { click: fn },
		});
		const toggle = async (next, b) => {
			b.disabled = true;
			try {
				const r = await api('PATCH', `/sessions/${s.id}`, { body: { status: next } });
				changed(s, r, next);
			} catch (e) {
				b.disabled = false;
				status.replaceChildren(errorBox(e));
			}
		};
		box.append(
			btn('ses.changeCapacity', () => rowForm(td.parentElement, cols, capacityForm(s, (r, w) => changed(s, r, w)))),
			s.status === 'open'
				? btn('ses.close', (ev) => toggle('closed', ev.currentTarget))
				: btn('ses.reopen', (ev) => toggle('open', ev.currentTarget)),
			btn('ses.cancel', () => rowForm(td.parentElement, cols, cancelForm(s, (r, w) => changed(s, r, w))), 'btn-danger'));
		return td;
	}

	function sessionRow(s) {
		return h('tr', { 'data-session': String(s.id), 'data-status': s.status, class: s.status === 'cancelled' ? 'is-cancelled' : null },
			h('td', { label: 'ses.when', class: 'nowrap' },
				h('strong', {}, fmtDay(s.day)),
				s.day === vnToday() ? [' ', h('span', { class: 'badge badge-info', i18n: 'ses.today' })] : null,
				h('div', { class: 'ses-time' }, `${s.starts}–${s.ends}`)),
			h('td', { label: 'ses.site', class: 'site' }, s.site_name),
			h('td', { label: 'ses.product' }, choices.productName.get(s.product) || s.product),
			h('td', { label: 'ses.booked', class: 'num' }, places(s)),
			h('td', { label: 'reg.statusCol' }, statusBadge(s.status)),
			planner ? actions(s) : null);
	}

	async function load() {
		let r;
		try {
			r = await api('GET', '/sessions', { query: { date: last.day, site: last.site, limit: LIST_LIMIT } });
		} catch (e) {
			if (ctx.current())
				listArea.replaceChildren(errorBox(e));
			return;
		}
		if (!ctx.current())
			return;
		// Without a day: from today on (the list starts with the oldest).
		const today = vnToday();
		const list = last.day ? r.sessions : r.sessions.filter((s) => s.day >= today);
		tbody.replaceChildren(...list.map(sessionRow));
		table.hidden = list.length === 0;
		empty.hidden = list.length !== 0;
		empty.dataset.i18n = last.day ? 'ses.emptyDay' : 'ses.empty';
		empty.textContent = t(empty.dataset.i18n);
		count.replaceChildren(list.length ? tx(last.day ? 'ses.countDay' : 'ses.count', { n: list.length }) : '');
		cut.hidden = r.sessions.length < LIST_LIMIT;
	}

	filters.addEventListener('submit', (ev) => {
		ev.preventDefault();
		clearErrors(filters);
		if (dayInput.validity.badInput) {
			showChecks(filters, [{ field: 'date', i18n: 'check.day' }]);
			return;
		}
		last.day = dayInput.value;
		last.site = siteSel.value;
		status.replaceChildren();
		load();
	});

	if (planner) {
		const open = h('button', { type: 'button', class: 'btn btn-primary', 'aria-expanded': 'false', 'aria-controls': 'ses-create', i18n: 'ses.create' });
		const panel = h('section', { class: 'card form-card', id: 'ses-create', hidden: true, 'aria-labelledby': 'ses-create-title' },
			h('h2', { id: 'ses-create-title', i18n: 'ses.createTitle' }));
		const toggle = (show) => {
			panel.hidden = !show;
			open.setAttribute('aria-expanded', String(show));
			if (show)
				panel.querySelector('select').focus();
			else
				open.focus();
		};
		const { form, cancel } = createForm(choices, (s) => {
			toggle(false);
			notice(status, 'ses.created', { day: fmtDay(s.day), starts: s.starts, ends: s.ends, site: s.site_name });
			load();
		});
		panel.append(form);
		open.addEventListener('click', () => { status.replaceChildren(); toggle(panel.hidden); });
		cancel.addEventListener('click', () => { clearErrors(form); toggle(false); });
		if (!choices.sites.length)
			open.disabled = true;
		main.append(h('div', { class: 'toolbar' }, open,
			choices.sites.length ? null : h('p', { class: 'hint', i18n: 'ses.noSites' })), panel);
	}
	main.append(status, listArea);
	await load();
}
