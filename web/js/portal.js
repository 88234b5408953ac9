// The citizen portal (portal.html), made for phones: sign in with a code
// sent by SMS, see the people registered on this phone, register oneself
// or a family member, and show each person's QR code at the site.
// Hash routes: #/ (the household), #/register, #/qr/{id}.
import {
	api, apiObjectUrl, clearSession, onSessionEnd, saveSession, session, token, useStore,
} from './api.js';
import { clearErrors, errorBox, field, h, notice, replace, showChecks, showError, tx } from './dom.js';
import { applyI18n, getLang, LANGS, onLangChange, setLang, t } from './i18n.js';
import {
	docText, flagBadges, fmtBirth, fmtPhone, genderText, isAdult, personForm,
} from './person.js';
import { appointmentText, isOpen, statusBadge } from './registration.js';
import { unitPicker } from './unitpicker.js';

useStore('tiemchung.citizen.token', 'tiemchung.citizen.session');

const RESEND_WAIT_S = 30;
const root = document.getElementById('app');
const state = {
	phone: '', // as typed, while asking for a code
	people: null, // GET /me/people's list
	qrUrls: [], // object URLs to revoke when the screen changes
	resendTimer: 0,
	flash: null, // {key, args, kind} shown once on the next screen
	// The province, district and commune chosen for the last person
	// registered: a family member most often lives at the same place.
	lastPlace: null,
};

/* ---- frame --------------------------------------------------------------- */

function langSwitch() {
	const group = h('div', { class: 'lang-switch', role: 'group', ariaLabel: 'lang.label' });
	for (const l of LANGS)
		group.appendChild(h('button', {
			type: 'button', lang: l, 'data-lang': l, 'aria-pressed': String(l === getLang()),
			on: { click: () => setLang(l) },
		}, h('span', { i18n: 'lang.' + l })));
	return group;
}

onLangChange((l) => {
	for (const b of document.querySelectorAll('.lang-switch button'))
		b.setAttribute('aria-pressed', String(b.dataset.lang === l));
	setTitle();
	document.dispatchEvent(new CustomEvent('tc:lang'));
});

function setTitle() {
	document.title = `${t('app.name')} — ${t('portal.short')}`;
}

function frame(signedIn, ...content) {
	cleanupQr();
	const head = h('header', { class: 'portal-header' },
		h('div', { class: 'portal-header-inner' },
			h('a', { class: 'brand', href: '#/' },
				h('img', { src: '/img/logo.svg', alt: '', width: '36', height: '36', class: 'brand-logo' }),
				h('span', { class: 'brand-text' },
					h('span', { class: 'brand-name', i18n: 'app.name' }),
					h('span', { class: 'brand-sub', i18n: 'portal.short' }))),
			h('div', { class: 'portal-tools' },
				langSwitch(),
				signedIn ? h('button', { type: 'button', class: 'btn btn-ghost btn-small', id: 'portal-logout', i18n: 'header.logout', on: { click: logout } }) : null)));
	const main = h('main', { class: 'portal-main', id: 'main', tabindex: '-1' });
	if (state.flash) {
		const f = state.flash;
		state.flash = null;
		main.appendChild(h('div', { class: `alert alert-${f.kind || 'info'}`, role: 'status' }, tx(f.key, f.args)));
	}
	main.append(...content);
	replace(root, head, main);
	applyI18n(document);
	setTitle();
	const h1 = main.querySelector('h1');
	if (h1 && !main.contains(document.activeElement)) {
		h1.tabIndex = -1;
		h1.focus({ preventScroll: true });
	}
	return main;
}

function cleanupQr() {
	for (const u of state.qrUrls)
		URL.revokeObjectURL(u);
	state.qrUrls = [];
	if (state.resendTimer) {
		clearInterval(state.resendTimer);
		state.resendTimer = 0;
	}
}

onSessionEnd(() => {
	state.people = null;
	state.lastPlace = null;
	state.flash = { key: 'portal.expired', kind: 'warning' };
	history.replaceState(null, '', location.pathname);
	showPhone();
});

/* ---- step 1: the phone number -------------------------------------------- */

