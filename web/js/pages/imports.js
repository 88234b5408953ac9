// Nhập danh sách: upload a list of people (CSV, XLSX or XLS), follow the
// import while the server works through it, download the rows it turned
// down, and see the recent imports. Routes: #/imports, #/imports/{id}.
import { api, apiBlob } from '../api.js';
import {
	clearErrors, errorBox, field, h, notice, replace, saveBlob, showChecks, showError, tx,
} from '../dom.js';
import { applyI18n, fmtNum, fmtTime, messageText, t } from '../i18n.js';
import { canBrowsePeople } from '../roles.js';

const POLL_MS = 500;
const MAX_BYTES = 256 << 20; // the server's limit for an upload
// A running import not updated for this long was cut short (a restart);
// uploading the same file again finishes it.
const STALE_MS = 60 * 1000;
const ENCODINGS = ['', 'utf-8', 'windows-1258', 'tcvn3'];
const PREVIEW_ROWS = 200;

// The template's columns: the API's name, the Vietnamese header, required.
const COLUMNS = [
	['id_type', 'Loại giấy tờ', false],
	['id_number', 'Số CCCD/CMND', true],
	['full_name', 'Họ và tên', true],
	['birth_date', 'Ngày sinh', true],
	['gender', 'Giới tính', true],
	['phone', 'Số điện thoại', false],
	['commune_code', 'Mã xã', true],
	['address', 'Địa chỉ', false],
	['nationality', 'Quốc tịch', false],
	['priority_group', 'Nhóm ưu tiên', false],
];
const EXAMPLE = ['CCCD', '001090012345', 'Nguyễn Văn An', '17/05/1990', 'Nam',
	'0912345678', '00001', 'Số 1 phố Phúc Xá', 'VN', '1'];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// 1234567 -> "1,2 MB" (decimal units, as file managers show them)
function fmtSize(bytes) {
	const units = ['B', 'KB', 'MB', 'GB'];
	let v = bytes;
	let i = 0;
	while (v >= 1000 && i < units.length - 1) {
		v /= 1000;
		i++;
	}
	return `${fmtNum(i ? Math.round(v * 10) / 10 : v)} ${units[i]}`;
}

/* ---- CSV ----------------------------------------------------------------- */

function csvField(s) {
	return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

// RFC 4180 rows (quoted fields may hold commas, quotes, line breaks).
function parseCsv(text) {
	const rows = [];
	let row = [];
	let cell = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (quoted) {
			if (c === '"' && text[i + 1] === '"') {
				cell += '"';
				i++;
			} else if (c === '"') {
				quoted = false;
			} else {
				cell += c;
			}
		} else if (c === '"') {
			quoted = true;
		} else if (c === ',') {
			row.push(cell);
			cell = '';
		} else if (c === '\n' || c === '\r') {
			if (c === '\r' && text[i + 1] === '\n')
				i++;
			row.push(cell);
			rows.push(row);
			row = [];
			cell = '';
		} else {
			cell += c;
		}
	}
	if (cell || row.length) {
		row.push(cell);
		rows.push(row);
	}
	return rows;
}

