// The single page: login, the header and menu for the signed-in user's
// role, and hash routing (#/units/01) to the pages in ./pages/.
import {
	api, clearSession, onActivity, onSessionEnd, saveSession, session, token,
} from './api.js';
import { clearErrors, errorBox, h, replace, showChecks, showError, tx } from './dom.js';
import { applyI18n, getLang, LANGS, onLangChange, setLang, t } from './i18n.js';
import { forget } from './names.js';
import { navFor } from './roles.js';
import * as overview from './pages/overview.js';
import * as units from './pages/units.js';
import * as facilities from './pages/facilities.js';
import * as users from './pages/users.js';
import * as audit from './pages/audit.js';
import * as checkin from './pages/checkin.js';
import * as citizens from './pages/citizens.js';
import * as imports from './pages/imports.js';
import * as registrations from './pages/registrations.js';
import * as sessions from './pages/sessions.js';
import * as site from './pages/site.js';
import * as stock from './pages/stock.js';

const PAGES = {
	overview, site, checkin, citizens, registrations, sessions, stock, imports, units, facilities, users, audit,
};
const root = document.getElementById('app');

const state = {
	signedIn: false, // a token is in use (set before /me answers)
	me: null, // GET /api/v1/me's user
	session: null, // {expires_at, idle_seconds}
	lastActivity: 0,
	timer: 0,
	renderSeq: 0,
};

/* ---- language switch ---------------------------------------------------- */

function langSwitch() {
	const group = h('div', { class: 'lang-switch', role: 'group', ariaLabel: 'lang.label' });
	for (const l of LANGS) {
		const b = h('button', {
			type: 'button',
			lang: l,
			'aria-pressed': String(l === getLang()),
			'data-lang': l,
			on: { click: () => setLang(l) },
		}, t('lang.' + l));
		group.appendChild(b);
	}
	return group;
}

onLangChange((l) => {
	for (const b of document.querySelectorAll('.lang-switch button'))
		b.setAttribute('aria-pressed', String(b.dataset.lang === l));
	// Pages whose content depends on the language beyond data-i18n
	// (sorted lists, formatted numbers in text) re-render themselves.
	document.dispatchEvent(new CustomEvent('tc:lang'));
});

function brand(tag) {
	return h(tag, { class: 'brand' },
		h('img', { src: '/img/logo.svg', alt: '', width: '36', height: '36', class: 'brand-logo' }),
		h('span', { class: 'brand-name', i18n: 'app.name' }));
}

/* ---- login ------------------------------------------------------------- */

function showLogin(messageKey) {
	stopTimer();
	state.signedIn = false;
	state.me = null;
	state.session = null;
	forget();
	const username = h('input', {
		type: 'text', autocomplete: 'username', autocapitalize: 'none',
		spellcheck: 'false', required: true,
	});
	const password = h('input', { type: 'password', autocomplete: 'current-password', required: true });
	const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', i18n: 'login.submit' });
	const form = h('form', { class: 'login-form', novalidate: true, 'aria-labelledby': 'login-title' },
		h('div', { class: 'field', 'data-field': 'username' },
			h('label', { for: 'login-username', i18n: 'login.username' }),
			Object.assign(username, { id: 'login-username', name: 'username' }),
			h('p', { class: 'field-error', id: 'login-username-error', hidden: true })),
		h('div', { class: 'field', 'data-field': 'password' },
			h('label', { for: 'login-password', i18n: 'login.password' }),
			Object.assign(password, { id: 'login-password', name: 'password' }),
			h('p', { class: 'field-error', id: 'login-password-error', hidden: true })),
		submit);
	username.setAttribute('aria-describedby', 'login-username-error');
	password.setAttribute('aria-describedby', 'login-password-error');

	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clearErrors(form);
		const problems = [];
		if (!username.value.trim())
			problems.push({ field: 'username', i18n: 'check.required' });
		if (!password.value)
			problems.push({ field: 'password', i18n: 'check.required' });
		if (problems.length) {
			showChecks(form, problems);
			return;
		}
		submit.disabled = true;
		submit.dataset.i18n = 'login.busy';
		applyI18n(submit);
		try {
			const r = await api('POST', '/auth/login', {
				anonymous: true,
				body: { username: username.value.trim(), password: password.value },
			});
			password.value = '';
			saveSession(r);
			await startSignedIn();
		} catch (e) {
			submit.disabled = false;
			submit.dataset.i18n = 'login.submit';
			applyI18n(submit);
			showError(form, e);
			if (e.code === 'invalid_credentials') {
				password.value = '';
				password.focus();
			}
		}
	});

	const msg = messageKey
		? h('div', {
			class: messageKey === 'login.expired' ? 'alert alert-warning' : 'alert alert-info',
			role: 'status',
		}, tx(messageKey))
		: null;

	replace(root,
		h('div', { class: 'login-page' },
			h('div', { class: 'login-top' }, langSwitch()),
			h('main', { class: 'login-main', id: 'main', tabindex: '-1' },
				h('div', { class: 'login-card' },
					brand('div'),
					h('p', { class: 'tagline', i18n: 'app.tagline' }),
					h('h1', { id: 'login-title', i18n: 'login.title' }),
					h('p', { class: 'muted', i18n: 'login.intro' }),
					msg,
					form,
					h('p', { class: 'hint login-help', i18n: 'login.help' })),
				h('div', { class: 'citizen-entry' },
					h('a', { class: 'citizen-link', href: '/portal.html', id: 'citizen-link' },
						h('span', { class: 'citizen-link-title', i18n: 'login.citizenLink' }),
						h('span', { class: 'citizen-link-desc', i18n: 'login.citizenLinkHint' }))))));
	applyI18n(document);
	username.focus();
}