function showPhone() {
	const phone = h('input', { type: 'tel', inputmode: 'tel', autocomplete: 'tel', maxlength: '20', placeholder: 'portal.phonePlaceholder' });
	phone.value = state.phone;
	const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block btn-large', i18n: 'portal.sendCode' });
	const form = h('form', { class: 'form', novalidate: true },
		field({ name: 'phone', label: 'portal.phone', input: phone, hint: 'portal.phoneHint', required: true }),
		submit);
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clearErrors(form);
		if (!phone.value.trim()) {
			showChecks(form, [{ field: 'phone', i18n: 'check.required' }]);
			return;
		}
		submit.disabled = true;
		try {
			await api('POST', '/auth/otp', { anonymous: true, body: { phone: phone.value.trim() } });
			state.phone = phone.value.trim();
			showCode();
		} catch (e) {
			submit.disabled = false;
			showError(form, e);
		}
	});
	frame(false,
		h('section', { class: 'portal-card' },
			h('h1', { i18n: 'portal.title' }),
			h('p', { class: 'lead', i18n: 'portal.intro' }),
			h('ol', { class: 'steps' },
				h('li', { i18n: 'portal.step1' }),
				h('li', { i18n: 'portal.step2' }),
				h('li', { i18n: 'portal.step3' })),
			form),
		h('p', { class: 'portal-foot' },
			h('a', { href: '/', i18n: 'portal.staffLink' })));
	phone.focus();
}

/* ---- step 2: the code ---------------------------------------------------- */

function showCode() {
	const code = h('input', {
		type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6',
		pattern: '[0-9]*', class: 'code-input', spellcheck: 'false',
	});
	const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block btn-large', i18n: 'portal.verify' });
	const resend = h('button', { type: 'button', class: 'btn btn-block', id: 'portal-resend' });
	const change = h('button', { type: 'button', class: 'btn btn-link btn-block', i18n: 'portal.changePhone' });
	const status = h('div', { class: 'status-area', 'aria-live': 'polite' });
	const form = h('form', { class: 'form', novalidate: true },
		field({ name: 'code', label: 'portal.code', input: code, hint: 'portal.codeHint', required: true }),
		submit);
	const resendForm = h('div', { class: 'resend' }, status, resend, change);

	let wait = RESEND_WAIT_S;
	function tick() {
		resend.disabled = wait > 0;
		resend.dataset.i18n = wait > 0 ? 'portal.resendIn' : 'portal.resend';
		resend.dataset.i18nArgs = JSON.stringify({ n: wait });
		applyI18n(resend);
		if (wait <= 0 && state.resendTimer) {
			clearInterval(state.resendTimer);
			state.resendTimer = 0;
		}
		wait--;
	}
	function startWait() {
		wait = RESEND_WAIT_S;
		if (state.resendTimer)
			clearInterval(state.resendTimer);
		state.resendTimer = setInterval(tick, 1000);
		tick();
	}

	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clearErrors(form);
		status.replaceChildren();
		const v = code.value.replace(/\s/g, '');
		if (!/^\d{6}$/.test(v)) {
			showChecks(form, [{ field: 'code', i18n: v ? 'check.code' : 'check.required' }]);
			return;
		}
		submit.disabled = true;
		try {
			const r = await api('POST', '/auth/otp/verify', { anonymous: true, body: { phone: state.phone, code: v } });
			saveSession(r);
			state.phone = '';
			location.hash = '#/';
			route();
		} catch (e) {
			submit.disabled = false;
			code.select();
			showError(form, e);
		}
	});
	resend.addEventListener('click', async () => {
		clearErrors(form);
		resend.disabled = true;
		try {
			await api('POST', '/auth/otp', { anonymous: true, body: { phone: state.phone } });
			notice(status, 'portal.resent', { phone: state.phone });
			startWait();
			code.value = '';
			code.focus();
		} catch (e) {
			status.replaceChildren(errorBox(e));
			resend.disabled = false;
		}
	});
	change.addEventListener('click', () => showPhone());

	frame(false,
		h('section', { class: 'portal-card' },
			h('h1', { i18n: 'portal.codeTitle' }),
			h('p', { class: 'lead' }, tx('portal.codeSent', { phone: state.phone })),
			form, resendForm));
	startWait();
	code.focus();
}

/* ---- the household ------------------------------------------------------- */

async function loadPeople() {
	const r = await api('GET', '/me/people');
	state.people = r.people;
	const s = session();
	if (s && !s.phone)
		saveSession({ token: token(), phone: r.phone, expires_at: s.expires_at });
	return r;
}