function downloadTemplate() {
	const lines = [COLUMNS.map((c) => c[1]), EXAMPLE].map((r) => r.map(csvField).join(','));
	// The byte-order mark makes Excel read the file as UTF-8.
	const blob = new Blob(['\ufeff' + lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' });
	saveBlob(blob, 'mau-danh-sach-nguoi-dan.csv');
}

// "ds-phuc-xa.xlsx" -> "ds-phuc-xa-bi-tu-choi.csv"
function rejectsName(job) {
	const stem = String(job.file_name || 'danh-sach').replace(/\.[^.]*$/, '') || 'danh-sach';
	return `${stem}-bi-tu-choi.csv`;
}

// "birth_date: not a date: ..." in the reader's language when we know it.
function reasonText(reason) {
	const m = /^([a-z_]+): (.*)$/s.exec(reason);
	const [fieldName, message] = m ? [m[1], m[2]] : [null, reason];
	const said = messageText(message);
	if (said)
		return said;
	return fieldName ? `${t('imp.col.' + fieldName)}: ${message}` : message;
}

/* ---- one import ---------------------------------------------------------- */

// running, stale (running, but nothing moved for a while), done, failed
function jobState(j) {
	if (j.status !== 'running')
		return j.status;
	const at = Date.parse(j.updated_at || j.created_at);
	return Number.isFinite(at) && Date.now() - at > STALE_MS ? 'stale' : 'running';
}

function statusBadge(state) {
	const kind = { running: 'badge-info', stale: 'badge-warn', done: 'badge-ok', failed: 'badge-error' }[state] || 'badge-off';
	return h('span', { class: `badge ${kind}`, 'data-status': state, i18n: 'imp.status.' + state });
}

function stat(name, key) {
	const value = h('dd', { class: 'imp-stat-value', num: 0 });
	const box = h('div', { class: `imp-stat imp-stat-${name}`, 'data-count': name },
		h('dt', { i18n: key }), value);
	return { box, value };
}

function jobPanel(ctx, first) {
	let job = first;
	const badge = h('span', {});
	const started = h('p', { class: 'muted imp-started' });
	const bar = h('progress', { id: 'imp-bar', max: '1', value: '0' });
	const percent = h('span', { class: 'imp-percent', 'aria-hidden': 'true' });
	const stats = {
		rows: stat('rows', 'imp.rows'),
		accepted: stat('accepted', 'imp.accepted'),
		unchanged: stat('unchanged', 'imp.unchanged'),
		rejected: stat('rejected', 'imp.rejected'),
	};
	const outcome = h('div', { class: 'imp-outcome', 'aria-live': 'polite' });
	const panel = h('section', { class: 'card imp-job', id: 'imp-job', 'aria-labelledby': 'imp-job-title', 'data-import': String(job.id) },
		h('div', { class: 'imp-job-head' },
			h('h2', { id: 'imp-job-title', i18n: 'imp.jobTitle', args: { name: job.file_name } }),
			badge),
		started,
		h('div', { class: 'imp-progress' },
			h('label', { for: 'imp-bar', i18n: 'imp.progress' }), bar, percent),
		h('dl', { class: 'imp-stats' }, Object.values(stats).map((s) => s.box)),
		outcome);

	function show(j) {
		job = j;
		const state = jobState(j);
		replace(badge, statusBadge(state));
		replace(started, tx('imp.startedAt', { at: fmtTime(j.created_at) }));
		const p = j.status === 'done' ? 1 : Math.max(0, Math.min(1, Number(j.progress) || 0));
		bar.value = p;
		bar.setAttribute('aria-valuetext', t('imp.percent', { p: Math.round(p * 100) }));
		replace(percent, tx('imp.percent', { p: Math.round(p * 100) }));
		for (const [k, s] of Object.entries(stats)) {
			s.value.dataset.num = String(j[k] ?? 0);
			applyI18n(s.value);
		}
		stats.rejected.box.classList.toggle('imp-stat-bad', j.rejected > 0);
		panel.setAttribute('aria-busy', String(state === 'running'));
		showOutcome(j, state);
	}

	let shown = ''; // what the outcome area says, so a poll repeats nothing

	function showOutcome(j, state) {
		if (state === shown)
			return;
		shown = state;
		if (state === 'running') {
			replace(outcome, h('p', { class: 'hint' }, tx('imp.runningHint')));
			return;
		}
		if (state === 'stale') {
			// No more polling: it would keep the session alive for nothing.
			const again = h('button', { type: 'button', class: 'btn btn-small', i18n: 'imp.checkAgain' });
			again.addEventListener('click', () => { shown = ''; follow(0); });
			replace(outcome, h('div', { class: 'alert alert-warning' },
				h('p', { i18n: 'imp.interrupted' }), again));
			return;
		}
		const parts = [];
		if (j.status === 'failed') {
			// the reason in the file, told like an upload's 400
			const box = errorBox({ code: 'invalid_field', field: 'file', message: j.error || '' });
			box.append(h('p', { class: 'imp-plain', i18n: 'imp.failedHint' }));
			parts.push(box);
		} else if (j.rejected === 0) {
			parts.push(h('div', { class: 'alert alert-success', role: 'status' },
				tx(j.rows === 0 ? 'imp.noRows' : 'imp.allGood')));
		}
		if (j.rejected > 0)
			parts.push(...rejectsBlock(j));
		parts.push(h('div', { class: 'form-actions' },
			canBrowsePeople(ctx.me.role) && j.accepted + j.unchanged > 0
				? h('a', { class: 'btn', href: '#/citizens', i18n: 'imp.toCitizens' }) : null,
			h('a', { class: 'btn btn-link', href: '#/imports', i18n: 'imp.another' })));
		replace(outcome, parts);
	}

	// The rows turned down: how many, a download, and the reasons on the page.
	function rejectsBlock(j) {
		const status = h('div', { class: 'status-area' });
		const download = h('button', { type: 'button', class: 'btn btn-primary', id: 'imp-download', i18n: 'imp.download' });
		const toggle = h('button', { type: 'button', class: 'btn', 'aria-expanded': 'false', 'aria-controls': 'imp-reasons', i18n: 'imp.showReasons' });
		const reasons = h('div', { id: 'imp-reasons', hidden: true });
		let csv = null; // the rejected rows, fetched once (each fetch is audited)
		async function fetchRejects() {
			if (!csv)
				csv = await apiBlob(`/imports/${j.id}/rejects.csv`);
			return csv;
		}
		download.addEventListener('click', async () => {
			download.disabled = true;
			status.replaceChildren();
			try {
				const name = rejectsName(j);
				saveBlob(await fetchRejects(), name);
				notice(status, 'imp.downloaded', { name });
			} catch (e) {
				status.replaceChildren(errorBox(e));
			}
			download.disabled = false;
		});
		toggle.addEventListener('click', async () => {
			const open = reasons.hidden;
			toggle.setAttribute('aria-expanded', String(open));
			toggle.dataset.i18n = open ? 'imp.hideReasons' : 'imp.showReasons';
			toggle.textContent = t(toggle.dataset.i18n);
			reasons.hidden = !open;
			if (!open || reasons.childElementCount)
				return;
			try {
				reasons.append(reasonTable(await (await fetchRejects()).text()));
			} catch (e) {
				reasons.append(errorBox(e));
			}
		});
		return [
			h('div', { class: 'alert alert-warning', role: 'status' },
				h('p', {}, h('strong', {}, tx('imp.someRejected', { n: j.rejected }))),
				h('p', { class: 'imp-plain', i18n: 'imp.rejectedHint' }),
				h('div', { class: 'form-actions' }, download, toggle)),
			status, reasons,
		];
	}

	async function follow(wait = POLL_MS) {
		while (job.status === 'running' && shown !== 'stale') {
			await sleep(wait);
			wait = POLL_MS;
			if (!ctx.current())
				return;
			try {
				const r = await api('GET', `/imports/${job.id}`);
				if (!ctx.current())
					return;
				show(r.import);
			} catch (e) {
				if (!ctx.current())
					return;
				const again = h('button', { type: 'button', class: 'btn btn-small', i18n: 'retry' });
				again.addEventListener('click', () => { shown = ''; follow(0); });
				replace(outcome, h('div', { class: 'alert alert-error', role: 'alert' },
					h('p', { i18n: 'imp.pollError' }), errorBox(e).firstChild, again));
				return;
			}
		}
	}

	show(job);
	return { panel, follow };
}

// The rejected rows' file as a table: row number, what the row held and
// why it was turned down, in the reader's language where we know it.
function reasonTable(text) {
	const rows = parseCsv(text.replace(/^\ufeff/, '')).filter((r) => r.some((c) => c !== ''));
	const body = rows.slice(1, PREVIEW_ROWS + 1);
	const table = h('table', { class: 'table table-stack imp-reasons' },
		h('caption', { i18n: 'imp.reasonsTitle' }),
		h('thead', {}, h('tr', {},
			h('th', { scope: 'col', i18n: 'imp.row' }),
			h('th', { scope: 'col', i18n: 'imp.content' }),
			h('th', { scope: 'col', i18n: 'imp.reason' }))),
		h('tbody', {}, body.map((r) => {
			const reason = r[r.length - 1];
			const cells = r.slice(0, -2).filter(Boolean);
			return h('tr', {},
				h('td', { label: 'imp.row', class: 'num' }, r[r.length - 2]),
				h('td', { label: 'imp.content' }, cells.join(' · ')),
				h('td', { label: 'imp.reason', 'data-reason': reason }, reasonText(reason)));
		})));
	// the reasons follow the language switch
	const relabel = () => {
		for (const td of table.querySelectorAll('td[data-reason]'))
			td.textContent = reasonText(td.dataset.reason);
	};
	document.addEventListener('tc:lang', relabel);
	window.addEventListener('hashchange', () => document.removeEventListener('tc:lang', relabel), { once: true });
	return h('div', {}, table,
		rows.length - 1 > PREVIEW_ROWS ? h('p', { class: 'hint', i18n: 'imp.reasonsMore', args: { n: PREVIEW_ROWS } }) : null);
}

/* ---- uploading --------------------------------------------------------- */

function uploadForm() {
	// The browser's own file button speaks the browser's language; this
	// one follows the page's. The input stays in the page for the keyboard.
	const file = h('input', {
		type: 'file',
		class: 'file-input',
		accept: '.csv,.xlsx,.xls,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.ms-excel',
	});
	const chosen = h('span', { class: 'file-name', i18n: 'imp.noneChosen' });
	const encoding = h('select', {}, ENCODINGS.map((e) => h('option', { value: e, i18n: 'imp.encoding.' + (e || 'auto') })));
	const submit = h('button', { type: 'submit', class: 'btn btn-primary', i18n: 'imp.submit' });
	const fileField = field({ name: 'file', label: 'imp.file', input: file, hint: 'imp.fileHint', required: true });
	file.after(h('label', { for: file.id, class: 'file-pick', 'aria-hidden': 'true' },
		h('span', { class: 'btn btn-small file-button', i18n: 'imp.choose' }), chosen));
	file.addEventListener('change', () => {
		const f = file.files[0];
		if (f) {
			delete chosen.dataset.i18n;
			chosen.textContent = `${f.name} (${fmtSize(f.size)})`;
		} else {
			chosen.dataset.i18n = 'imp.noneChosen';
			applyI18n(chosen);
		}
	});
	const form = h('form', { class: 'form imp-form', novalidate: true },
		fileField,
		field({ name: 'encoding', label: 'imp.encoding', input: encoding, hint: 'imp.encodingHint' }),
		h('div', { class: 'form-actions' }, submit));
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clearErrors(form);
		const f = file.files[0];
		if (!f) {
			showChecks(form, [{ field: 'file', i18n: 'imp.noFile' }]);
			return;
		}
		if (f.size === 0 || f.size > MAX_BYTES) {
			showChecks(form, [{ field: 'file', i18n: f.size ? 'imp.tooBig' : 'imp.emptyFile' }]);
			return;
		}
		submit.disabled = true;
		submit.dataset.i18n = 'imp.uploading';
		submit.textContent = t('imp.uploading');
		try {
			const r = await api('POST', '/imports/citizens', {
				file: f,
				query: { name: f.name.slice(-200), encoding: encoding.value },
			});
			const to = `#/imports/${r.import.id}`;
			// an interrupted import resumes under its own id, maybe the one shown
			if (location.hash === to)
				window.dispatchEvent(new HashChangeEvent('hashchange'));
			else
				location.hash = to;
		} catch (e) {
			submit.disabled = false;
			submit.dataset.i18n = 'imp.submit';
			submit.textContent = t('imp.submit');
			showError(form, e.field === 'name' ? Object.assign(e, { field: 'file' }) : e);
		}
	});
	return h('section', { class: 'card form-card', 'aria-labelledby': 'imp-upload-title' },
		h('h2', { id: 'imp-upload-title', i18n: 'imp.uploadTitle' }), form);
}

