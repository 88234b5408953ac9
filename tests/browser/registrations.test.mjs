// Steps 2 and 3 of the vaccination flow in headless chromium against a
// running server:
//   TIEMCHUNG_SMS_PORT=PORT node tests/browser/registrations.test.mjs http://127.0.0.1:PORT
// A citizen registers on the portal and a commune officer registers a
// neighbour from the record; the province (hanoi) approves and allocates
// them to Ba Đình, on ticked rows and on a filter; the district (badinh)
// plans a session at Trạm Y tế phường Phúc Xá and schedules them into it;
// the appointment shows on the staff pages, arrives by SMS and shows on
// the portal; cancelling the session sends the person back. Like
// portal.test.mjs, this file is the SMS gateway the server posts to.
// One TAP line per check on stdout, diagnostics on stderr, screenshots in
// build/browser/registrations-*.png and sessions-*.png.
import { args, check, exitStatus, launch, PASSWORD, report, shot, smsGateway, Watcher } from './lib.mjs';

const { base, smsPort } = args('registrations.test.mjs', { sms: true });
const sms = await smsGateway(smsPort);

// The first message of `kind` to `to` (+84...) after the first `from`.
async function smsFor(to, kind, from) {
	const m = await sms.wait((x) => x.to === to && x.kind === kind, from, `${kind} SMS to ${to}`);
	return m.text;
}

/* ---- the people ----------------------------------------------------------- */

// Mai registers herself on the portal; Phúc, her neighbour without a
// phone, is registered by the commune officer. Both live in Phúc Xá.
// Lists put priority groups first, then the oldest: Mai, a health
// worker (group 1), comes before Phúc.
const MAI = {
	full_name: 'Lê Thị Mai', birth_date: '1970-04-12', gender: 'female', id_type: 'cmnd',
	id_number: '013456789', nationality: 'VN', commune_code: '00001', phone: '0913 222 333',
	priority_group: 1,
};
const MAI_INTL = '+84913222333';
const PHUC = {
	full_name: 'Ngô Văn Phúc', birth_date: '1955', gender: 'male', id_type: 'cmnd',
	id_number: '013456790', nationality: 'VN', commune_code: '00001',
};

