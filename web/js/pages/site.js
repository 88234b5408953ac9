// Buổi tiêm hôm nay: the work page of a vaccination site, tablet first
// (docs/visits.md). Choose today's session at the site, then:
//   #/site/{session}              the queue, each person at their step
//   #/site/{session}/scan         check-in: camera QR reader and the box a
//                                 hardware scanner types into
//   #/site/{session}/watch        the observation list with its timers
//   #/site/{session}/visit/{id}   one person: screening, injection,
//                                 observation and adverse events, history
// Site staff and managers work at their own site; the district centre and
// the offices above choose a site of their jurisdiction.
import { api } from '../api.js';
import { clearErrors, errorBox, field, fold, h, notice, replace, showChecks, showError, tx } from '../dom.js';
import { fmtTime, t, vnToday } from '../i18n.js';
import * as names from '../names.js';
import { fmtBirth } from '../person.js';
import { fmtDay } from '../registration.js';
import { canPlanSessions } from '../roles.js';
import { loadProducts, productName } from '../stock.js';
import { aefiDone, aefiForm } from '../site/aefi.js';
import { cameraReader } from '../site/camera.js';
import {
	ageOn, countdown, every, fmtCountdown, rememberGender, stepBadge, stepOf,
} from '../site/common.js';
import { dosePanel } from '../site/doses.js';
import { doseDone, injectionForm } from '../site/injection.js';
import { loadChecklist, outcomeBox, screeningForm } from '../site/screening.js';

const REFRESH_MS = 20000; // the queue and the observation list reread
const SITE_ROLES = ['site_staff', 'site_manager'];

// Kept while the page is open, per user; never stored.
const last = { user: null, site: '', filter: 'all', q: '' };

function sessionUrl(sid, sub) {
	return `#/site/${sid}${sub ? '/' + sub : ''}`;
}

function visitUrl(sid, vid) {
	return `#/site/${sid}/visit/${vid}`;
}

function go(url) {
	location.hash = url;
}

/* ---- choosing today's session --------------------------------------------- */

function sessionCard(s, prods) {
	const open = s.status === 'open';
	return h('a', { class: ['session-card', open ? null : 'is-off'], href: sessionUrl(s.id), 'data-session': String(s.id) },
		h('span', { class: 'session-time' }, `${s.starts}–${s.ends}`),
		h('span', { class: 'session-site' }, s.site_name),
		h('span', { class: 'session-product' }, productName(prods, s.product)),
		h('span', { class: 'session-places' }, tx('site.places', { booked: s.booked, capacity: s.capacity })),
		open ? null : h('span', { class: 'badge badge-warn', i18n: 'ses.status.' + s.status }));
}

async function renderChooser(main, ctx) {
	const me = ctx.me;
	const today = vnToday();
	main.append(h('h1', { i18n: 'site.title' }),
		h('p', { class: 'lead' }, tx('site.today', { day: fmtDay(today) })));
	const prods = await loadProducts();
	let siteId = '';
	let picker = null;
	if (SITE_ROLES.includes(me.role)) {
		siteId = String(me.facility || '');
	} else {
		const r = await api('GET', '/facilities', { query: { kind: 'vaccination_site', limit: 1000 } });
		if (!ctx.current())
			return;
		const sites = r.facilities.filter((f) => f.active);
		for (const f of sites)
			names.rememberFacility(f);
		if (!sites.length) {
			main.append(h('p', { class: 'empty', i18n: 'site.noSites' }));
			return;
		}
		const pick = h('select', {},
			h('option', { value: '', i18n: 'ses.chooseSite' }),
			sites.map((f) => h('option', { value: String(f.id) }, f.name)));
		if (sites.some((f) => String(f.id) === last.site))
			pick.value = last.site;
		else if (sites.length === 1)
			pick.value = String(sites[0].id);
		main.append(h('div', { class: 'toolbar' }, field({ name: 'site', label: 'site.site', input: pick, class: 'toolbar-field' })));
		pick.addEventListener('change', () => {
			last.site = pick.value;
			list();
		});
		picker = pick;
	}
	const area = h('div', { class: 'session-list', 'aria-live': 'polite' });
	main.append(area);

	async function list() {
		const site = picker ? picker.value : siteId;
		if (!site) {
			area.replaceChildren(h('p', { class: 'empty', i18n: 'site.chooseSiteFirst' }));
			return;
		}
		area.replaceChildren(h('p', { class: 'muted', i18n: 'loading' }));
		let r;
		try {
			r = await api('GET', '/sessions', { query: { site, date: today } });
		} catch (e) {
			if (ctx.current())
				area.replaceChildren(errorBox(e));
			return;
		}
		if (!ctx.current())
			return;
		const list = r.sessions.filter((s) => s.day === today && s.status !== 'cancelled');
		if (!list.length) {
			area.replaceChildren(h('p', { class: 'empty', i18n: 'site.noSession' }),
				canPlanSessions(me.role) ? h('p', {}, h('a', { href: '#/sessions', i18n: 'site.planOne' })) : null);
			return;
		}
		area.replaceChildren(h('h2', { i18n: 'site.chooseSession' }), h('div', { class: 'session-cards' }, list.map((s) => sessionCard(s, prods))));
	}
	await list();
}

