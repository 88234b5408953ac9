// The import page in headless chromium against a running server:
//   node tests/browser/imports.test.mjs http://127.0.0.1:PORT
// A district officer uploads a small list with good and bad rows, follows
// it to the end, downloads the rows turned down, imports the same file
// again (nobody is added twice) and finds an imported person on the
// citizens page. One TAP line per check on stdout, diagnostics on stderr,
// screenshots in build/browser/imports-*.png.
import { readFileSync } from 'node:fs';
import { args, check, exitStatus, launch, PASSWORD, report, shot, Watcher } from './lib.mjs';

const { base } = args('imports.test.mjs');

// Five people in Quận Ba Đình, as a commune would send them: a row-number
// column the import ignores, Vietnamese headers in their own order. Two
// rows are wrong: 30 February, and a commune code that does not exist.
const LIST = [
	'STT,Họ và tên,Ngày sinh,Giới tính,Số CCCD/CMND,Mã xã,Địa chỉ,Số điện thoại',
	'1,Trần Thị Bích,12/03/1990,Nữ,001190000111,00001,"Số 5, ngõ 2 Phúc Xá",0912 111 222',
	'2,Phạm Văn Dũng,30/02/1990,Nam,001090000222,00001,,',
	'3,Lê Văn Em,1985,Nam,001085000333,99999,,',
	'4,Hoàng Văn Phúc,05/1970,Nam,001070000444,00004,,',
	'5,Đỗ Minh Khôi,2021,Nam,,00001,,',
].join('\r\n') + '\r\n';
const FILE = { name: 'ds-phuc-xa.csv', mimeType: 'text/csv', buffer: Buffer.from(LIST, 'utf8') };

const browser = await launch();

const watch = new Watcher(browser, [
	{ what: 'a file without the columns', status: 400, url: /\/api\/v1\/imports\/citizens\?/ },
]);

