// Người dân: search the people registered inside the jurisdiction, add
// one, open a person's record with the personal QR and the doses, correct it, and the
// worklist of possible duplicates. Routes: #/citizens, #/citizens/{id},
// #/citizens/duplicates. Names searched for never go into the URL.
import { api, apiObjectUrl } from '../api.js';
import { clearErrors, errorBox, h, notice, showChecks, showError, tx } from '../dom.js';
import { t } from '../i18n.js';
import * as names from '../names.js';
import {
	changedFields, docText, flagBadges, fmtBirth, fmtPhone, genderText, personForm,
} from '../person.js';
import {
	canCorrectPeople, canCreateRegistrations, canRegisterPeople, scopeLevel, scopeUnit,
} from '../roles.js';
import { dosePanel } from '../site/doses.js';
import { unitPicker } from '../unitpicker.js';

const PAGE = 50;

// Kept while the page is open, so going back from a record shows the
// same results; never written to the URL or to storage.
const last = { q: '', offset: 0 };
let flash = null; // {key, args, kind} for the next render

function takeFlash(status) {
	if (flash) {
		notice(status, flash.key, flash.args, flash.kind || 'success');
		flash = null;
	}
}

function tabs(ctx, current) {
	if (!canCorrectPeople(ctx.me.role))
		return null;
	const tab = (key, href, name) => h('a', {
		class: 'tab', href, i18n: key, 'aria-current': current === name ? 'page' : null,
	});
	return h('nav', { class: 'tabs', ariaLabel: 'cit.tabs' },
		tab('cit.tabList', '#/citizens', 'list'),
		tab('cit.tabDuplicates', '#/citizens/duplicates', 'duplicates'));
}

function communeCell(code) {
	const span = h('span', {}, code || '—');
	if (code)
		names.unit(code).then((u) => { span.textContent = u.name_with_type; }, () => {});
	return span;
}

// A commune picker rooted at the user's jurisdiction (at the whole
// country for sites, which register walk-ins from anywhere), starting at
// the given commune when there is one.
async function communePicker(ctx, communeCode, anywhere = false, hint = 'cit.communeHint') {
	const me = ctx.me;
	const root = anywhere
		? { code: 'VN', name: t('country.vn'), level: 'country' }
		: { code: scopeUnit(me.scope), name: me.jurisdiction_name, level: scopeLevel(me.scope) };
	let initial;
	if (communeCode) {
		try {
			// asked directly: units cached from a list carry no path
			const { unit: u } = await api('GET', '/units/' + encodeURIComponent(communeCode));
			const segs = u.path.split('/');
			const from = segs.indexOf(root.code);
			initial = from >= 0 ? segs.slice(from + 1) : undefined;
		} catch (e) {
			initial = undefined;
		}
	}
	return unitPicker({
		root, name: 'commune_code', label: 'person.commune', hint,
		minLevel: 'commune', maxLevel: 'commune', initial,
	});
}

/* ---- the list ------------------------------------------------------------ */

function citizenRow(c) {
	return h('tr', { 'data-citizen': String(c.id) },
		h('td', { label: 'person.fullName' }, h('a', { href: `#/citizens/${c.id}`, class: 'strong-link' }, c.full_name)),
		h('td', { label: 'person.birthDate', class: 'nowrap' }, fmtBirth(c.birth_date)),
		h('td', { label: 'person.gender' }, genderText(c.gender)),
		h('td', { label: 'person.document' }, docText(c)),
		h('td', { label: 'person.commune' }, communeCell(c.commune_code)),
		h('td', { label: 'person.flags' }, h('span', { class: 'badges' }, flagBadges(c))));
}

