// Kho vắc xin: the vaccine supply chain of the facilities inside the
// jurisdiction (docs/stock.md). One tab per task: the stock on hand,
// receiving (from a supplier or a transfer), sending a transfer, wastage
// and physical counts, the reconciliation, the ledger, and the lots for
// national and provincial staff. A facility picker above the tabs chooses
// whose stock they show; it starts at the user's own facility.
// Routes: #/stock, #/stock/{tab}.
import { errorBox, field, h } from '../dom.js';
import {
	canMoveStock, canQuarantineLots, canWasteStock,
} from '../roles.js';
import { defaultFacility, loadFacilities, loadProducts } from '../stock.js';
import * as overview from '../stock/overview.js';
import * as receive from '../stock/receive.js';
import * as send from '../stock/send.js';
import * as writeoff from '../stock/writeoff.js';
import * as recon from '../stock/recon.js';
import * as ledger from '../stock/ledger.js';
import * as lots from '../stock/lots.js';

const TABS = [
	{ name: 'overview', view: overview, may: () => true },
	{ name: 'receive', view: receive, may: canMoveStock },
	{ name: 'send', view: send, may: canMoveStock },
	{ name: 'wastage', view: writeoff, may: canWasteStock },
	{ name: 'reconciliation', view: recon, may: () => true },
	{ name: 'movements', view: ledger, may: () => true },
	{ name: 'lots', view: lots, may: canQuarantineLots, noFacility: true },
];

// The facility chosen while the page is open, per user; never stored.
const last = { user: null, facility: null };

function tabsFor(role) {
	return TABS.filter((x) => x.may(role));
}

function tabNav(tabs, current) {
	return h('nav', { class: 'tabs', ariaLabel: 'stock.tabs' },
		tabs.map((x) => h('a', {
			class: 'tab', href: x.name === 'overview' ? '#/stock' : '#/stock/' + x.name,
			'data-tab': x.name, i18n: 'stock.tab.' + x.name,
			'aria-current': x.name === current.name ? 'page' : null,
		})));
}

export async function render(main, ctx) {
	const me = ctx.me;
	if (last.user !== me.username) {
		last.user = me.username;
		last.facility = null;
	}
	const tabs = tabsFor(me.role);
	const tab = tabs.find((x) => x.name === ctx.params[0]) || tabs[0];
	main.append(h('h1', { i18n: 'stock.title' }), tabNav(tabs, tab));

	const [facilities, prods] = await Promise.all([loadFacilities(), loadProducts()]);
	if (!ctx.current())
		return;
	const body = h('div', { class: 'stock-body' });
	const env = { facilities, prods, facility: null, live: ctx.current };
	if (tab.noFacility) {
		main.append(body);
		await tab.view.render(body, ctx, env);
		return;
	}
	if (!facilities.length) {
		main.append(h('p', { class: 'empty', i18n: 'stock.noFacilities' }));
		return;
	}
	const chosen = facilities.find((f) => String(f.id) === String(last.facility)) || defaultFacility(facilities, me);
	const pick = h('select', {},
		facilities.map((f) => h('option', { value: String(f.id) }, f.name)));
	pick.value = String(chosen.id);
	const bar = h('div', { class: 'toolbar stock-facility' },
		field({ name: 'facility', label: 'stock.facility', input: pick, class: 'toolbar-field' }),
		h('span', { class: 'muted stock-kind', i18n: 'kind.' + chosen.kind }));
	main.append(bar, body);

	let seq = 0;
	async function show() {
		const f = facilities.find((x) => String(x.id) === pick.value);
		const mine = ++seq;
		last.facility = f.id;
		// A view checks env.live() after each await: false once the user
		// chose another facility or left the page.
		const view = { ...env, facility: f, live: () => mine === seq && ctx.current() };
		bar.querySelector('.stock-kind').replaceWith(h('span', { class: 'muted stock-kind', i18n: 'kind.' + f.kind }));
		body.replaceChildren();
		try {
			await tab.view.render(body, ctx, view);
		} catch (e) {
			if (view.live())
				body.append(errorBox(e));
		}
	}
	pick.addEventListener('change', show);
	await show();
}