function templateCard() {
	const rows = COLUMNS.map(([name, vi, required]) => h('tr', {},
		h('td', { label: 'imp.colVi' }, h('strong', {}, vi)),
		h('td', { label: 'imp.colEn' }, h('code', {}, name)),
		h('td', { label: 'imp.colRequired' }, required
			? h('span', { class: 'badge badge-warn', i18n: 'imp.yes' })
			: h('span', { class: 'muted', i18n: 'imp.no' })),
		h('td', { label: 'imp.colHow', i18n: 'imp.how.' + name })));
	const get = h('button', { type: 'button', class: 'btn', id: 'imp-template', i18n: 'imp.template', on: { click: downloadTemplate } });
	return h('section', { class: 'card imp-template', 'aria-labelledby': 'imp-template-title' },
		h('h2', { id: 'imp-template-title', i18n: 'imp.templateTitle' }),
		h('p', { i18n: 'imp.templateIntro' }),
		h('table', { class: 'table table-stack imp-columns' },
			h('thead', {}, h('tr', {},
				h('th', { scope: 'col', i18n: 'imp.colVi' }),
				h('th', { scope: 'col', i18n: 'imp.colEn' }),
				h('th', { scope: 'col', i18n: 'imp.colRequired' }),
				h('th', { scope: 'col', i18n: 'imp.colHow' }))),
			h('tbody', {}, rows)),
		h('ul', { class: 'imp-notes' },
			h('li', { i18n: 'imp.formats' }),
			h('li', { i18n: 'imp.zeros' }),
			h('li', { i18n: 'imp.again' })),
		h('div', { class: 'form-actions' }, get),
		h('p', { class: 'hint', i18n: 'imp.templateHint' }));
}