/* ---- the session's header and tabs ------------------------------------------ */

function sessionHead(main, s, prods, current) {
	const tab = (key, sub, name) => h('a', {
		class: 'tab', href: sessionUrl(s.id, sub), i18n: key, 'data-tab': name,
		'aria-current': current === name ? 'page' : null,
	});
	main.append(
		h('div', { class: 'site-head' },
			h('div', {},
				h('h1', { i18n: 'site.title' }),
				h('p', { class: 'site-session', 'data-session': String(s.id) },
					h('strong', {}, s.site_name), ' · ', fmtDay(s.day), ' ', `${s.starts}–${s.ends}`, ' · ',
					productName(prods, s.product), ' · ', tx('site.places', { booked: s.booked, capacity: s.capacity }),
					s.status !== 'open' ? [' ', h('span', { class: 'badge badge-warn', i18n: 'ses.status.' + s.status })] : null)),
			h('a', { class: 'btn btn-small', href: '#/site', i18n: 'site.change' })),
		h('nav', { class: 'tabs site-tabs', ariaLabel: 'site.tabs' },
			tab('site.tab.queue', '', 'queue'),
			tab('site.tab.scan', 'scan', 'scan'),
			tab('site.tab.watch', 'watch', 'watch')));
}

/* ---- opening a visit ----------------------------------------------------------- */

// POST /visits; the answer, or {existing: id} when the person already
// has an open visit in the session. Throws other errors.
async function openVisit(citizenId, sid) {
	try {
		const r = await api('POST', '/visits', { body: { citizen_id: citizenId, session_id: Number(sid) } });
		return { visit: r.visit };
	} catch (e) {
		if (e.code === 'conflict' && e.existingId)
			return { existing: e.existingId };
		throw e;
	}
}

/* ---- the queue ------------------------------------------------------------------ */

const FILTERS = {
	all: () => true,
	waiting: (st) => st === 'waiting',
	screen: (st) => st === 'screen' || st === 'consent',
	inject: (st) => st === 'inject',
	observe: (st) => st === 'observe',
	done: (st) => ['done', 'postponed', 'referred', 'cancelled'].includes(st),
};