/* ---- session end ------------------------------------------------------- */

function stopTimer() {
	if (state.timer)
		clearTimeout(state.timer);
	state.timer = 0;
}

// The server ends a session after idle_seconds without a request, or at
// expires_at. Leave the page at that moment too, so a tablet left alone
// does not keep showing people's data.
function sessionDeadline() {
	const s = state.session;
	if (!s)
		return Infinity;
	const idle = state.lastActivity + s.idle_seconds * 1000;
	const abs = Date.parse(s.expires_at);
	return Math.min(idle, Number.isNaN(abs) ? Infinity : abs);
}

function armTimer() {
	stopTimer();
	const wait = sessionDeadline() - Date.now() + 2000;
	if (!Number.isFinite(wait))
		return;
	// setTimeout takes at most 2^31-1 ms; re-arm if the deadline is further.
	state.timer = setTimeout(checkDeadline, Math.max(1000, Math.min(wait, 2 ** 31 - 1)));
}

function checkDeadline() {
	if (!state.signedIn)
		return;
	if (Date.now() >= sessionDeadline()) {
		clearSession();
		showLogin('login.expired');
	} else {
		armTimer();
	}
}

onActivity(() => {
	state.lastActivity = Date.now();
	if (state.me)
		armTimer();
});

// Several calls in flight can all answer 401; the first one decides.
onSessionEnd(() => {
	if (state.signedIn)
		showLogin('login.expired');
});

document.addEventListener('visibilitychange', () => {
	if (document.visibilityState === 'visible')
		checkDeadline();
});

async function logout() {
	try {
		await api('POST', '/auth/logout');
	} catch (e) {
		// the session is gone either way
	}
	clearSession();
	history.replaceState(null, '', location.pathname);
	showLogin('login.loggedOut');
}

/* ---- signed in --------------------------------------------------------- */

async function startSignedIn() {
	const s = session();
	state.signedIn = true;
	state.session = s ? { expires_at: s.expires_at, idle_seconds: s.idle_seconds } : null;
	state.lastActivity = Date.now();
	let r;
	try {
		r = await api('GET', '/me');
	} catch (e) {
		if (!token())
			return; // 401: the login page is already showing
		replace(root, h('main', { class: 'page', id: 'main' }, errorBox(e),
			h('button', { type: 'button', class: 'btn', i18n: 'retry', on: { click: startSignedIn } })));
		return;
	}
	state.me = r.user;
	renderShell();
	route();
}

function renderShell() {
	const me = state.me;
	const nav = h('ul', { class: 'nav-list' });
	for (const p of navFor(me.role))
		nav.appendChild(h('li', {}, h('a', { href: '#/' + (p === 'overview' ? '' : p), 'data-page': p, i18n: 'nav.' + p })));
	replace(root,
		h('a', {
			class: 'skip-link', href: '#main', i18n: 'skip',
			on: { click: (ev) => { ev.preventDefault(); document.getElementById('main').focus(); } },
		}),
		h('header', { class: 'app-header' },
			h('div', { class: 'header-inner' },
				brand('a'),
				h('div', { class: 'header-user' },
					h('div', { class: 'user-block' },
						h('span', { class: 'user-name' }, me.username),
						h('span', { class: 'user-role', i18n: 'role.' + me.role }),
						h('span', { class: 'user-place' }, me.jurisdiction_name)),
					langSwitch(),
					h('button', { type: 'button', class: 'btn btn-ghost', id: 'logout', i18n: 'header.logout', on: { click: logout } }))),
			h('nav', { class: 'app-nav', ariaLabel: 'nav.label' },
				h('div', { class: 'header-inner' }, nav))),
		h('main', { class: 'page', id: 'main', tabindex: '-1' }));
	root.querySelector('a.brand').setAttribute('href', '#/');
	applyI18n(document);
}

function parseHash() {
	const raw = location.hash.replace(/^#\/?/, '');
	const [path, qs] = raw.split('?');
	const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
	return { page: parts[0] || 'overview', params: parts.slice(1), query: new URLSearchParams(qs || '') };
}

async function route() {
	if (!state.me)
		return;
	const { page, params, query } = parseHash();
	const allowed = navFor(state.me.role);
	const name = allowed.includes(page) ? page : 'overview';
	for (const a of root.querySelectorAll('.nav-list a')) {
		if (a.dataset.page === name)
			a.setAttribute('aria-current', 'page');
		else
			a.removeAttribute('aria-current');
	}
	const main = document.getElementById('main');
	const seq = ++state.renderSeq;
	const ctx = {
		me: state.me,
		session: state.session,
		params,
		query,
		// A page checks this after each await: false once the user moved on.
		current: () => seq === state.renderSeq && state.me !== null,
	};
	const body = h('div', { class: 'page-body' });
	replace(main, body);
	try {
		await PAGES[name].render(body, ctx);
	} catch (e) {
		if (ctx.current() && token())
			body.appendChild(errorBox(e));
	}
	if (ctx.current() && !main.contains(document.activeElement)) {
		const h1 = main.querySelector('h1');
		if (h1) {
			h1.tabIndex = -1;
			h1.focus({ preventScroll: true });
		}
	}
}

window.addEventListener('hashchange', route);

/* ---- start ------------------------------------------------------------- */

applyI18n(document);
if (token())
	startSignedIn();
else
	showLogin(null);