/* ---- recent imports ------------------------------------------------------ */

function recentList(imports, currentId) {
	if (!imports.length)
		return h('p', { class: 'empty', i18n: 'imp.recentEmpty' });
	const num = (n, label) => h('td', { class: 'num', label, num: n ?? 0 });
	return h('table', { class: 'table table-stack', id: 'imp-table' },
		h('thead', {}, h('tr', {},
			h('th', { scope: 'col', i18n: 'imp.when' }),
			h('th', { scope: 'col', i18n: 'imp.fileCol' }),
			h('th', { scope: 'col', i18n: 'imp.statusCol' }),
			h('th', { scope: 'col', class: 'num', i18n: 'imp.rows' }),
			h('th', { scope: 'col', class: 'num', i18n: 'imp.accepted' }),
			h('th', { scope: 'col', class: 'num', i18n: 'imp.unchanged' }),
			h('th', { scope: 'col', class: 'num', i18n: 'imp.rejected' }))),
		h('tbody', {}, imports.map((j) => h('tr', {
			'data-import': String(j.id),
			class: String(j.id) === currentId ? 'is-current' : null,
		},
		h('td', { label: 'imp.when', class: 'nowrap' }, h('span', { time: j.created_at })),
		h('td', { label: 'imp.fileCol' },
			h('a', { href: `#/imports/${j.id}`, class: 'strong-link', ariaLabel: 'imp.openLabel', args: { name: j.file_name } }, j.file_name)),
		h('td', { label: 'imp.statusCol' }, statusBadge(jobState(j))),
		num(j.rows, 'imp.rows'),
		num(j.accepted, 'imp.accepted'),
		num(j.unchanged, 'imp.unchanged'),
		num(j.rejected, 'imp.rejected')))));
}