async function renderQueue(main, ctx, sid) {
	const [q, prods] = await Promise.all([api('GET', `/sessions/${sid}/queue`), loadProducts()]);
	if (!ctx.current())
		return;
	sessionHead(main, q.session, prods, 'queue');
	const status = h('div', { class: 'status-area', 'aria-live': 'polite' });
	const search = h('input', { type: 'search', maxlength: '100', autocomplete: 'off', spellcheck: 'false', value: last.q, placeholder: 'site.queue.search' });
	search.setAttribute('aria-label', t('site.queue.search'));
	const chips = h('div', { class: 'chips', role: 'group', ariaLabel: 'site.queue.filter' });
	const listEl = h('ul', { class: 'queue', id: 'queue' });
	const empty = h('p', { class: 'empty', hidden: true });
	const refreshed = h('p', { class: 'hint queue-refreshed' });
	const reload = h('button', { type: 'button', class: 'btn btn-small', i18n: 'site.refresh' });
	main.append(status,
		h('div', { class: 'queue-tools' }, search, h('a', { class: 'btn btn-primary btn-large', href: sessionUrl(sid, 'scan'), i18n: 'site.queue.scan' })),
		chips, listEl, empty, h('div', { class: 'queue-foot' }, refreshed, reload));
	let people = q.people;

	function row(p) {
		const v = p.visit;
		const st = stepOf(v);
		const age = ageOn(p.birth_date);
		let action;
		if (!v) {
			action = h('button', { type: 'button', class: 'btn btn-primary btn-large', i18n: 'site.queue.checkIn' });
			action.addEventListener('click', async () => {
				action.disabled = true;
				try {
					const r = await openVisit(p.citizen_id, sid);
					go(visitUrl(sid, r.visit ? r.visit.id : r.existing));
				} catch (e) {
					action.disabled = false;
					status.replaceChildren(errorBox(e));
				}
			});
		} else {
			action = h('a', { class: ['btn', 'btn-large', ['screen', 'inject', 'consent'].includes(st) ? 'btn-primary' : null], href: visitUrl(sid, v.id), i18n: 'site.queue.open.' + st });
		}
		return h('li', { class: 'queue-row', 'data-citizen': String(p.citizen_id), 'data-step': st },
			h('div', { class: 'queue-who' },
				h('span', { class: 'queue-name' }, p.full_name),
				h('span', { class: 'queue-birth' }, fmtBirth(p.birth_date),
					age !== null ? [' · ', tx('site.age', { n: age })] : null)),
			h('div', { class: 'queue-step' }, stepBadge(st),
				v && v.walk_in ? h('span', { class: 'badge badge-off', i18n: 'site.walkIn' }) : null,
				st === 'observe' ? countdown(v.observe_seconds_left).el : null),
			h('div', { class: 'queue-action' }, action));
	}

	function draw() {
		const counts = {};
		for (const name of Object.keys(FILTERS))
			counts[name] = people.filter((p) => FILTERS[name](stepOf(p.visit))).length;
		chips.replaceChildren(...Object.keys(FILTERS).map((name) => {
			const b = h('button', {
				type: 'button', class: 'chip', 'data-filter': name, 'aria-pressed': String(last.filter === name),
			}, tx('site.filter.' + name), ' ', h('span', { class: 'chip-n' }, String(counts[name])));
			b.addEventListener('click', () => { last.filter = name; draw(); });
			return b;
		}));
		const needle = fold(last.q.trim());
		const shown = people
			.filter((p) => FILTERS[last.filter](stepOf(p.visit)))
			.filter((p) => !needle || fold(p.full_name).includes(needle));
		listEl.replaceChildren(...shown.map(row));
		empty.hidden = shown.length > 0;
		empty.replaceChildren(tx(people.length ? 'site.queue.noneHere' : 'site.queue.empty'));
		refreshed.replaceChildren(tx('site.refreshedAt', { at: fmtTime(new Date().toISOString()).split(' ')[1] }));
	}

	async function refresh() {
		try {
			const r = await api('GET', `/sessions/${sid}/queue`);
			if (!ctx.current())
				return;
			people = r.people;
			draw();
		} catch (e) {
			if (ctx.current())
				status.replaceChildren(errorBox(e));
		}
	}
	search.addEventListener('input', () => { last.q = search.value; draw(); });
	reload.addEventListener('click', () => { status.replaceChildren(); refresh(); });
	draw();
	every(REFRESH_MS, ctx.current, refresh);
}

/* ---- check-in: scanning ------------------------------------------------------------ */