async function createPanel(ctx, status) {
	const picker = await communePicker(ctx, null);
	const pf = personForm({
		staff: true,
		commune: picker.el,
		communeValue: () => picker.value().code,
		communeProblem: () => picker.problem(),
		submit: 'cit.create',
	});
	const panel = h('section', { class: 'card form-card', id: 'cit-create', hidden: true, 'aria-labelledby': 'cit-create-title' },
		h('h2', { id: 'cit-create-title', i18n: 'cit.createTitle' }), pf.form);
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
			flash = r.possible_duplicates
				? { key: 'cit.createdDup', args: { name: r.citizen.full_name }, kind: 'warning' }
				: { key: 'cit.created', args: { name: r.citizen.full_name } };
			location.hash = `#/citizens/${r.citizen.id}`;
		} catch (e) {
			pf.submit.disabled = false;
			showError(pf.form, e);
			if (e.existingId)
				existingLink(pf.form, e.existingId);
		}
	});
	return { panel, form: pf.form, cancel: pf.cancel };
}

// After a 409 on the document number: a way to the record on file.
function existingLink(form, id) {
	const box = form.querySelector('[data-field="id_number"]');
	const err = box && box.querySelector('.field-error');
	if (!err)
		return;
	err.after(h('p', { class: 'existing' },
		h('a', { href: `#/citizens/${id}`, i18n: 'cit.openExisting' })));
	form.addEventListener('input', () => form.querySelectorAll('.existing').forEach((x) => x.remove()), { once: true });
}

async function renderList(main, ctx) {
	const status = h('div', { class: 'status-area' });
	const q = h('input', { type: 'search', id: 'cit-q', autocomplete: 'off', spellcheck: 'false', maxlength: '200', placeholder: 'cit.searchPlaceholder' });
	q.value = last.q;
	const search = h('form', { class: 'search-form', role: 'search' },
		h('div', { class: 'toolbar-field' },
			h('label', { for: 'cit-q', i18n: 'cit.search' }),
			h('div', { class: 'input-row' }, q, h('button', { type: 'submit', class: 'btn btn-primary', i18n: 'cit.searchButton' }))),
		h('p', { class: 'hint', i18n: 'cit.searchHint' }));
	const toolbar = h('div', { class: 'toolbar' }, search);
	main.append(h('h1', { i18n: 'cit.title' }), tabs(ctx, 'list'), toolbar, status);
	takeFlash(status);

	const tbody = h('tbody', {});
	const count = h('p', { class: 'count', 'aria-live': 'polite' });
	const prev = h('button', { type: 'button', class: 'btn', i18n: 'cit.prev' });
	const next = h('button', { type: 'button', class: 'btn', i18n: 'cit.next' });
	const table = h('table', { class: 'table table-stack', id: 'cit-table' },
		h('thead', {}, h('tr', {},
			h('th', { scope: 'col', i18n: 'person.fullName' }),
			h('th', { scope: 'col', i18n: 'person.birthDate' }),
			h('th', { scope: 'col', i18n: 'person.gender' }),
			h('th', { scope: 'col', i18n: 'person.document' }),
			h('th', { scope: 'col', i18n: 'person.commune' }),
			h('th', { scope: 'col', i18n: 'person.flags' }))),
		tbody);
	const empty = h('p', { class: 'empty', hidden: true });
	const pager = h('div', { class: 'pager' }, prev, next);
	const listArea = h('div', {}, count, table, empty, pager);

	async function load() {
		prev.disabled = next.disabled = true;
		let r;
		try {
			r = await api('GET', '/citizens', { query: { q: last.q, limit: PAGE, offset: last.offset } });
		} catch (e) {
			if (ctx.current())
				listArea.replaceChildren(errorBox(e));
			return;
		}
		if (!ctx.current())
			return;
		tbody.replaceChildren(...r.citizens.map(citizenRow));
		const n = r.citizens.length;
		table.hidden = n === 0;
		empty.hidden = n !== 0;
		empty.dataset.i18n = last.q ? 'cit.noMatch' : 'cit.empty';
		empty.textContent = t(empty.dataset.i18n);
		const onePage = last.offset === 0 && n < PAGE;
		count.replaceChildren(!n ? ''
			: onePage ? tx('cit.count', { n })
				: tx('cit.range', { from: last.offset + 1, to: last.offset + n }));
		prev.disabled = last.offset === 0;
		next.disabled = n < PAGE;
		pager.hidden = last.offset === 0 && n < PAGE;
	}
	search.addEventListener('submit', (ev) => {
		ev.preventDefault();
		last.q = q.value.trim();
		last.offset = 0;
		status.replaceChildren();
		load();
	});
	prev.addEventListener('click', () => { last.offset = Math.max(0, last.offset - PAGE); load(); });
	next.addEventListener('click', () => { last.offset += PAGE; load(); });

	if (canRegisterPeople(ctx.me.role)) {
		const open = h('button', { type: 'button', class: 'btn btn-primary', 'aria-expanded': 'false', 'aria-controls': 'cit-create', i18n: 'cit.create' });
		toolbar.append(open);
		const { panel, form, cancel } = await createPanel(ctx, status);
		if (!ctx.current())
			return;
		const toggle = (show) => {
			panel.hidden = !show;
			open.setAttribute('aria-expanded', String(show));
			if (show)
				form.querySelector('input').focus();
			else
				open.focus();
		};
		open.addEventListener('click', () => { status.replaceChildren(); toggle(panel.hidden); });
		cancel.addEventListener('click', () => { clearErrors(form); toggle(false); });
		main.append(panel);
	}
	main.append(listArea);
	await load();
}