/* ---- the page ------------------------------------------------------------ */

export async function render(main, ctx) {
	const id = ctx.params[0] && /^\d+$/.test(ctx.params[0]) ? ctx.params[0] : null;
	main.append(h('h1', { i18n: 'imp.title' }), h('p', { class: 'muted imp-intro', i18n: 'imp.intro' }));
	let followJob = null;
	if (id) {
		try {
			const r = await api('GET', `/imports/${id}`);
			if (!ctx.current())
				return;
			const { panel, follow } = jobPanel(ctx, r.import);
			main.append(panel);
			followJob = follow;
		} catch (e) {
			if (!ctx.current())
				return;
			main.append(errorBox(e));
		}
	}
	const recent = h('section', { class: 'imp-recent', 'aria-labelledby': 'imp-recent-title' },
		h('h2', { id: 'imp-recent-title', i18n: 'imp.recent' }),
		h('p', { class: 'muted', i18n: 'loading' }));
	main.append(uploadForm(), recent, templateCard());
	if (followJob)
		followJob().then(() => ctx.current() && loadRecent(ctx, recent, id));
	await loadRecent(ctx, recent, id);
}

async function loadRecent(ctx, recent, id) {
	let r;
	try {
		r = await api('GET', '/imports', { query: { limit: 20 } });
	} catch (e) {
		if (ctx.current())
			recent.replaceChildren(recent.firstChild, errorBox(e));
		return;
	}
	if (ctx.current())
		recent.replaceChildren(recent.firstChild, recentList(r.imports, id));
}
