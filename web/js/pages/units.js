// Đơn vị hành chính: browse Việt Nam -> province -> district -> commune.
// #/units is the country, #/units/CODE one unit and the units below it.
import { api } from '../api.js';
import { fold, h, tx } from '../dom.js';
import { applyI18n } from '../i18n.js';
import * as names from '../names.js';
import { scopeUnit } from '../roles.js';

function popCell(n) {
	if (n === null || n === undefined)
		return h('td', { class: 'num muted', label: 'units.population' },
			h('span', { 'aria-hidden': 'true' }, '—'),
			h('span', { class: 'visually-hidden', i18n: 'unknown' }));
	return h('td', { class: 'num', label: 'units.population', num: n });
}

async function breadcrumb(code, ctx) {
	const ol = h('ol', { class: 'breadcrumb' });
	const nav = h('nav', { ariaLabel: 'units.breadcrumb' }, ol);
	let path = ['VN'];
	if (code !== 'VN') {
		const r = await api('GET', '/units/' + encodeURIComponent(code));
		path = r.unit.path.split('/');
	}
	const named = await Promise.all(path.map((c) => names.unit(c)));
	if (!ctx.current())
		return nav;
	named.forEach((u, i) => {
		const last = i === named.length - 1;
		ol.appendChild(h('li', {}, last
			? h('span', { 'aria-current': 'page' }, u.name_with_type)
			: h('a', { href: '#/units/' + (u.code === 'VN' ? '' : encodeURIComponent(u.code)) }, u.name_with_type)));
	});
	return nav;
}

export async function render(main, ctx) {
	const code = ctx.params[0] || 'VN';
	const mine = scopeUnit(ctx.me.scope);
	main.append(h('h1', { i18n: 'units.title' }));
	const loading = h('p', { class: 'muted', i18n: 'loading' });
	main.append(loading);

	const [list, crumbs] = await Promise.all([
		api('GET', '/units', { query: { parent: code } }),
		breadcrumb(code, ctx),
	]);
	if (!ctx.current())
		return;
	loading.remove();
	const p = list.parent;
	names.rememberUnit(p);
	for (const u of list.units)
		names.rememberUnit(u);

	const childLevel = { country: 'province', province: 'district', district: 'commune' }[p.level];
	const head = h('div', { class: 'unit-head' },
		h('div', {},
			h('h2', { class: 'unit-name' }, p.name_with_type),
			h('p', { class: 'muted' },
				tx('level.' + p.level), ' · ', h('code', {}, p.code),
				p.population !== null ? [' · ', tx('units.populationTotal', { n: p.population })] : null)),
		mine !== code
			? h('a', { class: 'btn', href: '#/units/' + (mine === 'VN' ? '' : encodeURIComponent(mine)), i18n: 'units.mine' })
			: null);
	main.append(crumbs, head);

	if (!childLevel || list.units.length === 0) {
		main.append(h('p', { class: 'empty', i18n: 'units.noChildren' }));
		return;
	}

	const filter = h('input', { type: 'search', id: 'unit-filter', autocomplete: 'off', spellcheck: 'false' });
	const count = h('p', { class: 'count', 'aria-live': 'polite', i18n: 'units.count', args: { n: list.units.length } });
	const noMatch = h('p', { class: 'empty', i18n: 'units.noMatch', hidden: true });
	const tbody = h('tbody', {});
	for (const u of list.units) {
		const tr = h('tr', { 'data-search': fold(u.name_with_type + ' ' + u.code) },
			h('td', { class: 'code', label: 'units.code' }, h('code', {}, u.code)),
			h('td', { label: 'units.name' }, childLevel !== 'commune'
				? h('a', { href: '#/units/' + encodeURIComponent(u.code) }, u.name_with_type)
				: u.name_with_type),
			popCell(u.population));
		tbody.appendChild(tr);
	}
	filter.addEventListener('input', () => {
		const q = fold(filter.value.trim());
		let n = 0;
		for (const tr of tbody.rows) {
			const show = !q || tr.dataset.search.includes(q);
			tr.hidden = !show;
			n += show;
		}
		count.dataset.i18nArgs = JSON.stringify({ n });
		applyI18n(count);
		noMatch.hidden = n !== 0;
	});

	main.append(
		h('section', { class: 'units-list', 'aria-labelledby': 'units-children' },
			h('div', { class: 'toolbar' },
				h('h3', { id: 'units-children', i18n: 'children.' + p.level }),
				h('div', { class: 'toolbar-field' },
					h('label', { for: 'unit-filter', i18n: 'units.filter' }), filter)),
			count,
			h('table', { class: 'table table-stack' },
				h('thead', {}, h('tr', {},
					h('th', { scope: 'col', class: 'code', i18n: 'units.code' }),
					h('th', { scope: 'col', i18n: 'units.name' }),
					h('th', { scope: 'col', class: 'num', i18n: 'units.population' }))),
				tbody),
			noMatch,
			list.units.some((u) => u.population === null)
				? h('p', { class: 'hint', i18n: 'units.unknownNote' }) : null));
}
