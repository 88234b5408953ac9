// Drives the web pages in headless chromium against a running server:
//   node tests/browser/landing.test.mjs http://127.0.0.1:PORT
// Expects the seed-demo accounts. One TAP line per check on stdout,
// diagnostics on stderr, screenshots in build/browser/.
import { args, check, exitStatus, launch, PASSWORD, report, shot, Watcher } from './lib.mjs';

const { base } = args('landing.test.mjs');

function fail(msg) {
	throw new Error(msg);
}

const browser = await launch();

// Console errors and CSP violations, all kept for the final checks. The
// test provokes a few failed requests on purpose (wrong password, a
// taken username, an ended session); chromium logs each as "Failed to
// load resource", and those must be exactly the expected ones.
const watch = new Watcher(browser, [
	{ what: 'wrong password', status: 401, url: /\/api\/v1\/auth\/login$/ },
	{ what: 'taken username', status: 409, url: /\/api\/v1\/users$/ },
	{ what: 'ended session', status: 401, url: /\/api\/v1\/units/ },
]);

try {
	const page = await watch.page({
		viewport: { width: 1280, height: 860 },
	});
	const collectCsp = () => watch.collect(page);

	const nav = page.locator('nav.app-nav');
	const navLink = (name) => nav.getByRole('link', { name, exact: true });
	const main = page.locator('main');

	async function login(username) {
		await page.getByLabel('Tên đăng nhập').fill(username);
		await page.getByLabel('Mật khẩu').fill(PASSWORD);
		await page.getByRole('button', { name: 'Đăng nhập' }).click();
		await page.locator('header.app-header').waitFor();
	}

	/* ---- login page ---------------------------------------------------- */

	await page.goto(base + '/');
	await check('the login form is in Vietnamese', async () => {
		await page.locator('form.login-form').waitFor();
		const lang = await page.getAttribute('html', 'lang');
		if (lang !== 'vi')
			return `html lang is ${lang}`;
		await page.getByRole('heading', { name: 'Đăng nhập' }).waitFor();
		await page.getByLabel('Tên đăng nhập').waitFor();
		await page.getByLabel('Mật khẩu').waitFor();
		await page.getByRole('button', { name: 'Đăng nhập' }).waitFor();
		const title = await page.title();
		if (title !== 'Tiêm chủng COVID-19')
			return `title is ${title}`;
	});
	await shot(page, 'login');

	await check('an empty login form marks both fields, without asking the server', async () => {
		await page.getByRole('button', { name: 'Đăng nhập' }).click();
		const errs = page.locator('.login-form .field-error:visible');
		await errs.first().waitFor();
		if (await errs.count() !== 2)
			return `${await errs.count()} field errors`;
		const invalid = await page.getByLabel('Tên đăng nhập').getAttribute('aria-invalid');
		if (invalid !== 'true')
			return 'username not marked aria-invalid';
	});

	await check('a wrong password shows "Sai tên đăng nhập hoặc mật khẩu"', async () => {
		await page.getByLabel('Tên đăng nhập').fill('hanoi');
		await page.getByLabel('Mật khẩu').fill('not-the-password');
		await page.getByRole('button', { name: 'Đăng nhập' }).click();
		await page.locator('.form-alert').getByText('Sai tên đăng nhập hoặc mật khẩu.').waitFor();
	});
	await shot(page, 'login-error');

	/* ---- hanoi: landing ------------------------------------------------ */

	await check('hanoi logs in and lands on the overview', async () => {
		await login('hanoi');
		await page.getByRole('heading', { level: 1, name: 'Xin chào, hanoi' }).waitFor();
		if (!/Tiêm chủng COVID-19/.test(await page.locator('header .brand').innerText()))
			return 'no product name in the header';
	});
	await check('the header shows the role and the jurisdiction "Thành phố Hà Nội"', async () => {
		const header = page.locator('header.app-header .user-block');
		await header.getByText('hanoi', { exact: true }).waitFor();
		await header.getByText('Cán bộ Sở Y tế', { exact: true }).waitFor();
		await header.getByText('Thành phố Hà Nội', { exact: true }).waitFor();
		await main.getByText('Thành phố Hà Nội').first().waitFor();
	});
	await check('the overview shows when the session expires', async () => {
		const dd = main.locator('dt:has-text("Hết hạn lúc") + dd');
		const text = (await dd.innerText()).trim();
		if (!/\d{1,2}:\d{2}/.test(text))
			return `expiry shows "${text}"`;
		await main.getByText('30 phút').waitFor();
	});
	await check('the menu is the admin menu', async () => {
		for (const name of ['Tổng quan', 'Buổi tiêm hôm nay', 'Tiếp đón', 'Người dân', 'Đăng ký tiêm', 'Buổi tiêm', 'Kho vắc xin', 'Nhập danh sách', 'Đơn vị hành chính', 'Cơ sở', 'Tài khoản cán bộ', 'Nhật ký'])
			if (await navLink(name).count() !== 1)
				return `no menu link "${name}"`;
		if (await navLink('Tổng quan').getAttribute('aria-current') !== 'page')
			return 'overview is not marked as the current page';
	});
	await check('the logout button is there', async () => {
		await page.getByRole('button', { name: 'Đăng xuất' }).waitFor();
	});
	await shot(page, 'landing');

	/* ---- language switch ----------------------------------------------- */

	await check('switching to English changes the menu', async () => {
		await page.locator('header').getByRole('button', { name: 'English' }).click();
		await navLink('Staff accounts').waitFor();
		if (await navLink('Tài khoản cán bộ').count() !== 0)
			return 'the Vietnamese label is still there';
		await page.locator('header').getByText('Provincial health officer').waitFor();
		if (await page.getAttribute('html', 'lang') !== 'en')
			return 'html lang is not en';
		await page.getByRole('heading', { level: 1, name: 'Hello, hanoi' }).waitFor();
	});
	await shot(page, 'landing-en');
	await check('after a reload the page is still English and still signed in', async () => {
		await collectCsp();
		await page.reload();
		await navLink('Staff accounts').waitFor();
		await page.getByRole('button', { name: 'Log out' }).waitFor();
	});
	await check('switching back to Tiếng Việt', async () => {
		await page.locator('header').getByRole('button', { name: 'Tiếng Việt' }).click();
		await navLink('Tài khoản cán bộ').waitFor();
		if (await page.getAttribute('html', 'lang') !== 'vi')
			return 'html lang is not vi';
	});

	/* ---- units ------------------------------------------------------------ */

	await check('the units page lists the provinces', async () => {
		await navLink('Đơn vị hành chính').click();
		await page.getByRole('heading', { level: 1, name: 'Đơn vị hành chính' }).waitFor();
		await main.locator('table').getByRole('link', { name: 'Thành phố Hà Nội' }).waitFor();
		const rows = await main.locator('table tbody tr').count();
		if (rows < 60)
			return `only ${rows} provinces`;
	});
	await check('Hà Nội\'s districts include "Ba Đình"', async () => {
		await main.locator('table').getByRole('link', { name: 'Thành phố Hà Nội' }).click();
		await main.locator('h2', { hasText: 'Thành phố Hà Nội' }).waitFor();
		await main.locator('table').getByRole('link', { name: 'Quận Ba Đình' }).waitFor();
		const crumbs = (await main.locator('.breadcrumb').innerText()).replace(/\s+/g, ' ');
		if (!/Việt Nam.*Thành phố Hà Nội/.test(crumbs))
			return `breadcrumb "${crumbs}"`;
	});
	await check('the unit search ignores diacritics ("ba dinh" finds Ba Đình)', async () => {
		await main.getByLabel('Tìm theo tên hoặc mã').fill('ba dinh');
		const visible = main.locator('table tbody tr:visible');
		if (await visible.count() !== 1)
			return `${await visible.count()} rows visible`;
		await visible.getByText('Quận Ba Đình').waitFor();
		await main.getByLabel('Tìm theo tên hoặc mã').fill('');
	});
	await shot(page, 'units');

	/* ---- facilities ------------------------------------------------------ */

	await check('the facilities page lists Trạm Y tế phường Phúc Xá', async () => {
		await navLink('Cơ sở').click();
		await main.locator('table').getByText('Trạm Y tế phường Phúc Xá').waitFor();
		await main.locator('table').getByText('Điểm tiêm chủng').first().waitFor();
	});
	await check('the facility form marks a missing name and capacity next to the fields', async () => {
		await main.getByRole('button', { name: 'Thêm cơ sở' }).click();
		const form = main.locator('#fac-create form');
		await form.getByRole('button', { name: 'Lưu' }).click();
		await form.locator('[data-field="name"] .field-error').getByText('Tên cần ít nhất 2 ký tự.').waitFor();
		await form.locator('[data-field="daily_capacity"] .field-error').waitFor();
	});
	await check('a province officer adds a vaccination site in Phường Phúc Xá', async () => {
		const form = main.locator('#fac-create form');
		await form.getByLabel('Tên cơ sở').fill('Điểm tiêm Trường THCS Phúc Xá');
		await form.getByLabel('Quận/Huyện').selectOption({ label: 'Quận Ba Đình' });
		await form.getByLabel('Xã/Phường/Thị trấn').selectOption({ label: 'Phường Phúc Xá' });
		await form.getByLabel('Địa chỉ').fill('Phường Phúc Xá, Quận Ba Đình, Hà Nội');
		await form.getByLabel('Công suất (mũi/ngày)').fill('500');
		await shot(page, 'facility-form');
		await form.getByRole('button', { name: 'Lưu' }).click();
		await main.locator('.alert-success').getByText('Đã thêm cơ sở “Điểm tiêm Trường THCS Phúc Xá”.').waitFor();
		await main.locator('table').getByText('Điểm tiêm Trường THCS Phúc Xá').waitFor();
	});
	await shot(page, 'facilities');

	/* ---- staff accounts -------------------------------------------------- */

	await check('the staff accounts page lists badinh with its district', async () => {
		await navLink('Tài khoản cán bộ').click();
		const row = main.locator('tr[data-username="badinh"]');
		await row.waitFor();
		await row.getByText('Cán bộ Trung tâm Y tế quận/huyện').waitFor();
		await row.getByText('Quận Ba Đình').waitFor();
	});
	await check('a taken username is reported next to the username field', async () => {
		await main.getByRole('button', { name: 'Tạo tài khoản' }).click();
		const form = main.locator('#users-create form');
		await form.getByLabel('Tên đăng nhập').fill('badinh');
		await form.getByLabel('Mật khẩu ban đầu').fill('mot-mat-khau-dai');
		await form.getByLabel('Vai trò').selectOption('district_centre');
		await form.getByLabel('Quận/Huyện').selectOption({ label: 'Quận Ba Đình' });
		await form.getByRole('button', { name: 'Tạo tài khoản' }).click();
		await form.locator('[data-field="username"] .field-error')
			.getByText('Tên đăng nhập này đã có người dùng.').waitFor();
		if (await form.getByLabel('Tên đăng nhập').getAttribute('aria-invalid') !== 'true')
			return 'the field is not marked aria-invalid';
	});
	await shot(page, 'users');
	await check('a new site staff account is created and then disabled', async () => {
		const form = main.locator('#users-create form');
		await form.getByLabel('Tên đăng nhập').fill('phucxa.staff2');
		await form.getByLabel('Mật khẩu ban đầu').fill('mot-mat-khau-dai');
		await form.getByLabel('Vai trò').selectOption('site_staff');
		await form.locator('[data-field="facility"] select').selectOption({ label: 'Trạm Y tế phường Phúc Xá' });
		await form.getByRole('button', { name: 'Tạo tài khoản' }).click();
		await main.locator('.alert-success').getByText('Đã tạo tài khoản “phucxa.staff2”.').waitFor();
		const row = main.locator('tr[data-username="phucxa.staff2"]');
		await row.getByText('Trạm Y tế phường Phúc Xá').waitFor();
		await row.getByRole('button', { name: 'Khóa tài khoản phucxa.staff2' }).click();
		await row.getByRole('button', { name: 'Khóa', exact: true }).click();
		await main.locator('.alert-success').getByText('Đã khóa tài khoản “phucxa.staff2”.').waitFor();
		await main.locator('tr[data-username="phucxa.staff2"]').getByText('Đã khóa').waitFor();
	});

	/* ---- audit ---------------------------------------------------------- */

	await check('the audit log shows the disabling, filtered by account', async () => {
		await main.locator('tr[data-username="phucxa.staff2"]').getByRole('link', { name: 'Nhật ký' }).click();
		await page.getByRole('heading', { level: 1, name: 'Nhật ký hoạt động' }).waitFor();
		const rows = main.locator('#audit-table tbody tr');
		await rows.first().waitFor();
		if (await rows.count() !== 2)
			return `${await rows.count()} entries for the account`;
		await rows.first().getByText('Khóa', { exact: true }).waitFor();
		await rows.first().getByText('Trạng thái: Đang hoạt động → Đã khóa').waitFor();
		await rows.nth(1).getByText('Tạo mới').waitFor();
	});
	await check('the whole audit log shows hanoi\'s login', async () => {
		await main.getByRole('link', { name: 'Bỏ lọc' }).click();
		await main.locator('#audit-table tbody tr', { hasText: 'Đăng nhập' }).filter({ hasText: 'hanoi' }).first().waitFor();
	});
	await shot(page, 'audit');

	/* ---- logout, then site staff --------------------------------------- */

	await check('logging out returns to the login page', async () => {
		await page.getByRole('button', { name: 'Đăng xuất' }).click();
		await page.locator('form.login-form').waitFor();
		await page.getByText('Bạn đã đăng xuất.').waitFor();
		const tok = await page.evaluate(() => sessionStorage.getItem('tiemchung.token'));
		if (tok)
			return 'the token is still stored';
	});

	await page.setViewportSize({ width: 768, height: 1024 });
	await check('phucxa.staff logs in and sees the site', async () => {
		await login('phucxa.staff');
		const header = page.locator('header.app-header');
		await header.getByText('Nhân viên điểm tiêm', { exact: true }).waitFor();
		await header.getByText('Trạm Y tế phường Phúc Xá', { exact: true }).waitFor();
	});
	await check('site staff have no staff-accounts or audit menu entry', async () => {
		await navLink('Tổng quan').waitFor();
		if (await navLink('Tài khoản cán bộ').count() !== 0)
			return 'a staff-accounts link is shown';
		if (await navLink('Nhật ký').count() !== 0)
			return 'an audit link is shown';
		if (await main.getByRole('link', { name: /Tài khoản cán bộ/ }).count() !== 0)
			return 'the overview links to staff accounts';
	});
	await check('site staff reaching #/users by hand get the overview', async () => {
		await page.goto(base + '/#/users');
		await page.getByRole('heading', { level: 1, name: 'Xin chào, phucxa.staff' }).waitFor();
	});
	await shot(page, 'staff-tablet');

	await page.setViewportSize({ width: 390, height: 844 });
	await check('on a phone the facilities list fits the screen', async () => {
		await navLink('Cơ sở').click();
		await main.locator('table').getByText('Trạm Y tế phường Phúc Xá').waitFor();
		const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		if (overflow > 0)
			return `the page is ${overflow}px wider than the screen`;
	});
	await shot(page, 'staff-phone');
	await page.setViewportSize({ width: 1280, height: 860 });

	/* ---- every demo account, every page of its menu --------------------- */

	// Check-in for those who look people up to vaccinate them, the
	// citizens list for those who keep the records, registrations for the
	// offices, communes and the support centre, sessions for the offices
	// and the sites, the vaccine stock for all but the communes and the
	// support centre, imports for the offices, communes and site managers
	// (src/http/routes.c).
	const ALL = ['Tổng quan', 'Buổi tiêm hôm nay', 'Tiếp đón', 'Người dân', 'Đăng ký tiêm', 'Buổi tiêm', 'Kho vắc xin', 'Nhập danh sách',
		'Đơn vị hành chính', 'Cơ sở', 'Tài khoản cán bộ', 'Nhật ký'];
	const without = (...drop) => ALL.filter((x) => !drop.includes(x));
	const accounts = [
		['admin', 'Quản trị viên quốc gia', 'Việt Nam', ALL],
		['badinh', 'Cán bộ Trung tâm Y tế quận/huyện', 'Quận Ba Đình', ALL],
		['phucxa.manager', 'Quản lý điểm tiêm', 'Trạm Y tế phường Phúc Xá', without('Người dân', 'Đăng ký tiêm')],
		['phucxa.officer', 'Cán bộ tổ công tác xã/phường', 'Phường Phúc Xá',
			without('Buổi tiêm hôm nay', 'Tiếp đón', 'Buổi tiêm', 'Kho vắc xin', 'Tài khoản cán bộ', 'Nhật ký')],
		['mcc', 'Nhân viên Trung tâm hỗ trợ (MCC)', 'Việt Nam',
			without('Buổi tiêm hôm nay', 'Tiếp đón', 'Buổi tiêm', 'Kho vắc xin', 'Nhập danh sách', 'Tài khoản cán bộ', 'Nhật ký')],
		['viewer', 'Người xem báo cáo', 'Việt Nam',
			without('Buổi tiêm hôm nay', 'Tiếp đón', 'Người dân', 'Đăng ký tiêm', 'Buổi tiêm', 'Nhập danh sách', 'Tài khoản cán bộ', 'Nhật ký')],
	];
	for (const [user, role, place, menu] of accounts) {
		await check(`${user} sees "${role}", "${place}" and opens each of its ${menu.length} pages`, async () => {
			await page.getByRole('button', { name: 'Đăng xuất' }).click();
			await page.locator('form.login-form').waitFor();
			await login(user);
			const header = page.locator('header.app-header .user-block');
			await header.getByText(role, { exact: true }).waitFor();
			await header.getByText(place, { exact: true }).waitFor();
			const links = await nav.getByRole('link').allInnerTexts();
			if (links.join('|') !== menu.join('|'))
				return `menu is ${links.join(', ')}`;
			for (const name of menu.slice(1)) {
				await navLink(name).click();
				await main.locator('h1').waitFor();
				await main.locator('table:visible, .empty:visible, #ck-input').first().waitFor();
				if (await main.locator('.alert-error').count())
					return `${name}: ${await main.locator('.alert-error').first().innerText()}`;
			}
		});
	}

	/* ---- session end ----------------------------------------------------- */

	await check('an ended session returns to the login page with "Phiên đăng nhập đã hết hạn"', async () => {
		// A well-formed token the server does not know: as after a restart
		// or an idle timeout, the next call answers 401.
		await page.evaluate(() => sessionStorage.setItem('tiemchung.token', 'A'.repeat(43)));
		await navLink('Đơn vị hành chính').click();
		await page.locator('form.login-form').waitFor();
		await page.getByText('Phiên đăng nhập đã hết hạn').waitFor();
	});
	await shot(page, 'expired');

	await collectCsp();
	await watch.finalChecks();
} catch (e) {
	report(false, 'the test ran to its end', e.stack);
} finally {
	await browser.close();
}

process.exit(exitStatus());