/* ---- one person ---------------------------------------------------------- */

// Putting the person down for vaccination; a person with an open
// registration is shown the way to it.
function registrationCard(c) {
	const status = h('div', { class: 'status-area' });
	const go = h('button', { type: 'button', class: 'btn btn-primary', id: 'cit-register', i18n: 'cit.regCreate' });
	const card = h('section', { class: 'card', 'aria-labelledby': 'cit-reg-title' },
		h('h2', { id: 'cit-reg-title', i18n: 'cit.regTitle' }),
		h('p', { class: 'hint', i18n: 'cit.regHint' }),
		status,
		h('div', { class: 'form-actions' }, go));
	go.addEventListener('click', async () => {
		go.disabled = true;
		status.replaceChildren();
		try {
			const r = await api('POST', '/registrations', { body: { citizen_id: c.id } });
			status.replaceChildren(h('div', { class: 'alert alert-success', role: 'status' },
				h('p', {}, tx('cit.regCreated', { name: c.full_name })),
				h('a', { href: `#/registrations/${r.registration.id}`, i18n: 'cit.regView' })));
			go.remove();
		} catch (e) {
			go.disabled = false;
			if (e.code === 'conflict' && e.existingId) {
				status.replaceChildren(h('div', { class: 'alert alert-info', role: 'status' },
					h('p', {}, tx('cit.regOpen')),
					h('a', { href: `#/registrations/${e.existingId}`, i18n: 'cit.regView' })));
				go.remove();
			} else {
				status.replaceChildren(errorBox(e));
			}
		}
	});
	return card;
}

function fact(key, ...value) {
	return [h('dt', { i18n: key }), h('dd', {}, ...value)];
}

