// A vaccination registration as people read it: its state as a badge,
// the appointment ("07:30–11:00, 15/03/2026, Trạm Y tế phường Phúc Xá")
// and a day written dd/mm/yyyy. Shared by the staff pages and the portal.
import { h, tx } from './dom.js';
import { fmtBirth } from './person.js';

export const STATES = ['pending', 'approved', 'allocated', 'scheduled', 'done', 'rejected', 'cancelled'];
export const OPEN_STATES = ['pending', 'approved', 'allocated', 'scheduled'];

const BADGES = {
	pending: 'badge-info',
	approved: 'badge-info',
	allocated: 'badge-info',
	scheduled: 'badge-ok',
	done: 'badge-ok',
	rejected: 'badge-error',
	cancelled: 'badge-off',
};

export function isOpen(g) {
	return OPEN_STATES.includes(g.status);
}

// "2026-03-15" -> "15/03/2026"
export function fmtDay(day) {
	return fmtBirth(day);
}

// prefix: 'reg.status.' on the staff pages, 'portal.reg.' for citizens.
export function statusBadge(status, prefix = 'reg.status.') {
	return h('span', { class: `badge ${BADGES[status] || 'badge-off'}`, 'data-status': status, i18n: prefix + status });
}

// The appointment of a scheduled registration (the site on a line of
// its own), or null.
export function appointmentText(a) {
	if (!a)
		return null;
	return h('span', { class: 'appointment' },
		h('strong', { class: 'nowrap' }, `${a.starts}–${a.ends}, ${fmtDay(a.day)}`),
		h('span', { class: 'appointment-site' }, a.site_name));
}

// The line under a registration's state: where it was allocated, when
// it is scheduled, or why it ended. unitName(code) gives a name element.
export function stateDetail(g, unitName) {
	if (g.status === 'scheduled' && g.appointment)
		return appointmentText(g.appointment);
	if (g.status === 'allocated' && g.district_code)
		return h('span', {}, tx('reg.allocatedTo'), ' ', unitName(g.district_code));
	if ((g.status === 'rejected' || g.status === 'cancelled') && g.reason)
		return h('span', { class: 'reason' }, g.reason);
	return null;
}
