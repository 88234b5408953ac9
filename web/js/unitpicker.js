// Choosing an administrative unit inside the user's jurisdiction: the
// jurisdiction is the starting point, and one select per level below it
// (province -> district -> commune) narrows the choice, down to maxLevel.
import { api } from './api.js';
import { h, tx } from './dom.js';
import { rememberUnit } from './names.js';
import { LEVELS, levelIndex } from './roles.js';

let seq = 0;

// opts: {root: {code, name, level}, minLevel, maxLevel, name, label, hint,
// initial: [codes below the root, one per level] to start with a choice,
// path: the list to ask (default '/units'; the citizen portal uses
// '/public/units'), anonymous: true to ask without the staff token,
// hideRoot: true when the root (the whole country) goes without saying,
// optional: true for a filter, where the root itself is a fine answer}.
// Returns {el, value() -> {code, level}, chosen() -> [codes below the
// root], problem() -> {field, i18n}|null}.
export function unitPicker(opts) {
	const id = `picker-${++seq}`;
	const selects = h('div', { class: 'picker-selects' });
	const hint = opts.hint ? h('p', { class: 'hint', id: id + '-hint', i18n: opts.hint }) : null;
	const err = h('p', { class: 'field-error', id: id + '-error', hidden: true });
	const el = h('fieldset', { class: 'field picker', 'data-field': opts.name },
		h('legend', {}, tx(opts.label),
			opts.optional ? null : h('span', { class: 'req', 'aria-hidden': 'true' }, ' *')),
		opts.hideRoot ? null : h('p', { class: 'picker-root' }, opts.root.name),
		selects, hint, err);
	const chosen = []; // a unit code per select, '' where none is chosen
	const maxI = levelIndex(opts.maxLevel);

	async function addLevel(parentCode, levelI) {
		if (levelI > maxI || levelI > 3)
			return;
		const level = LEVELS[levelI];
		const sel = h('select', {
			ariaLabel: 'level.' + level,
			'aria-describedby': [hint ? hint.id : null, err.id].filter(Boolean).join(' '),
			disabled: true,
		}, h('option', { value: '', i18n: 'loading' }));
		const depth = chosen.length;
		chosen.push('');
		selects.appendChild(h('div', { class: 'picker-level' }, sel));
		let r;
		try {
			r = await api('GET', opts.path || '/units', {
				query: { parent: parentCode }, anonymous: Boolean(opts.anonymous),
			});
		} catch (e) {
			sel.replaceChildren(h('option', { value: '', i18n: 'err.' + (e.code || 'unknown') }));
			return;
		}
		sel.replaceChildren(h('option', { value: '', i18n: 'picker.choose.' + level }));
		for (const u of r.units) {
			rememberUnit(u);
			sel.appendChild(h('option', { value: u.code }, u.name_with_type));
		}
		sel.disabled = r.units.length === 0;
		const onChange = () => {
			// Drop the levels below this one, then offer the next.
			while (selects.children.length > depth + 1)
				selects.lastChild.remove();
			chosen.length = depth + 1;
			chosen[depth] = sel.value;
			if (sel.value)
				addLevel(sel.value, levelI + 1);
		};
		sel.addEventListener('change', onChange);
		const start = opts.initial && opts.initial[depth];
		if (start && r.units.some((u) => u.code === start)) {
			sel.value = start;
			onChange();
		}
	}

	addLevel(opts.root.code, levelIndex(opts.root.level) + 1);

	function value() {
		let code = opts.root.code;
		let levelI = levelIndex(opts.root.level);
		for (let i = 0; i < chosen.length && chosen[i]; i++) {
			code = chosen[i];
			levelI = levelIndex(opts.root.level) + 1 + i;
		}
		return { code, level: LEVELS[levelI] };
	}

	function problem() {
		const v = value();
		if (levelIndex(v.level) < levelIndex(opts.minLevel))
			return { field: opts.name, i18n: 'check.choose' };
		return null;
	}

	function chosenCodes() {
		const i = chosen.indexOf('');
		return i < 0 ? chosen.slice() : chosen.slice(0, i);
	}

	return { el, value, problem, chosen: chosenCodes };
}