function qrCard(ctx, c, status) {
	const img = h('img', { class: 'qr-img qr-img-staff', alt: t('portal.qrAlt', { name: c.full_name }), width: '240', height: '240' });
	const box = h('div', { class: 'qr-box qr-box-staff' }, img);
	const card = h('section', { class: 'card qr-staff', 'aria-labelledby': 'cit-qr-title' },
		h('h2', { id: 'cit-qr-title', i18n: 'portal.qrTitle' }), box,
		h('p', { class: 'hint', i18n: 'cit.qrHint' }));
	let url = null;
	async function load() {
		try {
			const u = await apiObjectUrl(`/citizens/${c.id}/qr.svg`);
			if (url)
				URL.revokeObjectURL(url);
			url = u;
			img.src = u;
		} catch (e) {
			box.replaceChildren(errorBox(e));
		}
	}
	// The image lives as long as the page shows it.
	window.addEventListener('hashchange', () => url && URL.revokeObjectURL(url), { once: true });
	if (canCorrectPeople(ctx.me.role)) {
		const rotate = h('button', { type: 'button', class: 'btn btn-small', i18n: 'cit.rotate' });
		const actions = h('div', { class: 'form-actions' }, rotate);
		rotate.addEventListener('click', () => {
			const yes = h('button', { type: 'button', class: 'btn btn-small btn-danger', i18n: 'cit.rotateYes' });
			const no = h('button', { type: 'button', class: 'btn btn-small', i18n: 'form.cancel' });
			no.addEventListener('click', () => { actions.replaceChildren(rotate); rotate.focus(); });
			yes.addEventListener('click', async () => {
				yes.disabled = no.disabled = true;
				try {
					await api('POST', `/citizens/${c.id}/qr/rotate`);
					notice(status, 'cit.rotated');
					await load();
				} catch (e) {
					status.replaceChildren(errorBox(e));
				}
				actions.replaceChildren(rotate);
			});
			actions.replaceChildren(h('p', { class: 'confirm', i18n: 'cit.rotateConfirm' }), yes, no);
			no.focus();
		});
		card.append(actions);
	}
	load();
	return card;
}

async function renderPerson(main, ctx, id) {
	const r = await api('GET', `/citizens/${encodeURIComponent(id)}`);
	if (!ctx.current())
		return;
	const c = r.citizen;
	const status = h('div', { class: 'status-area' });
	const facts = h('dl', { class: 'facts' },
		fact('person.birthDate', fmtBirth(c.birth_date)),
		fact('person.gender', genderText(c.gender)),
		fact('person.document', docText(c)),
		c.nationality && c.nationality !== 'VN' ? fact('person.nationality', c.nationality) : null,
		fact('person.phone', c.phone ? fmtPhone(c.phone) : '—'),
		fact('person.commune', communeCell(c.commune_code)),
		fact('person.address', c.address || '—'),
		fact('person.priority', c.priority_group ? tx('person.priorityN', { n: c.priority_group }) : '—'),
		c.guardian_id ? fact('person.guardian', h('a', { href: `#/citizens/${c.guardian_id}`, i18n: 'cit.openGuardian' })) : null,
		fact('person.verification', tx('verification.' + (c.verification === 'verified' ? 'verified' : 'unverified'))),
		fact('person.flags', (c.flags || []).length ? h('span', { class: 'badges' }, flagBadges(c)) : '—'),
		fact('person.source', tx('source.' + c.source)),
		fact('person.createdAt', h('span', { time: c.created_at })),
		fact('person.updatedAt', h('span', { time: c.updated_at }), ' · ', tx('cit.versionN', { n: c.version })));
	const details = h('section', { class: 'card', 'aria-labelledby': 'cit-facts' },
		h('h2', { id: 'cit-facts', i18n: 'cit.record' }), facts);
	main.append(
		h('p', { class: 'back' }, h('a', { href: '#/citizens', i18n: 'cit.back' })),
		h('h1', { 'data-citizen': String(c.id) }, c.full_name),
		status);
	takeFlash(status);
	main.append(h('div', { class: 'grid-person' }, details, qrCard(ctx, c, status)));
	const doses = dosePanel(c.id);
	main.append(doses.el);
	doses.load();
	if (canCreateRegistrations(ctx.me.role))
		main.append(registrationCard(c));

	if (!canCorrectPeople(ctx.me.role))
		return;
	const edit = h('button', { type: 'button', class: 'btn btn-primary', 'aria-expanded': 'false', 'aria-controls': 'cit-edit', i18n: 'cit.edit' });
	details.append(h('div', { class: 'form-actions' }, edit));
	const picker = await communePicker(ctx, c.commune_code);
	if (!ctx.current())
		return;
	const pf = personForm({
		staff: true, initial: c,
		commune: picker.el,
		communeValue: () => picker.value().code,
		communeProblem: () => picker.problem(),
		submit: 'form.save',
	});
	const panel = h('section', { class: 'card form-card', id: 'cit-edit', hidden: true, 'aria-labelledby': 'cit-edit-title' },
		h('h2', { id: 'cit-edit-title', i18n: 'cit.editTitle' }), pf.form);
	main.append(panel);
	const toggle = (show) => {
		panel.hidden = !show;
		edit.setAttribute('aria-expanded', String(show));
		if (show)
			pf.fullName.focus();
		else
			edit.focus();
	};
	edit.addEventListener('click', () => toggle(panel.hidden));
	pf.cancel.addEventListener('click', () => { clearErrors(pf.form); toggle(false); });
	pf.form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clearErrors(pf.form);
		const { body, problems } = pf.collect();
		if (problems.length) {
			showChecks(pf.form, problems);
			return;
		}
		const changes = changedFields(body, c);
		if (Object.keys(changes).length === 0) {
			showError(pf.form, { i18n: 'cit.noChanges' });
			return;
		}
		pf.submit.disabled = true;
		try {
			const r2 = await api('PATCH', `/citizens/${c.id}`, { body: { ...changes, version: c.version } });
			flash = { key: 'cit.saved', args: { name: r2.citizen.full_name } };
			window.dispatchEvent(new HashChangeEvent('hashchange'));
		} catch (e) {
			pf.submit.disabled = false;
			if (e.code === 'conflict' && e.field === 'version') {
				const reload = h('button', { type: 'button', class: 'btn btn-small', i18n: 'cit.reload' });
				reload.addEventListener('click', () => window.dispatchEvent(new HashChangeEvent('hashchange')));
				showError(pf.form, { i18n: 'cit.changedElsewhere' });
				pf.form.querySelector('.form-alert').append(reload);
			} else {
				showError(pf.form, e);
				if (e.existingId)
					existingLink(pf.form, e.existingId);
			}
		}
	});
}