async function renderScan(main, ctx, sid) {
	const [s, prods] = await Promise.all([api('GET', `/sessions/${sid}`), loadProducts()]);
	if (!ctx.current())
		return;
	const session = s.session;
	sessionHead(main, session, prods, 'scan');
	const input = h('input', {
		type: 'text', id: 'scan-input', class: 'ck-input', autocomplete: 'off', spellcheck: 'false',
		autocapitalize: 'none', enterkeyhint: 'go', maxlength: '2000',
	});
	const form = h('form', { class: 'ck-scan', role: 'search', novalidate: true },
		h('label', { for: 'scan-input', class: 'ck-label', i18n: 'site.scan.label' }),
		h('div', { class: 'input-row ck-row' }, input, h('button', { type: 'submit', class: 'btn btn-primary btn-large', i18n: 'site.scan.go' })),
		h('p', { class: 'hint', id: 'scan-hint', i18n: 'site.scan.hint' }));
	input.setAttribute('aria-describedby', 'scan-hint');
	const result = h('div', { class: 'scan-result', id: 'scan-result', 'aria-live': 'polite' });
	let seq = 0;
	const refocus = () => input.focus({ preventScroll: true });

	function personLine(c) {
		const age = ageOn(c.birth_date);
		return h('p', { class: 'scan-person' }, h('strong', { class: 'scan-name' }, c.full_name), ' · ', fmtBirth(c.birth_date),
			age !== null ? [' · ', tx('site.age', { n: age })] : null);
	}

	function opened(c, r) {
		if (r.existing) {
			return h('div', { class: 'alert alert-info', role: 'status' }, personLine(c),
				h('p', { i18n: 'site.scan.already' }),
				h('a', { class: 'btn btn-primary btn-large', href: visitUrl(sid, r.existing), i18n: 'site.scan.openVisit' }));
		}
		const v = r.visit;
		return h('div', { class: 'alert alert-success scan-done', role: 'status', 'data-visit': String(v.id) },
			h('p', { class: 'ck-banner-line' }, h('span', { class: 'ck-tick', 'aria-hidden': 'true' }, '✓ '),
				tx(v.walk_in ? 'site.scan.doneWalkIn' : 'site.scan.done')),
			personLine(c),
			h('a', { class: 'btn btn-primary btn-large', href: visitUrl(sid, v.id), i18n: 'site.scan.toScreening' }));
	}

	async function admit(mine, c) {
		try {
			const r = await openVisit(c.id, sid);
			if (mine === seq && ctx.current())
				result.replaceChildren(opened(c, r));
		} catch (e) {
			if (mine === seq && ctx.current())
				result.replaceChildren(h('div', {}, personLine(c), errorBox(e)));
		}
	}

	async function handle(text) {
		const mine = ++seq;
		result.replaceChildren(h('p', { class: 'muted', i18n: 'loading' }));
		let r;
		try {
			r = await api('POST', '/checkin', { body: { qr: text } });
		} catch (e) {
			if (mine === seq && ctx.current())
				result.replaceChildren(errorBox(e));
			return;
		}
		if (mine !== seq || !ctx.current())
			return;
		if (!r.found) {
			result.replaceChildren(h('div', { class: 'alert alert-warning', role: 'status' },
				h('p', {}, r.card ? tx('ck.unknownCard', { name: r.card.full_name }) : tx('site.scan.unknown')),
				h('a', { class: 'btn btn-large', href: '#/checkin', i18n: 'site.scan.register' })));
			return;
		}
		const c = r.citizen;
		rememberGender(c.id, c.gender);
		const appt = r.appointment_today;
		if (appt && String(appt.session_id) === String(sid)) {
			await admit(mine, c);
			return;
		}
		// Not booked into this session: a walk-in takes a place; ask first.
		const yes = h('button', { type: 'button', class: 'btn btn-primary btn-large', id: 'scan-walkin', i18n: 'site.scan.walkInYes' });
		const no = h('button', { type: 'button', class: 'btn btn-large', i18n: 'form.cancel' });
		yes.addEventListener('click', async () => { yes.disabled = no.disabled = true; await admit(mine, c); });
		no.addEventListener('click', () => { result.replaceChildren(); refocus(); });
		result.replaceChildren(h('div', { class: 'alert alert-info scan-walkin', role: 'status' },
			personLine(c),
			appt
				? h('p', {}, tx('site.scan.otherSession', { site: appt.site_name, starts: appt.starts, ends: appt.ends }))
				: h('p', { i18n: 'site.scan.noAppointment' }),
			h('p', {}, tx('site.scan.walkInAsk', { n: session.available })),
			h('div', { class: 'form-actions' }, yes, no)));
	}

	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		clearErrors(form);
		const text = input.value.trim();
		input.value = '';
		refocus();
		if (text)
			handle(text);
	});
	const cam = cameraReader((text) => handle(text));
	main.append(h('div', { class: 'scan-layout' }, h('div', { class: 'scan-main' }, form, result), cam.el));
	refocus();
}

/* ---- completing an observation ---------------------------------------------------- */

