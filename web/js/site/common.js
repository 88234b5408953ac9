// What the site pages share (docs/visits.md): a visit's step in the
// four steps, ages, countdowns, the chosen session, and texts the server
// gives in both languages.
import { h, tx } from '../dom.js';
import { getLang, vnToday } from '../i18n.js';

// The step a person is at, for the queue's badge and filter: waiting (not
// checked in), screen, consent (a minor's guardian has to sign), inject,
// postponed, referred, observe, done, cancelled.
export function stepOf(visit) {
	if (!visit)
		return 'waiting';
	switch (visit.status) {
	case 'checked_in':
		return visit.screening && visit.screening.outcome === 'needs_consent' ? 'consent' : 'screen';
	case 'screened':
		return 'inject';
	case 'vaccinated':
		return 'observe';
	case 'completed':
		return 'done';
	default:
		return visit.status; // postponed, referred, cancelled
	}
}

const STEP_BADGE = {
	waiting: 'badge-off', screen: 'badge-info', consent: 'badge-warn', inject: 'badge-info',
	postponed: 'badge-warn', referred: 'badge-warn', observe: 'badge-info', done: 'badge-ok',
	cancelled: 'badge-off',
};

export function stepBadge(step) {
	return h('span', { class: `badge ${STEP_BADGE[step] || 'badge-off'} step-badge`, 'data-step': step, i18n: 'site.step.' + step });
}

// Whole years on `day` for a birth date "YYYY-MM-DD" (or "YYYY-MM",
// "YYYY" when only that is known: the benefit of the doubt, the oldest).
export function ageOn(birth, day = vnToday()) {
	const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(String(birth || ''));
	if (!m)
		return null;
	const [y, mo, d] = [Number(m[1]), Number(m[2] || 1), Number(m[3] || 1)];
	const [ty, tm, td] = day.split('-').map(Number);
	let age = ty - y;
	if (tm < mo || (tm === mo && td < d))
		age--;
	return age;
}

// "12:34" for 754 seconds; "1:02:03" past an hour.
export function fmtCountdown(seconds) {
	const s = Math.max(0, Math.ceil(seconds));
	const hh = Math.floor(s / 3600);
	const mm = Math.floor((s % 3600) / 60);
	const ss = String(s % 60).padStart(2, '0');
	return hh ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

// A countdown that ticks in the page: observe_seconds_left counted from
// when the answer arrived (the tablet's clock may be wrong; its ticking is
// not). el shows mm:ss; onZero runs once when it reaches 0.
export function countdown(secondsLeft, onZero) {
	const until = Date.now() + Math.max(0, Number(secondsLeft) || 0) * 1000;
	const el = h('span', { class: 'countdown', role: 'timer', 'aria-live': 'off' });
	let zeroed = false;
	const tick = () => {
		const left = (until - Date.now()) / 1000;
		el.textContent = fmtCountdown(left);
		el.dataset.left = String(Math.max(0, Math.ceil(left)));
		if (left <= 0 && !zeroed) {
			zeroed = true;
			el.classList.add('is-zero');
			if (onZero)
				onZero();
		}
	};
	tick();
	let shown = false; // stops once the element left the page
	const timer = setInterval(() => {
		if (el.isConnected) {
			shown = true;
		} else if (shown) {
			clearInterval(timer);
			return;
		}
		tick();
	}, 1000);
	return { el, left: () => Math.max(0, (until - Date.now()) / 1000), stop: () => clearInterval(timer) };
}

// The server's reason texts come in both languages.
export function reasonText(r) {
	return (getLang() === 'en' ? r.text_en : r.text_vi) || r.text_vi || r.text_en || r.code;
}

// A version 4 UUID for the Idempotency-Key. crypto.randomUUID() needs a
// secure context, which a tablet reaching the server by a LAN address
// over plain HTTP is not; getRandomValues() works everywhere.
export function uuid4() {
	const b = crypto.getRandomValues(new Uint8Array(16));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
	return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

// The doses' kinds and numbers: "Mũi 2 (cơ bản)", "Mũi nhắc lại 1".
export function doseLabel(d) {
	return tx(d.kind === 'booster' ? 'site.dose.booster' : 'site.dose.primary', { n: d.number });
}

// A page-wide memory of the gender seen at check-in (the queue and the
// visit do not carry it; the screening form asks the women's questions
// only of women when it is known).
const genders = new Map();

export function rememberGender(citizenId, gender) {
	if (citizenId && gender)
		genders.set(String(citizenId), gender);
}

export function genderOf(citizenId) {
	return genders.get(String(citizenId)) || null;
}

// A timer that repeats while the page shows (live() true), then stops.
export function every(ms, live, fn) {
	const id = setInterval(() => {
		if (!live()) {
			clearInterval(id);
			return;
		}
		fn();
	}, ms);
	return () => clearInterval(id);
}

// A datetime-local value ("2026-03-15T08:05") in Vietnam time.
const localFormat = new Intl.DateTimeFormat('en-CA', {
	year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
	hourCycle: 'h23', timeZone: 'Asia/Ho_Chi_Minh',
});

export function vnLocalInput(date = new Date()) {
	const p = {};
	for (const part of localFormat.formatToParts(date))
		p[part.type] = part.value;
	return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

// Back from a datetime-local value read as Vietnam time to an instant.
export function fromVnLocal(value) {
	const d = new Date(`${value}:00+07:00`);
	return Number.isNaN(d.getTime()) ? null : d;
}