// A person's vaccination: the latest registration's state, the
// appointment, and "Đăng ký tiêm" while nothing is open.
function vaccination(p, g) {
	const box = h('div', { class: 'person-reg', 'data-reg-status': g ? g.status : 'none' },
		h('h3', { class: 'visually-hidden', i18n: 'portal.regStatus' }),
		h('p', { class: 'reg-line' }, g ? statusBadge(g.status, 'portal.reg.') : h('span', { class: 'muted', i18n: 'portal.regNone' })));
	if (g && g.status === 'scheduled' && g.appointment) {
		box.append(h('p', { class: 'reg-appointment' }, h('span', { class: 'reg-label', i18n: 'portal.appointment' }), ' ',
			appointmentText(g.appointment)));
		box.append(h('p', { class: 'hint' }, tx('portal.regBring')));
	} else if (g && isOpen(g)) {
		box.append(h('p', { class: 'hint' }, tx('portal.regWait')));
	} else if (g && g.reason) {
		box.append(h('p', {}, h('span', { class: 'reg-label', i18n: 'portal.regReason' }), ' ', g.reason));
	}
	if (g && isOpen(g))
		return box;
	const go = h('button', {
		type: 'button', class: 'btn btn-block', ariaLabel: 'portal.regCreateFor', args: { name: p.full_name },
	}, h('span', { i18n: 'portal.regCreate' }));
	const status = h('div', { class: 'status-area' });
	go.addEventListener('click', async () => {
		go.disabled = true;
		status.replaceChildren();
		try {
			await api('POST', '/me/registrations', { body: { citizen_id: p.id } });
			state.flash = { key: 'portal.regCreated', args: { name: p.full_name }, kind: 'success' };
			showPeople();
		} catch (e) {
			go.disabled = false;
			if (token())
				status.replaceChildren(errorBox(e));
		}
	});
	box.append(status, go);
	return box;
}

// regs: GET /me/registrations' list (newest first), or null if unknown.
function personCard(p, regs) {
	const g = regs ? regs.find((x) => x.citizen_id === p.id) : undefined;
	return h('li', { class: 'person-card', 'data-person': String(p.id) },
		h('div', { class: 'person-main' },
			h('h2', { class: 'person-name' }, p.full_name),
			h('dl', { class: 'facts facts-tight' },
				h('dt', { i18n: 'person.birthDate' }), h('dd', {}, fmtBirth(p.birth_date)),
				h('dt', { i18n: 'person.gender' }), h('dd', {}, genderText(p.gender)),
				h('dt', { i18n: 'person.document' }), h('dd', {}, docText(p))),
			flagBadges(p).length ? h('p', { class: 'badges' }, flagBadges(p)) : null),
		regs ? vaccination(p, g || null) : null,
		h('a', { class: 'btn btn-primary btn-block', href: `#/qr/${p.id}`, ariaLabel: 'portal.showQrFor', args: { name: p.full_name } },
			h('span', { i18n: 'portal.showQr' })));
}

async function showPeople() {
	// the message is for the list, not for the moment it loads
	const flash = state.flash;
	state.flash = null;
	const main = frame(true, h('p', { class: 'muted', i18n: 'loading' }));
	state.flash = flash;
	let r;
	let regs = null;
	try {
		[r, regs] = await Promise.all([
			loadPeople(),
			// the people show even if their registrations cannot
			api('GET', '/me/registrations').then((x) => x.registrations, () => null),
		]);
	} catch (e) {
		if (token())
			replace(main, errorBox(e), h('button', { type: 'button', class: 'btn', i18n: 'retry', on: { click: route } }));
		return;
	}
	const list = h('ul', { class: 'person-list' }, r.people.map((p) => personCard(p, regs)));
	const add = h('a', { class: r.people.length ? 'btn btn-block btn-large' : 'btn btn-primary btn-block btn-large', href: '#/register', id: 'portal-add' },
		h('span', { i18n: r.people.length ? 'portal.addFamily' : 'portal.addSelf' }));
	frame(true,
		h('h1', { i18n: 'portal.householdTitle' }),
		h('p', { class: 'lead' }, tx('portal.householdPhone', { phone: fmtPhone(r.phone) })),
		r.people.length ? list : h('p', { class: 'empty', i18n: 'portal.noPeople' }),
		r.people.length >= 10 ? h('p', { class: 'hint', i18n: 'portal.full' }) : add,
		h('p', { class: 'hint portal-note', i18n: 'portal.householdNote' }));
}

