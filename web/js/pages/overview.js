// Tổng quan: who you are, where you work, when the session ends, and
// the pages your role opens.
import { h, tx } from '../dom.js';
import { navFor } from '../roles.js';

function row(labelKey, ...value) {
	return [h('dt', { i18n: labelKey }), h('dd', {}, ...value)];
}

export async function render(main, ctx) {
	const me = ctx.me;
	const s = ctx.session;
	const account = h('dl', { class: 'facts' },
		row('overview.username', me.username),
		row('overview.role', tx('role.' + me.role)),
		row('overview.jurisdiction', h('strong', {}, me.jurisdiction_name)),
		me.unit ? row('overview.unitCode', h('code', {}, me.unit)) : null,
		me.facility ? row('overview.facilityId', h('code', {}, String(me.facility))) : null,
		me.created_at ? row('overview.since', h('span', { time: me.created_at })) : null);

	const sessionFacts = s
		? h('dl', { class: 'facts' },
			row('overview.expiresAt', h('span', { time: s.expires_at })),
			row('overview.idle', tx('overview.idleValue', { n: Math.round(s.idle_seconds / 60) })))
		: null;

	const links = h('ul', { class: 'card-links' });
	for (const p of navFor(me.role).filter((p) => p !== 'overview'))
		links.appendChild(h('li', {},
			h('a', { class: 'card-link', href: '#/' + p },
				h('span', { class: 'card-link-title', i18n: 'nav.' + p }),
				h('span', { class: 'card-link-desc', i18n: `nav.${p}.desc` }))));

	main.append(
		h('h1', { i18n: 'overview.hello', args: { name: me.username } }),
		h('p', { class: 'lead' },
			tx('role.' + me.role), ' · ', h('span', { class: 'jurisdiction' }, me.jurisdiction_name)),
		h('div', { class: 'grid-2' },
			h('section', { class: 'card', 'aria-labelledby': 'ov-account' },
				h('h2', { id: 'ov-account', i18n: 'overview.account' }), account),
			sessionFacts
				? h('section', { class: 'card', 'aria-labelledby': 'ov-session' },
					h('h2', { id: 'ov-session', i18n: 'overview.session' }), sessionFacts)
				: null),
		h('section', { 'aria-labelledby': 'ov-pages' },
			h('h2', { id: 'ov-pages', i18n: 'overview.pages' }), links));
}
