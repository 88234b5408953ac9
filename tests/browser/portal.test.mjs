// The citizen portal and the staff pages that work with people, in
// headless chromium against a running server:
//   TIEMCHUNG_SMS_PORT=PORT node tests/browser/portal.test.mjs http://127.0.0.1:PORT
// The server must send SMS to http://127.0.0.1:$TIEMCHUNG_SMS_PORT/sms:
// this file listens there and reads the one-time codes from the messages.
// One TAP line per check on stdout, diagnostics on stderr, screenshots in
// build/browser/portal-*.png and people-*.png.
import { args, check, exitStatus, launch, PASSWORD, report, shot, smsGateway, Watcher } from './lib.mjs';

const { base, smsPort } = args('portal.test.mjs', { sms: true });
const sms = await smsGateway(smsPort);

// The code of the first message to `to` (+84...) after the first `from`.
async function codeFor(to, from) {
	const m = await sms.wait((x) => x.to === to && x.kind === 'otp', from, `SMS to ${to}`);
	const c = /: (\d{6})\./.exec(m.text);
	if (!c)
		throw new Error(`no code in "${m.text}"`);
	return c[1];
}

/* ---- the browser ------------------------------------------------------------ */

const browser = await launch();

const watch = new Watcher(browser, [
	{ what: 'phone number too short', status: 400, url: /\/api\/v1\/auth\/otp$/ },
	{ what: 'wrong code', status: 401, url: /\/api\/v1\/auth\/otp\/verify$/ },
	{ what: 'too many wrong codes', status: 429, url: /\/api\/v1\/auth\/otp\/verify$/ },
	{ what: 'CCCD number against gender', status: 400, url: /\/api\/v1\/me\/people$/ },
]);

const ADULT = { name: 'Nguyễn Văn Ân', id: '001085012345', birth: '17/05/1985', phone: '0912 000 111', intl: '+84912000111' };
const CHILD = { name: 'Nguyễn Bảo Ngọc', birth: '2019' };