/* ---- possible duplicates ------------------------------------------------- */

async function renderDuplicates(main, ctx) {
	main.append(h('h1', { i18n: 'cit.dupTitle' }), tabs(ctx, 'duplicates'),
		h('p', { class: 'muted', i18n: 'cit.dupIntro' }));
	const r = await api('GET', '/citizens/duplicates', { query: { limit: 200 } });
	if (!ctx.current())
		return;
	if (!r.duplicates.length) {
		main.append(h('p', { class: 'empty', i18n: 'cit.dupEmpty' }));
		return;
	}
	main.append(h('table', { class: 'table table-stack', id: 'dup-table' },
		h('thead', {}, h('tr', {},
			h('th', { scope: 'col', i18n: 'cit.dupRecord' }),
			h('th', { scope: 'col', i18n: 'cit.dupOther' }),
			h('th', { scope: 'col', i18n: 'cit.dupReason' }),
			h('th', { scope: 'col', i18n: 'cit.dupFound' }))),
		h('tbody', {}, r.duplicates.map((d) => h('tr', {},
			h('td', { label: 'cit.dupRecord' }, h('a', { href: `#/citizens/${d.citizen_id}`, i18n: 'cit.recordN', args: { n: String(d.citizen_id) } })),
			h('td', { label: 'cit.dupOther' }, h('a', { href: `#/citizens/${d.other_id}`, i18n: 'cit.recordN', args: { n: String(d.other_id) } })),
			h('td', { label: 'cit.dupReason', i18n: 'cit.dupReason.' + d.reason }),
			h('td', { label: 'cit.dupFound', class: 'nowrap' }, h('span', { time: d.found_at })))))));
}

export async function render(main, ctx) {
	const p = ctx.params[0];
	if (p === 'duplicates' && canCorrectPeople(ctx.me.role))
		return renderDuplicates(main, ctx);
	if (p && /^\d+$/.test(p))
		return renderPerson(main, ctx, p);
	return renderList(main, ctx);
}

// For the check-in page: the same picker and the 409 link.
export { communePicker, existingLink };