async function apiAs(username, method, path, body) {
	const login = await fetch(`${base}/api/v1/auth/login`, {
		method: 'POST', headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ username, password: PASSWORD }),
	});
	const { token } = await login.json();
	const res = await fetch(`${base}/api/v1${path}`, {
		method,
		headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
		body: body ? JSON.stringify(body) : undefined,
	});
	const data = await res.json();
	await fetch(`${base}/api/v1/auth/logout`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
	if (!res.ok)
		throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(data)}`);
	return data;
}

// Tomorrow in Vietnam, "YYYY-MM-DD", and as the pages write it.
const tomorrow = (() => {
	const d = new Date(Date.now() + 86400000);
	return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(d);
})();
const tomorrowVi = tomorrow.split('-').reverse().join('/');

/* ---- the browser ------------------------------------------------------------ */

const browser = await launch();

const watch = new Watcher(browser, [
	{ what: 'a second registration of the same person', status: 409, url: /\/api\/v1\/registrations$/ },
]);

const newContext = (opts) => watch.page(opts);
const collectCsp = (page) => watch.collect(page);

async function portalSignIn(page, phone, intl) {
	const from = sms.messages.length;
	await page.goto(base + '/portal.html');
	await page.getByLabel('Số điện thoại di động').fill(phone);
	await page.getByRole('button', { name: 'Nhận mã xác thực' }).click();
	const text = await smsFor(intl, 'otp', from);
	const code = /: (\d{6})\./.exec(text);
	if (!code)
		throw new Error(`no code in "${text}"`);
	await page.getByLabel('Mã xác thực').fill(code[1]);
	await page.getByRole('button', { name: 'Xác nhận' }).click();
	await page.getByRole('heading', { level: 1, name: 'Gia đình bạn' }).waitFor();
}

try {
	let mai;
	let phuc;
	await check('two people of Phường Phúc Xá are on file (set up through the API)', async () => {
		mai = (await apiAs('phucxa.officer', 'POST', '/citizens', MAI)).citizen;
		phuc = (await apiAs('phucxa.officer', 'POST', '/citizens', PHUC)).citizen;
	});

	/* ---- the citizen registers on the portal ------------------------------ */

	const phone = await newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
	const card = phone.locator(`li[data-person="${mai.id}"]`);
	await check('on the portal, Mai is "Chưa đăng ký tiêm" with a button "Đăng ký tiêm"', async () => {
		await portalSignIn(phone, MAI.phone, MAI_INTL);
		await card.getByText('Chưa đăng ký tiêm').waitFor();
		await card.getByRole('button', { name: 'Đăng ký tiêm cho Lê Thị Mai' }).waitFor();
	});
	await check('"Đăng ký tiêm" registers her: "chờ duyệt", and the button is gone', async () => {
		await card.getByRole('button', { name: 'Đăng ký tiêm cho Lê Thị Mai' }).click();
		await phone.getByText('Đã đăng ký tiêm cho Lê Thị Mai.', { exact: false }).waitFor();
		await card.locator('[data-status="pending"]').getByText('Đã đăng ký tiêm, chờ duyệt').waitFor();
		if (await card.getByRole('button', { name: /Đăng ký tiêm/ }).count())
			return 'the button is still there';
	});
	await shot(phone, 'registrations-portal-pending');

	/* ---- the commune officer registers Phúc from his record ----------------- */

	const page = await newContext({ viewport: { width: 1280, height: 860 } });
	const main = page.locator('main');
	const nav = page.locator('nav.app-nav');
	async function login(username) {
		await page.goto(base + '/');
		if (await page.locator('#logout').count()) {
			await page.locator('#logout').click();
			await page.locator('form.login-form').waitFor();
		}
		await page.getByLabel('Tên đăng nhập').fill(username);
		await page.getByLabel('Mật khẩu').fill(PASSWORD);
		await page.getByRole('button', { name: 'Đăng nhập' }).click();
		await page.locator('header.app-header').waitFor();
	}
	const table = main.locator('#reg-table');
	const row = (name) => table.locator('tbody tr', { hasText: name });
	const outcome = main.locator('.reg-outcome');
	async function filterStatus(label) {
		await main.getByLabel('Trạng thái').selectOption({ label });
		await main.getByRole('button', { name: 'Lọc', exact: true }).click();
	}
	async function waitRows(count) {
		await page.waitForFunction((k) => document.querySelectorAll('#reg-table tbody tr').length === k
			|| (k === 0 && !document.querySelector('.empty[hidden]')), count);
	}

	await check('the commune officer registers Phúc from his record: "chờ Sở Y tế duyệt"', async () => {
		await login('phucxa.officer');
		await page.goto(`${base}/#/citizens/${phuc.id}`);
		await main.getByRole('heading', { level: 2, name: 'Tiêm chủng' }).waitFor();
		await main.getByRole('button', { name: 'Đăng ký tiêm' }).click();
		await main.getByText('Đã đăng ký tiêm cho “Ngô Văn Phúc”, đang chờ Sở Y tế duyệt.').waitFor();
	});
	await shot(page, 'registrations-citizen');
	await check('registering him again leads to the registration he has (409)', async () => {
		await page.reload();
		await main.getByRole('button', { name: 'Đăng ký tiêm' }).click();
		await main.getByText('Người này đã có đăng ký tiêm đang mở.').waitFor();
		await main.getByRole('link', { name: 'Xem đăng ký' }).click();
		await main.getByRole('heading', { level: 1, name: 'Ngô Văn Phúc' }).waitFor();
		await main.getByText('Chờ duyệt', { exact: true }).waitFor();
	});
	await check('the commune officer only reads the list: no boxes, no steps', async () => {
		await nav.getByRole('link', { name: 'Đăng ký tiêm', exact: true }).click();
		await page.getByRole('heading', { level: 1, name: 'Đăng ký tiêm' }).waitFor();
		await row('Ngô Văn Phúc').waitFor();
		if (await main.locator('input[type=checkbox]').count() || await main.locator('.reg-steps').count())
			return 'the officer is offered steps';
	});

	/* ---- the province approves and allocates ---------------------------------- */

	await check('hanoi opens "Đăng ký tiêm" on those waiting for approval', async () => {
		await login('hanoi');
		await nav.getByRole('link', { name: 'Đăng ký tiêm', exact: true }).click();
		await page.getByRole('heading', { level: 1, name: 'Đăng ký tiêm' }).waitFor();
		if (await main.getByLabel('Trạng thái').inputValue() !== 'pending')
			return 'the list does not start at "Chờ duyệt"';
		await waitRows(2);
		await row('Lê Thị Mai').getByText('Phường Phúc Xá').waitFor();
		await row('Lê Thị Mai').getByText('12/04/1970').waitFor();
	});
	await shot(page, 'registrations-province');
	await check('nothing ticked: "Duyệt" says to tick someone first', async () => {
		await main.getByRole('button', { name: 'Duyệt', exact: true }).click();
		await main.getByText(/Chưa chọn ai/).waitFor();
	});
	await check('ticking Mai and "Duyệt": "Đã thực hiện 1; bỏ qua 0."', async () => {
		await row('Lê Thị Mai').getByRole('checkbox', { name: 'Chọn Lê Thị Mai' }).check();
		await main.getByText('Đã chọn 1 người').waitFor();
		await main.getByText('Những người đã chọn trong danh sách (1)').waitFor();
		await main.getByRole('button', { name: 'Duyệt', exact: true }).click();
		const form = main.locator('form.reg-step-form');
		await form.getByText('Áp dụng cho 1 người đã chọn.').waitFor();
		await shot(page, 'registrations-approve-form');
		await form.getByRole('button', { name: 'Duyệt', exact: true }).click();
		await outcome.getByText('Đã thực hiện 1; bỏ qua 0.').waitFor();
		await waitRows(1);
		if (await row('Lê Thị Mai').count())
			return 'Mai is still waiting for approval';
	});
	await check('"all that match the filter" approves Phúc as well', async () => {
		await main.getByLabel('Tất cả người khớp bộ lọc, tối đa').check();
		await main.getByRole('button', { name: 'Duyệt', exact: true }).click();
		const form = main.locator('form.reg-step-form');
		await form.getByText(/Áp dụng cho tối đa 100 người khớp bộ lọc/).waitFor();
		await form.getByRole('button', { name: 'Duyệt', exact: true }).click();
		await outcome.getByText('Đã thực hiện 1; bỏ qua 0.').waitFor();
		await main.getByText('Không có đăng ký nào khớp với bộ lọc.').waitFor();
	});
	await check('"Chọn tất cả trên trang" and "Phân bổ về quận/huyện" send both to Quận Ba Đình', async () => {
		await filterStatus('Đã duyệt, chờ phân bổ');
		await waitRows(2);
		await main.getByLabel('Những người đã chọn trong danh sách').check();
		await main.getByLabel('Chọn tất cả trên trang').check();
		await main.getByText('Đã chọn 2 người').waitFor();
		await main.getByRole('button', { name: 'Phân bổ về quận/huyện…' }).click();
		const form = main.locator('form.reg-step-form');
		await form.getByRole('combobox', { name: 'Quận/Huyện' }).selectOption({ label: 'Quận Ba Đình' });
		await shot(page, 'registrations-allocate-form');
		await form.getByRole('button', { name: 'Phân bổ', exact: true }).click();
		await outcome.getByText('Đã thực hiện 2; bỏ qua 0.').waitFor();
	});
	await check('on the filter again, both are skipped: "đã được phân bổ về quận/huyện này rồi"', async () => {
		await filterStatus('Đã phân bổ, chờ xếp lịch');
		await waitRows(2);
		await row('Ngô Văn Phúc').getByText('Về Quận Ba Đình').waitFor();
		await main.getByLabel('Tất cả người khớp bộ lọc, tối đa').check();
		await main.getByRole('button', { name: 'Phân bổ về quận/huyện…' }).click();
		const form = main.locator('form.reg-step-form');
		await form.getByText('Áp dụng cho tối đa 100 người khớp bộ lọc', { exact: false }).waitFor();
		await form.getByRole('combobox', { name: 'Quận/Huyện' }).selectOption({ label: 'Quận Ba Đình' });
		await form.getByRole('button', { name: 'Phân bổ', exact: true }).click();
		await outcome.getByText('Đã thực hiện 0; bỏ qua 2.').waitFor();
		const skip = outcome.locator('[data-skip="already_there"]');
		await skip.getByText('Đã được phân bổ về quận/huyện này rồi').waitFor();
		const text = await skip.innerText();
		if (!/\(2 người\)/.test(text) || !/Lê Thị Mai/.test(text) || !/Ngô Văn Phúc/.test(text))
			return `the skipped line says "${text}"`;
	});
	await shot(page, 'registrations-skipped');
	await check('in English the outcome and the reasons are English', async () => {
		await page.locator('header').getByRole('button', { name: 'English' }).click();
		await outcome.getByText('Done for 0; skipped 2.').waitFor();
		await outcome.getByText('Already allocated to that district').waitFor();
		await page.locator('header').getByRole('button', { name: 'Tiếng Việt' }).click();
		await outcome.getByText('Đã thực hiện 0; bỏ qua 2.').waitFor();
	});

	/* ---- the district plans a session and schedules ----------------------------- */

	const sessions = main.locator('#ses-table');
	await check('badinh plans a session at Trạm Y tế phường Phúc Xá tomorrow, with one place', async () => {
		await login('badinh');
		await nav.getByRole('link', { name: 'Buổi tiêm', exact: true }).click();
		await page.getByRole('heading', { level: 1, name: 'Buổi tiêm' }).waitFor();
		await main.getByText('Chưa có buổi tiêm nào từ hôm nay trở đi.').waitFor();
		await main.getByRole('button', { name: 'Tạo buổi tiêm' }).click();
		const form = main.locator('#ses-create form');
		await form.getByLabel('Điểm tiêm').selectOption({ label: 'Trạm Y tế phường Phúc Xá' });
		await form.getByText('Công suất của điểm tiêm: 300 mũi/ngày.', { exact: false }).waitFor();
		await form.getByLabel('Ngày').fill(tomorrow);
		await form.getByLabel('Bắt đầu').fill('07:30');
		await form.getByLabel('Kết thúc').fill('11:00');
		await form.getByLabel('Vắc xin').selectOption({ label: 'Comirnaty' });
		await form.getByLabel('Số chỗ').fill('1');
		await shot(page, 'sessions-create');
		await form.getByRole('button', { name: 'Tạo buổi tiêm' }).click();
		await main.getByText(`Đã tạo buổi tiêm ngày ${tomorrowVi}, 07:30–11:00 tại Trạm Y tế phường Phúc Xá.`).waitFor();
		const r = sessions.locator('tbody tr', { hasText: 'Trạm Y tế phường Phúc Xá' });
		await r.getByText('0 / 1').waitFor();
		await r.getByText('Comirnaty').waitFor();
		await r.getByText('Đang nhận').waitFor();
	});
	await check('a session ending before it starts is refused on the page', async () => {
		await main.getByRole('button', { name: 'Tạo buổi tiêm' }).click();
		const form = main.locator('#ses-create form');
		await form.getByLabel('Bắt đầu').fill('13:00');
		await form.getByLabel('Kết thúc').fill('12:00');
		await form.getByRole('button', { name: 'Tạo buổi tiêm' }).click();
		await form.locator('[data-field="ends"] .field-error').getByText('Giờ kết thúc phải sau giờ bắt đầu.').waitFor();
		await form.getByRole('button', { name: 'Hủy', exact: true }).click();
	});
	await shot(page, 'sessions-planned');

	await check('badinh opens "Đăng ký tiêm" on those allocated to the district', async () => {
		await nav.getByRole('link', { name: 'Đăng ký tiêm', exact: true }).click();
		await page.getByRole('heading', { level: 1, name: 'Đăng ký tiêm' }).waitFor();
		if (await main.getByLabel('Trạng thái').inputValue() !== 'allocated')
			return 'the list does not start at "Đã phân bổ"';
		await waitRows(2);
		for (const step of ['Duyệt', 'Phân bổ về quận/huyện…'])
			if (await main.getByRole('button', { name: step, exact: true }).count())
				return `the district is offered "${step}"`;
	});
	await check('scheduling both into the one-place session: 1 done, 1 skipped "hết chỗ"', async () => {
		await main.getByLabel('Chọn tất cả trên trang').check();
		await main.getByRole('button', { name: 'Xếp lịch vào buổi tiêm…' }).click();
		const form = main.locator('form.reg-step-form');
		const sel = form.getByLabel('Buổi tiêm');
		await page.waitForFunction(() => document.querySelectorAll('form.reg-step-form select option').length > 1);
		const label = (await sel.locator('option').nth(1).innerText()).trim();
		if (!label.includes(tomorrowVi) || !label.includes('Trạm Y tế phường Phúc Xá') || !label.includes('còn 1/1 chỗ'))
			return `the session reads "${label}"`;
		await sel.selectOption({ index: 1 });
		await shot(page, 'registrations-schedule-form');
		await form.getByRole('button', { name: 'Xếp lịch', exact: true }).click();
		await outcome.getByText('Đã thực hiện 1; bỏ qua 1.').waitFor();
		await outcome.locator('[data-skip="session_full"]').getByText('Buổi tiêm đã hết chỗ').waitFor();
	});
	await shot(page, 'registrations-scheduled-outcome');
	await check('Mai shows as scheduled with the appointment', async () => {
		await filterStatus('Đã xếp lịch');
		await waitRows(1);
		const r = row('Lê Thị Mai');
		await r.getByText('Đã xếp lịch').waitFor();
		await r.getByText(`07:30–11:00, ${tomorrowVi}`).waitFor();
		await r.getByText('Trạm Y tế phường Phúc Xá').waitFor();
		await r.getByRole('link', { name: 'Lê Thị Mai' }).click();
		await main.getByRole('heading', { level: 1, name: 'Lê Thị Mai' }).waitFor();
		await main.locator('dt:has-text("Lịch tiêm") + dd').getByText(`07:30–11:00, ${tomorrowVi}`).waitFor();
		await main.getByText('Người dân tự đăng ký').waitFor();
	});
	await shot(page, 'registrations-record');
	await check('the appointment reaches her phone by SMS', async () => {
		const text = await smsFor(MAI_INTL, 'appointment', 0);
		if (!text.includes(tomorrowVi) || !/Tram Y te phuong Phuc Xa/.test(text))
			return `the message says "${text}"`;
	});
	await check('the session is full: 1 / 1, "hết chỗ"; its places go up to 2', async () => {
		await nav.getByRole('link', { name: 'Buổi tiêm', exact: true }).click();
		const r = sessions.locator('tbody tr[data-session]').first();
		await r.getByText('1 / 1').waitFor();
		await r.getByText('hết chỗ').waitFor();
		await r.getByRole('button', { name: 'Đổi số chỗ' }).click();
		const form = sessions.locator('tr.row-form form');
		await form.getByLabel('Số chỗ mới').fill('2');
		await form.getByRole('button', { name: 'Lưu' }).click();
		await main.getByText(/nay có 2 chỗ/).waitFor();
		await sessions.locator('tbody tr[data-session]').first().getByText('1 / 2').waitFor();
	});

	/* ---- the portal, and a cancelled session --------------------------------- */

	await check('the portal shows Mai\'s appointment', async () => {
		await phone.goto(base + '/portal.html#/');
		await phone.reload();
		await card.locator('[data-status="scheduled"]').getByText('Đã có lịch tiêm').waitFor();
		await card.getByText(`07:30–11:00, ${tomorrowVi}`).waitFor();
		await card.getByText('Trạm Y tế phường Phúc Xá').waitFor();
		await card.getByText('Mang theo CCCD và mã QR cá nhân khi đến tiêm.').waitFor();
		const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		if (overflow > 0)
			return `the page is ${overflow}px wider than the screen`;
	});
	await shot(phone, 'registrations-portal-scheduled');

	await check('cancelling the session says one person went back to "Đã phân bổ"', async () => {
		const r = sessions.locator('tbody tr[data-session]').first();
		await r.getByRole('button', { name: /^Hủy buổi/ }).click();
		const form = sessions.locator('tr.row-form form');
		await form.getByText(/1 người đã xếp lịch sẽ được đưa về/).waitFor();
		await form.getByLabel('Lý do').fill('Điểm tiêm mất điện');
		await shot(page, 'sessions-cancel-form');
		await form.getByRole('button', { name: 'Hủy buổi tiêm' }).click();
		await main.getByText(/1 người được đưa về “Đã phân bổ, chờ xếp lịch”/).waitFor();
		const gone = sessions.locator('tbody tr[data-status="cancelled"]');
		await gone.getByText('Đã hủy').waitFor();
		if (await gone.locator('button').count())
			return 'a cancelled session still offers changes';
	});
	await shot(page, 'sessions-cancelled');
	await check('Mai is waiting for a new appointment again', async () => {
		await nav.getByRole('link', { name: 'Đăng ký tiêm', exact: true }).click();
		await filterStatus('Đã phân bổ, chờ xếp lịch');
		await waitRows(2);
		await row('Lê Thị Mai').getByText('Đã phân bổ, chờ xếp lịch').waitFor();
	});

	/* ---- a tablet ---------------------------------------------------------------- */

	await page.setViewportSize({ width: 1024, height: 768 });
	await check('on a 1024px tablet the registrations page fits the screen', async () => {
		await main.getByLabel('Chọn tất cả trên trang').check();
		await main.getByRole('button', { name: 'Xếp lịch vào buổi tiêm…' }).click();
		await main.getByText('Chưa có buổi tiêm nào còn chỗ.').waitFor();
		const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		if (overflow > 0)
			return `the page is ${overflow}px wider than the screen`;
	});
	await shot(page, 'registrations-tablet');
	await check('on a 1024px tablet the sessions page fits the screen', async () => {
		await nav.getByRole('link', { name: 'Buổi tiêm', exact: true }).click();
		// the page before it has date filters too: wait for this one
		await page.getByRole('heading', { level: 1, name: 'Buổi tiêm' }).waitFor();
		await main.locator('form.filters').getByLabel('Ngày', { exact: true }).fill(tomorrow);
		await main.getByRole('button', { name: 'Lọc', exact: true }).click();
		await sessions.locator('tbody tr').first().waitFor();
		// the table may still be re-laid out as its last rows and fonts
		// arrive: judge the page once it has settled
		let overflow = 0;
		for (let i = 0; i < 30; i++) {
			overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
			if (overflow <= 0)
				break;
			await page.waitForTimeout(100);
		}
		if (overflow > 0)
			return `the page is ${overflow}px wider than the screen`;
	});
	await shot(page, 'sessions-tablet');

	await check('the site manager sees the sessions of the site, without the buttons', async () => {
		await page.setViewportSize({ width: 1280, height: 860 });
		await login('phucxa.manager');
		await nav.getByRole('link', { name: 'Buổi tiêm', exact: true }).click();
		// the page before it has date filters too: wait for this one
		await page.getByRole('heading', { level: 1, name: 'Buổi tiêm' }).waitFor();
		await main.locator('form.filters').getByLabel('Ngày', { exact: true }).fill(tomorrow);
		await main.getByRole('button', { name: 'Lọc', exact: true }).click();
		await sessions.locator('tbody tr').first().getByText('Trạm Y tế phường Phúc Xá').waitFor();
		if (await main.getByRole('button', { name: 'Tạo buổi tiêm' }).count() || await sessions.locator('button').count())
			return 'the site manager is offered changes';
	});

	await collectCsp(page);
	await collectCsp(phone);
	await watch.finalChecks();
} catch (e) {
	report(false, 'the test ran to its end', e.stack);
} finally {
	await browser.close();
	sms.close();
}

process.exit(exitStatus());