// The "Hoàn thành" button for a vaccinated visit; cd is its countdown.
function completeButton(v, cd, msg, onDone) {
	const b = h('button', { type: 'button', class: 'btn btn-large btn-complete', 'data-visit': String(v.id), i18n: 'site.obs.complete' });
	const mark = () => b.classList.add('btn-primary');
	if (cd.left() <= 0)
		mark();
	b.addEventListener('click', async () => {
		b.disabled = true;
		msg.replaceChildren();
		try {
			const r = await api('POST', `/visits/${v.id}/complete`);
			onDone(r.visit);
		} catch (e) {
			b.disabled = false;
			if (e.code === 'wrong_state' && cd.left() > 0)
				msg.replaceChildren(h('div', { class: 'alert alert-warning obs-early', role: 'alert' },
					h('p', {}, tx('site.obs.tooEarly', { left: fmtCountdown(cd.left()) }))));
			else
				msg.replaceChildren(errorBox(e));
		}
	});
	return { button: b, mark };
}

/* ---- the observation list -------------------------------------------------------- */

async function renderWatch(main, ctx, sid) {
	const [s, prods] = await Promise.all([api('GET', `/sessions/${sid}`), loadProducts()]);
	if (!ctx.current())
		return;
	sessionHead(main, s.session, prods, 'watch');
	const status = h('div', { class: 'status-area', 'aria-live': 'polite' });
	const listEl = h('ul', { class: 'obs-list', id: 'obs-list' });
	const empty = h('p', { class: 'empty', i18n: 'site.obs.empty', hidden: true });
	main.append(h('p', { class: 'muted', i18n: 'site.obs.intro' }), status, listEl, empty);

	function card(v) {
		const msg = h('div', {});
		const li = h('li', { class: 'obs-card', 'data-visit': String(v.id), 'data-citizen': String(v.citizen_id) });
		let btn;
		const cd = countdown(v.observe_seconds_left, () => {
			li.classList.add('is-due');
			if (btn)
				btn.mark();
		});
		btn = completeButton(v, cd, msg, (done) => {
			notice(status, 'site.obs.completed', { name: done.full_name || v.full_name });
			li.remove();
			empty.hidden = listEl.children.length > 0;
		});
		if (cd.left() <= 0)
			li.classList.add('is-due');
		li.append(
			h('div', { class: 'obs-who' },
				h('span', { class: 'queue-name' }, v.full_name),
				h('span', { class: 'muted' }, tx('site.obs.injectedAt', { at: v.injected_at ? fmtTime(v.injected_at).split(' ')[1] : '—' }))),
			h('div', { class: 'obs-timer' }, h('span', { class: 'obs-left', i18n: 'site.obs.left' }), cd.el),
			h('div', { class: 'obs-actions' }, btn.button,
				h('a', { class: 'btn btn-large btn-danger-outline', href: visitUrl(sid, v.id) + '?aefi=1', i18n: 'site.obs.aefi' })),
			msg);
		return li;
	}

	async function load() {
		let r;
		try {
			r = await api('GET', '/visits', { query: { session: sid, status: 'vaccinated' } });
		} catch (e) {
			if (ctx.current())
				status.replaceChildren(errorBox(e));
			return;
		}
		if (!ctx.current())
			return;
		const list = r.visits.slice().sort((a, b) => (a.observe_seconds_left ?? 0) - (b.observe_seconds_left ?? 0));
		listEl.replaceChildren(...list.map(card));
		empty.hidden = list.length > 0;
	}
	await load();
	every(REFRESH_MS * 1.5, ctx.current, load);
}

/* ---- one visit ------------------------------------------------------------------ */

const STEPS = ['checkin', 'screen', 'inject', 'observe'];

function stepIndex(v) {
	switch (v.status) {
	case 'checked_in':
	case 'postponed':
	case 'referred':
		return 1;
	case 'screened':
		return 2;
	case 'vaccinated':
		return 3;
	case 'completed':
		return 4;
	default:
		return 0;
	}
}

function stepper(v) {
	const at = stepIndex(v);
	return h('ol', { class: 'stepper', ariaLabel: 'site.steps' }, STEPS.map((s, i) => h('li', {
		class: i < at ? 'is-done' : i === at ? 'is-current' : null,
		'aria-current': i === at ? 'step' : null,
	}, h('span', { class: 'stepper-n' }, i < at ? '✓' : String(i + 1)), h('span', { i18n: 'site.stepName.' + s }))));
}