function overflow(page) {
	return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

try {
	const page = await watch.page({
		viewport: { width: 390, height: 844 },
		deviceScaleFactor: 2,
		isMobile: true,
		hasTouch: true,
	});
	const collectCsp = () => watch.collect(page);
	const main = page.locator('main');

	/* ---- from the staff login to the portal ------------------------------ */

	await page.goto(base + '/');
	await check('the staff login page links to the citizen portal', async () => {
		await page.getByRole('link', { name: /Người dân: đăng ký tiêm và mã QR cá nhân/ }).click();
		await page.waitForURL(/\/portal\.html/);
		await page.getByRole('heading', { level: 1, name: 'Đăng ký tiêm và mã QR cá nhân' }).waitFor();
		if (await page.getAttribute('html', 'lang') !== 'vi')
			return 'html lang is not vi';
	});
	await shot(page, 'portal-phone');

	await check('an empty phone is marked without asking the server', async () => {
		await page.getByRole('button', { name: 'Nhận mã xác thực' }).click();
		await main.locator('[data-field="phone"] .field-error').getByText('Vui lòng nhập mục này.').waitFor();
	});
	await check('a short phone number gets the server\'s reason in Vietnamese, next to the field', async () => {
		await page.getByLabel('Số điện thoại di động').fill('09123');
		await page.getByRole('button', { name: 'Nhận mã xác thực' }).click();
		await main.locator('[data-field="phone"] .field-error')
			.getByText('Số di động có 10 chữ số, bắt đầu bằng 0.').waitFor();
	});

	/* ---- too many wrong codes ------------------------------------------- */

	await check('the resend button waits; five wrong codes end with "too many attempts" (429)', async () => {
		await page.getByLabel('Số điện thoại di động').fill('0987 111 222');
		await page.getByRole('button', { name: 'Nhận mã xác thực' }).click();
		await page.getByLabel('Mã xác thực').waitFor();
		const resend = page.locator('#portal-resend');
		if (!await resend.isDisabled() || !/Gửi lại mã sau \d+ giây/.test(await resend.innerText()))
			return `resend is "${await resend.innerText()}", enabled: ${!await resend.isDisabled()}`;
		const right = await codeFor('+84987111222', 0);
		const wrong = right === '000000' ? '111111' : '000000';
		const err = main.locator('[data-field="code"] .field-error');
		for (let i = 0; i < 4; i++) {
			await page.getByLabel('Mã xác thực').fill(wrong);
			await page.getByRole('button', { name: 'Xác nhận' }).click();
			await err.getByText('Mã xác thực không đúng.').waitFor();
			await page.getByLabel('Mã xác thực').fill('');
		}
		await page.getByLabel('Mã xác thực').fill(wrong);
		await page.getByRole('button', { name: 'Xác nhận' }).click();
		await err.getByText(/quá nhiều lần/).waitFor();
		// and the right code no longer works either
		await page.getByLabel('Mã xác thực').fill(right);
		await page.getByRole('button', { name: 'Xác nhận' }).click();
		await err.getByText(/quá nhiều lần/).waitFor();
	});
	await shot(page, 'portal-code-locked');
	await check('"Đổi số điện thoại" goes back to the phone number', async () => {
		await page.getByRole('button', { name: 'Đổi số điện thoại' }).click();
		await page.getByLabel('Số điện thoại di động').waitFor();
	});

	/* ---- signing in ---------------------------------------------------- */

	let from = sms.messages.length;
	await check('a phone number gets a code by SMS', async () => {
		await page.getByLabel('Số điện thoại di động').fill(ADULT.phone);
		await page.getByRole('button', { name: 'Nhận mã xác thực' }).click();
		await page.getByRole('heading', { level: 1, name: 'Nhập mã xác thực' }).waitFor();
		await main.getByText(`đến số ${ADULT.phone}`).waitFor();
		await codeFor(ADULT.intl, from);
	});
	await check('a wrong code says "Mã xác thực không đúng."', async () => {
		const right = await codeFor(ADULT.intl, from);
		await page.getByLabel('Mã xác thực').fill(right === '123456' ? '654321' : '123456');
		await page.getByRole('button', { name: 'Xác nhận' }).click();
		await main.locator('[data-field="code"] .field-error').getByText('Mã xác thực không đúng.').waitFor();
		if (await page.getByLabel('Mã xác thực').getAttribute('aria-invalid') !== 'true')
			return 'the code field is not marked aria-invalid';
	});
	await shot(page, 'portal-code');
	await check('the right code opens the household, empty at first', async () => {
		await page.getByLabel('Mã xác thực').fill(await codeFor(ADULT.intl, from));
		await page.getByRole('button', { name: 'Xác nhận' }).click();
		await page.getByRole('heading', { level: 1, name: 'Gia đình bạn' }).waitFor();
		await main.getByText('Những người đăng ký bằng số 0912\u00a0000\u00a0111').waitFor();
		await main.getByText('Chưa có ai đăng ký bằng số điện thoại này.').waitFor();
	});
	await check('the citizen token is kept apart from the staff token', async () => {
		const [citizen, staff] = await page.evaluate(() => [
			sessionStorage.getItem('tiemchung.citizen.token'), sessionStorage.getItem('tiemchung.token')]);
		if (!citizen)
			return 'no tiemchung.citizen.token';
		if (staff)
			return 'the citizen token was stored as the staff token';
	});
	await shot(page, 'portal-household-empty');

	/* ---- registering ---------------------------------------------------- */

	await check('the registration form is in Vietnamese with Nam/Nữ and the document types', async () => {
		await page.getByRole('link', { name: 'Đăng ký tiêm cho bản thân' }).click();
		await page.getByRole('heading', { level: 1, name: 'Đăng ký tiêm' }).waitFor();
		await main.getByLabel('Nam', { exact: true }).waitFor();
		await main.getByLabel('Nữ', { exact: true }).waitFor();
		const types = await main.getByLabel('Loại giấy tờ').locator('option').allInnerTexts();
		for (const want of ['Căn cước công dân (CCCD)', 'Chứng minh nhân dân (CMND)', 'Hộ chiếu (người nước ngoài)', 'Chưa có giấy tờ (trẻ em)'])
			if (!types.includes(want))
				return `no "${want}" in ${types.join(', ')}`;
		if (await overflow(page) > 0)
			return `the form is ${await overflow(page)}px wider than the phone`;
	});
	await check('an empty form marks the required fields without asking the server', async () => {
		await main.getByRole('button', { name: 'Đăng ký', exact: true }).click();
		for (const f of ['full_name', 'birth_date', 'gender', 'id_number', 'commune_code'])
			if (await main.locator(`[data-field="${f}"] .field-error:visible`).count() !== 1)
				return `${f} is not marked`;
	});
	await shot(page, 'portal-register-empty');
	await check('the place is chosen province → district → commune, each list asked without a token', async () => {
		const commune = main.locator('[data-field="commune_code"]');
		await commune.getByText('Xã/phường nơi ở').waitFor();
		const asked = [];
		const watch = (req) => {
			if (req.url().includes('/api/v1/public/units'))
				asked.push(req.headers().authorization || '');
		};
		page.on('request', watch);
		await commune.getByLabel('Tỉnh/Thành phố', { exact: true }).selectOption({ label: 'Thành phố Hà Nội' });
		await commune.getByLabel('Quận/Huyện', { exact: true }).selectOption({ label: 'Quận Ba Đình' });
		await commune.getByLabel('Xã/Phường/Thị trấn', { exact: true }).selectOption({ label: 'Phường Phúc Xá' });
		page.off('request', watch);
		if (asked.length !== 2)
			return `${asked.length} requests for the districts and communes`;
		if (asked.some(Boolean))
			return 'a units request carried the citizen token';
		if (await commune.locator('.field-error:visible').count())
			return 'the "required" mark stayed after choosing';
		if (await overflow(page) > 0)
			return `the selects are ${await overflow(page)}px wider than the phone`;
	});
	await shot(page, 'portal-register-place');
	await check('a CCCD number that says male for "Nữ" is refused next to the gender, in Vietnamese', async () => {
		await main.getByLabel('Họ và tên').fill(ADULT.name);
		await main.getByLabel('Ngày sinh').fill(ADULT.birth);
		await main.getByLabel('Nữ', { exact: true }).check();
		await main.getByLabel('Số giấy tờ').fill(ADULT.id);
		await main.getByRole('button', { name: 'Đăng ký', exact: true }).click();
		await main.locator('[data-field="gender"] .field-error')
			.getByText('Chữ số thứ 4 của số CCCD không khớp với giới tính đã chọn.').waitFor();
	});
	await shot(page, 'portal-register-error');
	await check('registering oneself shows the personal QR with the name and birth date', async () => {
		await main.getByLabel('Nam', { exact: true }).check();
		await main.getByRole('button', { name: 'Đăng ký', exact: true }).click();
		await main.getByText(`Đã đăng ký cho ${ADULT.name}.`).waitFor();
		await main.locator('.qr-name').getByText(ADULT.name).waitFor();
		await main.getByText(`Ngày sinh: ${ADULT.birth}`).waitFor();
		await main.getByText(`CCCD ${ADULT.id}`).waitFor();
		const img = main.locator('img.qr-img');
		await page.waitForFunction(() => {
			const i = document.querySelector('img.qr-img');
			return i && i.complete && i.naturalWidth > 0;
		});
		const box = await img.boundingBox();
		if (!box || box.width < 250)
			return `the QR is only ${box ? Math.round(box.width) : 0}px wide on a 390px phone`;
		if (await overflow(page) > 0)
			return 'the QR page is wider than the phone';
	});
	await shot(page, 'portal-qr');

	await check('a child without documents, born in 2019 (year only), with the parent as guardian and the parent\'s place', async () => {
		await page.getByRole('link', { name: /Quay lại danh sách/ }).click();
		await main.locator('.person-card').first().waitFor();
		await page.getByRole('link', { name: 'Đăng ký thêm người thân' }).click();
		await main.getByLabel('Họ và tên').fill(CHILD.name);
		await main.getByLabel('Ngày sinh').fill(CHILD.birth);
		await main.getByLabel('Nữ', { exact: true }).check();
		await main.getByLabel('Loại giấy tờ').selectOption('none');
		if (await main.getByLabel('Số giấy tờ').isVisible())
			return 'the number field is still shown for "no document"';
		// the parent's place is chosen to start with
		await page.waitForFunction(() => {
			const sels = document.querySelectorAll('[data-field="commune_code"] select');
			return sels.length === 3 && sels[2].value === '00001';
		});
		await main.getByLabel('Người giám hộ').selectOption({ label: ADULT.name });
		await main.getByRole('button', { name: 'Đăng ký', exact: true }).click();
		await main.locator('.qr-name').getByText(CHILD.name).waitFor();
		await main.getByText('Ngày sinh: 2019').waitFor();
		await main.getByText('Chưa có giấy tờ (trẻ em)').waitFor();
	});
	await check('the household lists both people, each with a QR button', async () => {
		await page.getByRole('link', { name: /Quay lại danh sách/ }).click();
		const cards = main.locator('.person-card');
		await cards.nth(1).waitFor();
		if (await cards.count() !== 2)
			return `${await cards.count()} people`;
		await main.getByRole('link', { name: `Xem mã QR của ${CHILD.name}` }).waitFor();
		await main.getByRole('link', { name: `Xem mã QR của ${ADULT.name}` }).waitFor();
		if (await overflow(page) > 0)
			return 'the list is wider than the phone';
	});
	await shot(page, 'portal-household');

	await check('in English the QR page says "Born:"', async () => {
		await main.getByRole('link', { name: `Xem mã QR của ${ADULT.name}` }).click();
		await main.locator('.qr-name').waitFor();
		await page.getByRole('button', { name: 'English' }).click();
		await main.getByText(`Born: ${ADULT.birth}`).waitFor();
		await page.getByRole('button', { name: 'Tiếng Việt' }).click();
		await main.getByText(`Ngày sinh: ${ADULT.birth}`).waitFor();
	});
	await check('logging out forgets the citizen token', async () => {
		await page.getByRole('button', { name: 'Đăng xuất' }).click();
		await main.getByText('Bạn đã đăng xuất.').waitFor();
		await page.getByLabel('Số điện thoại di động').waitFor();
		if (await page.evaluate(() => sessionStorage.getItem('tiemchung.citizen.token')))
			return 'the token is still stored';
	});
	await collectCsp();

	/* ---- staff: the citizens page ---------------------------------------- */

	await page.setViewportSize({ width: 1280, height: 860 });
	const nav = page.locator('nav.app-nav');
	async function login(username) {
		await page.goto(base + '/');
		await page.getByLabel('Tên đăng nhập').fill(username);
		await page.getByLabel('Mật khẩu').fill(PASSWORD);
		await page.getByRole('button', { name: 'Đăng nhập' }).click();
		await page.locator('header.app-header').waitFor();
	}
	await check('a district officer finds the new person by name without diacritics', async () => {
		await login('badinh');
		await nav.getByRole('link', { name: 'Người dân', exact: true }).click();
		await page.getByRole('heading', { level: 1, name: 'Người dân' }).waitFor();
		await main.getByLabel('Tìm theo họ tên').fill('nguyen van an');
		await main.getByRole('button', { name: 'Tìm', exact: true }).click();
		const rows = main.locator('#cit-table tbody tr');
		// the page lists the district's people first: wait for the search's
		// answer to replace that list, however slow the server is
		try {
			await page.waitForFunction(() =>
				document.querySelectorAll('#cit-table tbody tr').length === 1);
		} catch {
			return `${await rows.count()} rows`;
		}
		await rows.getByRole('link', { name: ADULT.name }).waitFor();
		await rows.first().getByText('Phường Phúc Xá').waitFor();
	});
	await shot(page, 'people-search');
	await check('the person\'s record shows the document and the QR image', async () => {
		await main.locator('#cit-table').getByRole('link', { name: ADULT.name }).click();
		await page.getByRole('heading', { level: 1, name: ADULT.name }).waitFor();
		await main.getByText(`CCCD ${ADULT.id}`).waitFor();
		await page.waitForFunction(() => {
			const i = document.querySelector('img.qr-img');
			return i && i.complete && i.naturalWidth > 0;
		});
	});
	await shot(page, 'people-record');
	await page.getByRole('button', { name: 'Đăng xuất' }).click();
	await page.locator('form.login-form').waitFor();

	/* ---- staff: check-in on a tablet -------------------------------------- */

	await page.setViewportSize({ width: 1024, height: 768 });
	await check('site staff find the person by a typed ID number (with spaces)', async () => {
		await login('phucxa.staff');
		await nav.getByRole('link', { name: 'Tiếp đón', exact: true }).click();
		await page.getByRole('heading', { level: 1, name: 'Tiếp đón' }).waitFor();
		const box = main.getByLabel('Quét mã QR hoặc nhập số CCCD/CMND');
		if (!await box.evaluate((el) => el === document.activeElement))
			return 'the scan box does not have the focus';
		await box.fill('001 085 012 345');
		await box.press('Enter');
		const card = main.locator('.ck-person');
		await card.locator('.ck-name').getByText(ADULT.name).waitFor();
		await card.getByText('Đã tiếp đón').waitFor();
		await card.getByText('17/05/1985').waitFor();
		if (await box.inputValue() !== '')
			return 'the box was not cleared for the next scan';
	});
	await shot(page, 'people-checkin');
	await check('a CCCD card QR that disagrees with the record lists the difference', async () => {
		const box = main.getByLabel('Quét mã QR hoặc nhập số CCCD/CMND');
		await box.fill(`${ADULT.id}||Nguyễn Văn Anh|17051985|Nam|Phúc Xá, Ba Đình, Hà Nội|01012021`);
		await box.press('Enter');
		await main.locator('.differences').getByText('Thẻ CCCD khác với hồ sơ').waitFor();
		await main.locator('.differences tr[data-diff="full_name"]').getByText('Nguyễn Văn Anh').waitFor();
	});
	await check('an unknown card registers in one step and shows as checked in', async () => {
		const box = main.getByLabel('Quét mã QR hoặc nhập số CCCD/CMND');
		await box.fill('001095001234||Lê Văn Cường|02031995|Nam|12 Phúc Xá, Ba Đình, Hà Nội|01012021');
		await box.press('Enter');
		const form = main.locator('.ck-result form');
		await form.getByLabel('Họ và tên').waitFor();
		if (await form.getByLabel('Họ và tên').inputValue() !== 'Lê Văn Cường')
			return 'the name is not taken from the card';
		if (await form.getByLabel('Số giấy tờ').inputValue() !== '001095001234')
			return 'the number is not taken from the card';
		// the site's own commune is chosen to start with
		await page.waitForFunction(() => {
			const sels = document.querySelectorAll('.ck-result [data-field="commune_code"] select');
			return sels.length === 3 && sels[2].value === '00001';
		});
		if (await overflow(page) > 0)
			return 'the check-in page is wider than the tablet';
		await shot(page, 'people-checkin-register');
		await form.getByRole('button', { name: 'Đăng ký và tiếp đón' }).click();
		const card = main.locator('.ck-person');
		await card.locator('.ck-name').getByText('Lê Văn Cường').waitFor();
		await card.getByText('Đã đăng ký và tiếp đón').waitFor();
		await main.locator('.ck-recent').getByText('Lê Văn Cường').waitFor();
	});
	await shot(page, 'people-checkin-registered');

	await collectCsp();
	await watch.finalChecks();
} catch (e) {
	report(false, 'the test ran to its end', e.stack);
} finally {
	await browser.close();
	sms.close();
}

process.exit(exitStatus());