try {
	const page = await watch.page({
		viewport: { width: 1280, height: 860 },
		acceptDownloads: true,
	});
	const collectCsp = () => watch.collect(page);
	const main = page.locator('main');
	const nav = page.locator('nav.app-nav');
	const job = main.locator('#imp-job');
	const count = (name) => job.locator(`[data-count="${name}"] dd`);
	async function counts() {
		const out = {};
		for (const k of ['rows', 'accepted', 'unchanged', 'rejected'])
			out[k] = (await count(k).innerText()).trim();
		return out;
	}
	async function login(username) {
		await page.goto(base + '/');
		await page.getByLabel('Tên đăng nhập').fill(username);
		await page.getByLabel('Mật khẩu').fill(PASSWORD);
		await page.getByRole('button', { name: 'Đăng nhập' }).click();
		await page.locator('header.app-header').waitFor();
	}
	async function upload(file) {
		await main.getByLabel('Tệp danh sách').setInputFiles(file);
		await main.locator('.file-name').getByText(file.name).waitFor();
		await main.getByRole('button', { name: 'Tải lên và nhập' }).click();
	}

	/* ---- the page ------------------------------------------------------- */

	await check('a district officer opens "Nhập danh sách" from the menu', async () => {
		await login('badinh');
		await nav.getByRole('link', { name: 'Nhập danh sách', exact: true }).click();
		await page.getByRole('heading', { level: 1, name: 'Nhập danh sách người dân' }).waitFor();
		await main.getByText('Chưa nhập tệp nào.').waitFor();
	});
	await check('the page explains the columns in Vietnamese and English, and which are required', async () => {
		const table = main.locator('table.imp-columns');
		for (const [vi, en] of [['Số CCCD/CMND', 'id_number'], ['Họ và tên', 'full_name'], ['Ngày sinh', 'birth_date'],
			['Giới tính', 'gender'], ['Mã xã', 'commune_code'], ['Nhóm ưu tiên', 'priority_group']]) {
			const row = table.locator('tbody tr', { hasText: en });
			if (!(await row.innerText()).includes(vi))
				return `no row with ${vi} / ${en}`;
		}
		const required = await table.locator('tbody tr', { has: page.locator('.badge-warn') }).locator('code').allInnerTexts();
		if (required.join(',') !== 'id_number,full_name,birth_date,gender,commune_code')
			return `required: ${required.join(', ')}`;
		await main.getByText(/Windows-1258 hoặc TCVN3/).waitFor();
	});
	await check('the template is a CSV with the Vietnamese headers and one example row', async () => {
		const [dl] = await Promise.all([
			page.waitForEvent('download'),
			main.getByRole('button', { name: 'Tải tệp mẫu (CSV)' }).click(),
		]);
		const text = readFileSync(await dl.path(), 'utf8');
		const lines = text.replace(/^\ufeff/, '').trim().split(/\r\n/);
		if (!text.startsWith('\ufeff'))
			return 'no byte-order mark for Excel';
		if (lines.length !== 2)
			return `${lines.length} lines`;
		if (lines[0] !== 'Loại giấy tờ,Số CCCD/CMND,Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Mã xã,Địa chỉ,Quốc tịch,Nhóm ưu tiên')
			return `header: ${lines[0]}`;
		if (!/\.csv$/.test(dl.suggestedFilename()))
			return `named ${dl.suggestedFilename()}`;
	});
	await shot(page, 'imports-page');

	await check('no file chosen is marked without asking the server', async () => {
		await main.getByRole('button', { name: 'Tải lên và nhập' }).click();
		await main.locator('[data-field="file"] .field-error').getByText('Vui lòng chọn tệp.').waitFor();
	});
	await check('a file without the name column gets the reason in Vietnamese, next to the file', async () => {
		await upload({ name: 'sai-cot.csv', mimeType: 'text/csv', buffer: Buffer.from('Tên,Ngày sinh\r\nA,1990\r\n') });
		await main.locator('[data-field="file"] .field-error').getByText(/Không thấy cột “.*”: dòng đầu tiên của tệp phải ghi tên các cột/).waitFor();
		if (await main.getByLabel('Tệp danh sách').getAttribute('aria-invalid') !== 'true')
			return 'the file field is not marked aria-invalid';
	});
	await shot(page, 'imports-bad-file');

	/* ---- importing -------------------------------------------------------- */

	await check('a list with 3 good and 2 bad rows ends with the counts 5 / 3 / 0 / 2', async () => {
		await upload(FILE);
		await page.waitForURL(/#\/imports\/\d+$/);
		await job.getByText('Tệp “ds-phuc-xa.csv”').waitFor();
		await job.locator('[data-status="done"]').getByText('Đã nhập xong').waitFor();
		const c = await counts();
		if (c.rows !== '5' || c.accepted !== '3' || c.unchanged !== '0' || c.rejected !== '2')
			return `counts ${JSON.stringify(c)}`;
		if (await job.locator('progress').evaluate((p) => p.value) !== 1)
			return 'the progress bar is not full';
		await job.getByText('100%').waitFor();
		for (const label of ['Tổng số dòng', 'Mới', 'Không đổi (đã có, giống hệt)', 'Bị từ chối'])
			await job.getByText(label, { exact: true }).waitFor();
		await job.getByText('Có 2 dòng bị từ chối và chưa được nhập.').waitFor();
	});
	await shot(page, 'imports-done');
	await check('the rows turned down are downloaded with their row numbers and reasons', async () => {
		const [dl] = await Promise.all([
			page.waitForEvent('download'),
			job.getByRole('button', { name: 'Tải về các dòng bị từ chối (CSV)' }).click(),
		]);
		if (dl.suggestedFilename() !== 'ds-phuc-xa-bi-tu-choi.csv')
			return `named ${dl.suggestedFilename()}`;
		const lines = readFileSync(await dl.path(), 'utf8').replace(/^\ufeff/, '').trim().split(/\r?\n/);
		if (!lines[0].endsWith(',row,reason'))
			return `header: ${lines[0]}`;
		if (lines.length !== 3)
			return `${lines.length - 1} rows`;
		if (!/Phạm Văn Dũng.*,3,.*birth_date/.test(lines[1]))
			return `first: ${lines[1]}`;
		if (!/Lê Văn Em.*,4,.*commune_code/.test(lines[2]))
			return `second: ${lines[2]}`;
		await job.getByText('Đã tải về tệp “ds-phuc-xa-bi-tu-choi.csv”.').waitFor();
	});
	await check('the reasons are shown on the page in Vietnamese', async () => {
		await job.getByRole('button', { name: 'Xem lý do từ chối' }).click();
		const rows = job.locator('table.imp-reasons tbody tr');
		await rows.nth(1).waitFor();
		await rows.nth(0).getByText('Ngày này không có trong lịch.').waitFor();
		await rows.nth(1).getByText('Không có xã/phường nào có mã này.').waitFor();
		if ((await rows.nth(0).locator('td').first().innerText()).trim() !== '3')
			return 'the first row number is not 3';
	});
	await shot(page, 'imports-reasons');
	await check('the recent imports list the file with its counts', async () => {
		const row = main.locator('#imp-table tbody tr', { hasText: 'ds-phuc-xa.csv' });
		await row.getByText('Đã nhập xong').waitFor();
		const cells = await row.locator('td.num').allInnerTexts();
		if (cells.join(' ') !== '5 3 0 2')
			return `counts ${cells.join(' ')}`;
	});
	await check('importing the same file again adds nobody: 5 / 0 / 3 / 2', async () => {
		const first = page.url();
		await upload(FILE);
		await page.waitForURL((u) => /#\/imports\/\d+$/.test(u.href) && u.href !== first);
		await job.locator('[data-status="done"]').waitFor();
		const c = await counts();
		if (c.rows !== '5' || c.accepted !== '0' || c.unchanged !== '3' || c.rejected !== '2')
			return `counts ${JSON.stringify(c)}`;
	});
	await check('in English the counts say "New" and "Turned down"', async () => {
		await page.locator('header').getByRole('button', { name: 'English' }).click();
		await job.getByText('New', { exact: true }).waitFor();
		await job.getByText('Turned down', { exact: true }).waitFor();
		await job.getByText('Unchanged (already on file, identical)').waitFor();
		await page.locator('header').getByRole('button', { name: 'Tiếng Việt' }).click();
		await job.getByText('Bị từ chối', { exact: true }).waitFor();
	});

	/* ---- the people imported ------------------------------------------- */

	await check('the citizens page finds an imported person, with her commune', async () => {
		await job.getByRole('link', { name: 'Xem danh sách người dân' }).click();
		await page.getByRole('heading', { level: 1, name: 'Người dân' }).waitFor();
		await main.getByLabel('Tìm theo họ tên').fill('tran thi bich');
		await main.getByRole('button', { name: 'Tìm', exact: true }).click();
		const rows = main.locator('#cit-table tbody tr');
		// the whole list shows her too until the search answers
		try {
			await page.waitForFunction(() => document.querySelectorAll('#cit-table tbody tr').length === 1);
		} catch (e) {
			return `${await rows.count()} rows`;
		}
		await rows.getByRole('link', { name: 'Trần Thị Bích' }).waitFor();
		await rows.first().getByText('Phường Phúc Xá').waitFor();
		await rows.first().getByText('12/03/1990').waitFor();
		await rows.getByRole('link', { name: 'Trần Thị Bích' }).click();
		await main.getByText('Nhập từ tệp').waitFor();
		await main.getByText('Số 5, ngõ 2 Phúc Xá').waitFor();
	});
	await shot(page, 'imports-citizen');

	/* ---- a phone ---------------------------------------------------------- */

	await page.setViewportSize({ width: 390, height: 844 });
	await check('on a phone the import page fits the screen', async () => {
		await nav.getByRole('link', { name: 'Nhập danh sách', exact: true }).click();
		const first = main.locator('#imp-table tbody tr').first();
		await first.getByRole('link').click();
		await job.locator('[data-status="done"]').waitFor();
		const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		if (overflow > 0)
			return `the page is ${overflow}px wider than the screen`;
	});
	await shot(page, 'imports-phone');

	await collectCsp();
	await watch.finalChecks();
} catch (e) {
	report(false, 'the test ran to its end', e.stack);
} finally {
	await browser.close();
}

process.exit(exitStatus());
