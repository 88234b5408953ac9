// The ledger tab: every movement of the facility's stock, newest first,
// with what moved from where to where and why; the doses given with no
// stock on record are flagged, and a site manager or above marks them
// reconciled.
import { api } from '../api.js';
import { clearErrors, errorBox, field, h, showChecks, showError, tx } from '../dom.js';
import { canMoveStock } from '../roles.js';
import { productName } from '../stock.js';

const PAGE = 50;
const KINDS = ['receipt', 'transfer_out', 'transfer_in', 'discrepancy', 'administered', 'wastage', 'expiry', 'return', 'adjustment'];
const ACCOUNTS = ['facility', 'transit', 'supplier', 'administered', 'wasted', 'expired', 'adjustment', 'discrepancy', 'unrecorded'];
const filt = { flagged: false }; // while the page is open

function account(name) {
	return ACCOUNTS.includes(name) ? tx('stock.account.' + name) : h('span', {}, name || '—');
}

// + when doses came into the facility's stock, − when they left it.
function signed(m) {
	const sign = m.dst === 'facility' ? '+' : m.src === 'facility' ? '−' : '';
	return h('span', { class: sign === '+' ? 'qty-in' : sign ? 'qty-out' : null },
		sign, h('span', { num: m.quantity }));
}

function details(m) {
	const bits = [];
	if (m.transfer_id)
		bits.push(tx('stock.transferN', { id: m.transfer_id }));
	if (m.party)
		bits.push(h('span', {}, m.party));
	if (m.reason)
		bits.push(m.kind === 'wastage' || m.kind === 'expiry'
			? tx('stock.reason.' + m.reason)
			: h('span', { class: 'reason' }, m.reason));
	if (m.vvm)
		bits.push(tx('stock.vvm.' + m.vvm));
	if (m.note)
		bits.push(h('span', { class: 'muted' }, m.note));
	if (m.resolution)
		bits.push(h('span', { class: 'muted' }, tx('stock.resolvedAs', { text: m.resolution })));
	return bits.flatMap((b, i) => (i ? [' · ', b] : [b]));
}

function resolveForm(m, done) {
	const input = h('input', { type: 'text', maxlength: '500', autocomplete: 'off' });
	const save = h('button', { type: 'submit', class: 'btn btn-primary btn-small', i18n: 'form.save' });
	const form = h('form', { class: 'form inline-form', novalidate: true },
		field({ name: 'resolution', label: 'stock.resolution', input, required: true }),
		h('div', { class: 'form-actions' }, save));
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clearErrors(form);
		const text = input.value.trim();
		if (text.length < 3) {
			showChecks(form, [{ field: 'resolution', i18n: text ? 'check.reason' : 'check.required' }]);
			return;
		}
		save.disabled = true;
		try {
			await api('POST', `/stock/movements/${m.id}/resolve`, { body: { resolution: text } });
			done();
		} catch (e) {
			save.disabled = false;
			showError(form, e);
		}
	});
	return form;
}

export async function render(box, ctx, env) {
	const mover = canMoveStock(ctx.me.role);
	const flagged = h('input', { type: 'checkbox', id: 'stock-flagged', checked: filt.flagged });
	const filters = h('form', { class: 'filters', novalidate: true, role: 'search', ariaLabel: 'stock.filters' },
		h('div', { class: 'field checkline' }, flagged, h('label', { for: 'stock-flagged', i18n: 'stock.onlyFlagged' })),
		h('div', { class: 'filter-actions' }, h('button', { type: 'submit', class: 'btn btn-primary', i18n: 'reg.filter' })));
	const tbody = h('tbody', {});
	const table = h('table', { class: 'table table-stack table-compact stock-ledger', id: 'stock-ledger', hidden: true },
		h('thead', {}, h('tr', {},
			h('th', { scope: 'col', i18n: 'audit.at' }),
			h('th', { scope: 'col', i18n: 'stock.kind' }),
			h('th', { scope: 'col', i18n: 'stock.lot' }),
			h('th', { scope: 'col', class: 'num', i18n: 'stock.quantity' }),
			h('th', { scope: 'col', i18n: 'stock.fromTo' }),
			h('th', { scope: 'col', i18n: 'audit.details' }))),
		tbody);
	const empty = h('p', { class: 'empty', hidden: true });
	const more = h('button', { type: 'button', class: 'btn more', i18n: 'audit.more', hidden: true });
	const area = h('div', {});
	box.append(filters, h('p', { class: 'hint', i18n: 'audit.newest' }), area, table, empty, more);
	let offset = 0;

	function row(m) {
		const tr = h('tr', { 'data-movement': String(m.id), 'data-kind': m.kind, class: m.flag && !m.resolution ? 'is-warn' : null },
			h('td', { label: 'audit.at', class: 'nowrap' }, h('span', { time: m.at })),
			h('td', { label: 'stock.kind' }, KINDS.includes(m.kind) ? tx('stock.kind.' + m.kind) : m.kind,
				m.flag ? [' ', h('span', { class: 'badge badge-warn', i18n: 'stock.flag.' + m.flag })] : null),
			h('td', { label: 'stock.lot' }, h('strong', {}, m.lot_number), h('div', { class: 'muted' }, productName(env.prods, m.product))),
			h('td', { label: 'stock.quantity', class: 'num' }, signed(m)),
			h('td', { label: 'stock.fromTo' }, account(m.src), ' → ', account(m.dst)),
			h('td', { label: 'audit.details' }, details(m)));
		if (m.flag && !m.resolution && mover) {
			const cell = tr.lastChild;
			const open = h('button', { type: 'button', class: 'btn btn-small', i18n: 'stock.resolve' });
			open.addEventListener('click', () => {
				open.replaceWith(resolveForm(m, () => reload()));
				cell.querySelector('input').focus();
			});
			cell.append(' ', open);
		}
		return tr;
	}

	async function load() {
		let r;
		try {
			r = await api('GET', '/stock/movements', {
				query: { facility: env.facility.id, flagged: filt.flagged ? 1 : '', limit: PAGE, offset },
			});
		} catch (e) {
			if (env.live())
				area.replaceChildren(errorBox(e));
			return;
		}
		if (!env.live())
			return;
		area.replaceChildren();
		tbody.append(...r.movements.map(row));
		offset += r.movements.length;
		table.hidden = offset === 0;
		empty.hidden = offset !== 0;
		empty.dataset.i18n = filt.flagged ? 'stock.noFlagged' : 'stock.noMovements';
		empty.replaceChildren(tx(empty.dataset.i18n));
		delete empty.dataset.i18n;
		more.hidden = r.movements.length < PAGE;
	}
	function reload() {
		offset = 0;
		tbody.replaceChildren();
		return load();
	}
	more.addEventListener('click', load);
	filters.addEventListener('submit', (ev) => {
		ev.preventDefault();
		filt.flagged = flagged.checked;
		reload();
	});
	await load();
}