function cancelForm(v, onDone) {
	const input = h('input', { type: 'text', maxlength: '500', autocomplete: 'off' });
	const yes = h('button', { type: 'submit', class: 'btn btn-danger', i18n: 'site.visit.cancelYes' });
	const form = h('form', { class: 'form inline-form', novalidate: true },
		field({ name: 'reason', label: 'reg.reason', input, required: true, hint: 'site.visit.cancelHint' }),
		h('div', { class: 'form-actions' }, yes));
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
			const r = await api('POST', `/visits/${v.id}/cancel`, { body: { reason } });
			onDone(r.visit);
		} catch (e) {
			yes.disabled = false;
			showError(form, e);
		}
	});
	return form;
}

async function renderVisit(main, ctx, sid, vid) {
	const [vr, sr, prods] = await Promise.all([
		api('GET', `/visits/${encodeURIComponent(vid)}`), api('GET', `/sessions/${sid}`), loadProducts(),
	]);
	if (!ctx.current())
		return;
	const session = sr.session;
	let visit = vr.visit;
	const product = (visit.screening && visit.screening.product) || session.product;
	const pname = productName(prods, product);
	const age = ageOn(visit.birth_date);
	const head = h('div', { class: 'visit-head' });
	const body = h('div', { class: 'visit-body' });
	const status = h('div', { class: 'status-area', 'aria-live': 'polite' });
	const history = dosePanel(visit.citizen_id);
	const aefis = []; // recorded on this page
	let lastDose = visit.dose || null;

	main.append(
		h('p', { class: 'back' }, h('a', { href: sessionUrl(sid), i18n: 'site.back' })),
		head, status, body, history.el);

	function drawHead() {
		replace(head,
			h('h1', { class: 'visit-name', 'data-citizen': String(visit.citizen_id) }, visit.full_name),
			h('p', { class: 'visit-facts' }, fmtBirth(visit.birth_date), age !== null ? [' · ', tx('site.age', { n: age })] : null,
				' · ', session.site_name, ' · ', pname,
				visit.walk_in ? [' ', h('span', { class: 'badge badge-off', i18n: 'site.walkIn' })] : null,
				' ', stepBadge(stepOf(visit))),
			stepper(visit));
	}

	function screeningSection(list) {
		return h('section', { class: 'card visit-step', id: 'step-screen', 'aria-labelledby': 'screen-title' },
			h('h2', { id: 'screen-title', i18n: visit.screening ? 'site.screen.again' : 'site.screen.title' }),
			screeningForm({ visit, list, onDone: (v) => { visit = v; draw(true); } }));
	}

	function aefiSection() {
		const sec = h('section', { class: 'card visit-step', id: 'step-aefi', 'aria-labelledby': 'aefi-title' },
			h('h2', { id: 'aefi-title', i18n: 'site.aefi.title' }));
		const listBox = h('div', {}, aefis.map(aefiDone));
		const open = h('button', { type: 'button', class: 'btn btn-large btn-danger-outline', id: 'aefi-open', i18n: 'site.aefi.open' });
		const path = visit.status === 'vaccinated' ? `/visits/${visit.id}/aefi` : lastDose ? `/doses/${lastDose.id}/aefi` : null;
		if (!path)
			return null;
		const showForm = () => {
			open.hidden = true;
			const form = aefiForm({
				path,
				onDone: (a) => {
					aefis.push(a);
					form.remove();
					open.hidden = false;
					listBox.append(aefiDone(a));
					open.focus();
				},
				onCancel: () => { form.remove(); open.hidden = false; open.focus(); },
			});
			sec.append(form);
			form.querySelector('input').focus();
		};
		open.addEventListener('click', showForm);
		sec.append(listBox, h('div', { class: 'form-actions' }, open));
		if (ctx.query.get('aefi') === '1' && !aefis.length)
			setTimeout(showForm, 0);
		return sec;
	}

	async function draw(scroll) {
		drawHead();
		const parts = [];
		const st = visit.status;
		if (st === 'cancelled') {
			parts.push(h('div', { class: 'alert alert-info', role: 'status', i18n: 'site.visit.cancelled' }));
		}
		if (['checked_in', 'screened', 'postponed', 'referred'].includes(st) && visit.screening)
			parts.push(outcomeBox(visit.screening));
		if (st === 'checked_in' || st === 'postponed' || st === 'referred') {
			const list = await loadChecklist();
			if (!ctx.current())
				return;
			if (st === 'checked_in') {
				parts.push(screeningSection(list));
			} else {
				const again = h('button', { type: 'button', class: 'btn btn-large', i18n: 'site.screen.againButton' });
				again.addEventListener('click', () => { again.replaceWith(screeningSection(list)); });
				parts.push(h('div', { class: 'form-actions' }, again));
			}
		}
		if (st === 'screened') {
			const sec = h('section', { class: 'card visit-step', id: 'step-inject', 'aria-labelledby': 'inj-title' },
				h('h2', { id: 'inj-title', i18n: 'site.inj.title' }));
			parts.push(sec);
			sec.append(await injectionForm({
				ctx, visit, siteId: session.site_id, product, productName: pname,
				onDone: (v, dose) => { visit = v; lastDose = dose || v.dose; draw(true); history.load(); },
			}));
			if (!ctx.current())
				return;
			const list = await loadChecklist();
			const again = h('button', { type: 'button', class: 'btn', i18n: 'site.screen.againButton' });
			again.addEventListener('click', () => { again.replaceWith(screeningSection(list)); });
			parts.push(h('div', { class: 'form-actions' }, again));
		}
		if (st === 'vaccinated' || st === 'completed') {
			parts.push(doseDone(visit.dose || lastDose));
		}
		if (st === 'vaccinated') {
			const msg = h('div', {});
			const sec = h('section', { class: 'card visit-step obs-one', id: 'step-observe', 'aria-labelledby': 'obs-title' },
				h('h2', { id: 'obs-title', i18n: 'site.obs.title' }));
			let btn;
			const cd = countdown(visit.observe_seconds_left, () => {
				sec.classList.add('is-due');
				hint.replaceChildren(tx('site.obs.due'));
				if (btn)
					btn.mark();
			});
			const hint = h('p', { class: 'obs-hint' }, tx(cd.left() > 0 ? 'site.obs.wait' : 'site.obs.due'));
			btn = completeButton(visit, cd, msg, (v) => { visit = v; draw(true); history.load(); });
			sec.append(
				h('div', { class: 'obs-big' }, h('span', { class: 'obs-left', i18n: 'site.obs.left' }), cd.el),
				visit.observe_until ? h('p', { class: 'muted' }, tx('site.obs.until', { at: fmtTime(visit.observe_until).split(' ')[1] })) : null,
				hint, h('div', { class: 'form-actions' }, btn.button), msg);
			parts.push(sec);
		}
		if (st === 'completed') {
			parts.push(h('div', { class: 'alert alert-success', role: 'status', id: 'visit-completed' },
				h('p', {}, h('strong', { i18n: 'site.visit.completed' })),
				h('p', { i18n: 'site.visit.completedHint' })));
		}
		if (st === 'vaccinated' || st === 'completed') {
			const sec = aefiSection();
			if (sec)
				parts.push(sec);
		}
		if (st === 'checked_in' || st === 'screened') {
			const b = h('button', { type: 'button', class: 'btn btn-small', 'aria-expanded': 'false', i18n: 'site.visit.cancel' });
			const box = h('div', { class: 'visit-cancel' }, b);
			b.addEventListener('click', () => {
				b.remove();
				box.append(cancelForm(visit, (v) => { visit = v; draw(true); }));
				box.querySelector('input').focus();
			});
			parts.push(box);
		}
		parts.push(h('p', { class: 'next-person' }, h('a', { class: 'btn btn-large', href: sessionUrl(sid, 'scan'), i18n: 'site.nextPerson' })));
		replace(body, ...parts);
		if (scroll) {
			const first = body.querySelector('.alert, section');
			if (first) {
				first.setAttribute('tabindex', '-1');
				first.focus({ preventScroll: true });
				first.scrollIntoView({ block: 'start' });
			}
		}
	}
	await draw(false);
	await history.load();
}

/* ---- the page ------------------------------------------------------------------ */

export async function render(main, ctx) {
	if (last.user !== ctx.me.username) {
		Object.assign(last, { user: ctx.me.username, site: '', filter: 'all', q: '' });
	}
	const [sid, sub, vid] = ctx.params;
	if (!sid || !/^\d+$/.test(sid))
		return renderChooser(main, ctx);
	if (sub === 'visit' && vid && /^\d+$/.test(vid))
		return renderVisit(main, ctx, sid, vid);
	if (sub === 'scan')
		return renderScan(main, ctx, sid);
	if (sub === 'watch')
		return renderWatch(main, ctx, sid);
	return renderQueue(main, ctx, sid);
}