/* ---- registering a person ----------------------------------------------- */

async function showRegister() {
	if (!state.people) {
		try {
			await loadPeople();
		} catch (e) {
			if (token())
				frame(true, errorBox(e));
			return;
		}
	}
	// Units are public data: asked without the citizen's token.
	const picker = unitPicker({
		root: { code: 'VN', name: t('country.vn'), level: 'country' },
		hideRoot: true,
		path: '/public/units',
		anonymous: true,
		name: 'commune_code',
		label: 'person.commune',
		hint: 'portal.communeHint',
		minLevel: 'commune',
		maxLevel: 'commune',
		initial: state.lastPlace || undefined,
	});
	const guardians = state.people.filter(isAdult);
	const pf = personForm({
		commune: picker.el,
		communeValue: () => picker.value().code,
		communeProblem: () => picker.problem(),
		guardians,
		submit: 'portal.register',
	});
	pf.cancel.addEventListener('click', () => { location.hash = '#/'; });
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
			const r = await api('POST', '/me/people', { body });
			state.people = null;
			state.lastPlace = picker.chosen();
			state.flash = { key: 'portal.registered', args: { name: r.citizen.full_name }, kind: 'success' };
			location.hash = `#/qr/${r.citizen.id}`;
		} catch (e) {
			pf.submit.disabled = false;
			if (e.code === 'conflict' && e.field === 'id_number')
				showError(pf.form, { field: 'id_number', i18n: 'portal.docTaken' });
			else
				showError(pf.form, e);
		}
	});
	frame(true,
		h('p', { class: 'back' }, h('a', { href: '#/', i18n: 'portal.back' })),
		h('h1', { i18n: 'portal.registerTitle' }),
		h('p', { class: 'muted', i18n: 'portal.registerIntro' }),
		h('section', { class: 'portal-card' }, pf.form));
	pf.fullName.focus();
}

/* ---- one person's QR ---------------------------------------------------- */

async function showQr(id) {
	if (!state.people) {
		try {
			await loadPeople();
		} catch (e) {
			if (token())
				frame(true, errorBox(e));
			return;
		}
	}
	const p = state.people.find((x) => String(x.id) === id);
	if (!p) {
		location.hash = '#/';
		return;
	}
	const img = h('img', { class: 'qr-img', alt: '', width: '320', height: '320' });
	const box = h('div', { class: 'qr-box', 'aria-busy': 'true' }, img);
	frame(true,
		h('p', { class: 'back' }, h('a', { href: '#/', i18n: 'portal.back' })),
		h('section', { class: 'qr-card', 'aria-labelledby': 'qr-name' },
			h('h1', { class: 'visually-hidden', i18n: 'portal.qrTitle' }),
			box,
			h('p', { class: 'qr-name', id: 'qr-name' }, p.full_name),
			h('p', { class: 'qr-birth' }, tx('portal.bornOn', { date: fmtBirth(p.birth_date) })),
			h('p', { class: 'qr-doc' }, docText(p))),
		h('div', { class: 'alert alert-info' },
			h('p', { i18n: 'portal.qrHowTo' }),
			h('p', { i18n: 'portal.qrPrivate' })));
	const setAlt = () => { img.alt = t('portal.qrAlt', { name: p.full_name }); };
	setAlt();
	document.addEventListener('tc:lang', setAlt);
	try {
		const url = await apiObjectUrl(`/me/people/${encodeURIComponent(id)}/qr.svg`);
		state.qrUrls.push(url);
		img.src = url;
		box.removeAttribute('aria-busy');
	} catch (e) {
		if (token())
			box.replaceWith(errorBox(e));
	}
}

/* ---- logout and routing --------------------------------------------------- */

async function logout() {
	try {
		await api('POST', '/me/logout');
	} catch (e) {
		// the session is gone either way
	}
	clearSession();
	state.people = null;
	state.lastPlace = null;
	state.flash = { key: 'portal.loggedOut', kind: 'info' };
	history.replaceState(null, '', location.pathname);
	showPhone();
}

function route() {
	if (!token()) {
		showPhone();
		return;
	}
	const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
	if (parts[0] === 'register')
		showRegister();
	else if (parts[0] === 'qr' && parts[1])
		showQr(parts[1]);
	else
		showPeople();
}

window.addEventListener('hashchange', route);
applyI18n(document);
route();
