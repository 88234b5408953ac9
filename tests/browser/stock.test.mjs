// The vaccine supply chain's pages in headless chromium against a
// running server (docs/stock.md):
//   node tests/browser/stock.test.mjs http://127.0.0.1:PORT
// The province (hanoi) receives two lots of Comirnaty from COVAX into
// Kho vắc xin Hà Nội, creating them on the way, and ships 200 doses to
// the Ba Đình health centre with the first-expiry-first-out suggestion,
// then 50 more by hand; the district (badinh) receives the first as
// shipped and the second 2 doses short, with a reason. The stock on both
// sides, the ledger and the reconciliation agree. The district writes
// off broken doses and counts a lot short (with a reason); the
// reconciliation still balances, and sending more than on hand is refused
// with nothing moved. The province quarantines a lot from the lots tab:
// both holders see the alert, a transfer of it prepared meanwhile on
// another desk is refused, and the national admin releases it. A viewer
// reads without the write tabs. One TAP line per check on stdout, diagnostics on
// stderr, screenshots in build/browser/stock-*.png.
import { args, check, exitStatus, launch, PASSWORD, report, shot, Watcher } from './lib.mjs';

const { base } = args('stock.test.mjs');

const WAREHOUSE = 'Kho vắc xin Hà Nội';
const CENTRE = 'Trung tâm Y tế quận Ba Đình';
const PRODUCT = 'Comirnaty';
// Two lots: EARLY expires first, so the suggestion takes it first.
const EARLY = { number: 'BT-E0100', days: 200, doses: 100 };
const LATE = { number: 'BT-L1000', days: 400, doses: 1000 };

// A day `days` from today in Vietnam, "YYYY-MM-DD".
function dayFromNow(days) {
	return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' })
		.format(new Date(Date.now() + days * 86400000));
}

// Numbers as the Vietnamese pages write them: 1.000
const vn = (n) => new Intl.NumberFormat('vi-VN').format(n);

const browser = await launch();
const watch = new Watcher(browser, [
	{ what: 'transfer of a lot quarantined meanwhile', status: 409, url: /\/api\/v1\/stock\/transfers$/ },
]);

try {
	const page = await watch.page({ viewport: { width: 1280, height: 900 } });
	const main = page.locator('main');
	const nav = page.locator('nav.app-nav');
	const tabs = main.locator('nav.tabs');
	const status = main.locator('.status-area');

	async function login(username) {
		await page.goto(base + '/');
		// signed in still (the shell) or not (the login form): wait for either
		await page.locator('#logout, form.login-form').first().waitFor();
		if (await page.locator('#logout').count()) {
			await page.locator('#logout').click();
			await page.locator('form.login-form').waitFor();
		}
		await page.getByLabel('Tên đăng nhập').fill(username);
		await page.getByLabel('Mật khẩu').fill(PASSWORD);
		await page.getByRole('button', { name: 'Đăng nhập' }).click();
		await page.locator('header.app-header').waitFor();
	}
	async function openStock(tab) {
		await nav.getByRole('link', { name: 'Kho vắc xin', exact: true }).click();
		await page.getByRole('heading', { level: 1, name: 'Kho vắc xin' }).waitFor();
		if (tab) {
			await tabs.getByRole('link', { name: tab, exact: true }).click();
			await tabs.locator('a[aria-current="page"]', { hasText: tab }).waitFor();
		}
		// the status line above a tab's content is empty (hidden) at first
		await main.locator('.stock-body > :not(.status-area)').first().waitFor();
	}
	// the text of a select's chosen option
	// field() gives the picker its own id
	const facilityPick = main.locator('.stock-facility select');
	const chosenText = async (sel) => (await sel.evaluate((s) => s.selectedOptions[0]?.textContent || '')).trim();
	const lotRow = (number) => main.locator('#stock-table tbody tr', { hasText: number });
	async function onHand(number) {
		return (await lotRow(number).locator('td.on-hand').innerText()).trim();
	}

	/* ---- the province receives from the supplier ---------------------------- */

	await check('hanoi opens "Kho vắc xin": Kho vắc xin Hà Nội is chosen and empty', async () => {
		await login('hanoi');
		await openStock();
		const chosen = await chosenText(facilityPick);
		if (chosen !== WAREHOUSE)
			return `the facility chosen is "${chosen}"`;
		await main.getByText('Cơ sở này chưa có vắc xin trong kho.').waitFor();
		for (const tab of ['Tồn kho', 'Nhập kho', 'Xuất kho', 'Hủy và kiểm kê', 'Đối chiếu', 'Sổ kho', 'Lô vắc xin'])
			if (await tabs.getByRole('link', { name: tab, exact: true }).count() !== 1)
				return `no tab "${tab}"`;
	});
	await shot(page, 'stock-empty');

	async function receive(lot) {
		const form = main.locator('#stock-receipt-form');
		await form.getByLabel('Vắc xin').selectOption({ label: PRODUCT });
		await form.getByLabel('Số lô').fill(lot.number);
		await form.getByText('Lô mới: nhập hạn dùng để tạo lô.').waitFor();
		await form.getByLabel('Hạn dùng').fill(dayFromNow(lot.days));
		await form.getByLabel('Số liều').fill(String(lot.doses));
		await form.getByLabel('Nguồn').selectOption({ label: 'COVAX' });
		await form.getByLabel('Đơn vị giao').fill('COVAX Facility');
		await form.getByRole('button', { name: 'Nhập kho', exact: true }).click();
		await status.getByText(`Đã nhập ${vn(lot.doses)} liều lô ${lot.number} (${PRODUCT}) vào ${WAREHOUSE}.`).waitFor();
	}
	await check(`a new lot ${LATE.number} is created and ${vn(LATE.doses)} doses received from COVAX`, async () => {
		await openStock('Nhập kho');
		await main.getByText('Không có phiếu nào đang chuyển đến cơ sở này.').waitFor();
		await receive(LATE);
	});
	await shot(page, 'stock-received');
	await check(`a second lot ${EARLY.number}, expiring sooner: ${EARLY.doses} doses`, () => receive(EARLY));
	await check('typing a known lot number finds the lot and its expiry', async () => {
		const form = main.locator('#stock-receipt-form');
		await form.getByLabel('Vắc xin').selectOption({ label: PRODUCT });
		await form.getByLabel('Số lô').fill(LATE.number);
		await form.getByText(/^Lô đã có trong hệ thống, hạn dùng/).waitFor();
		if (await form.getByLabel('Hạn dùng').inputValue() !== dayFromNow(LATE.days))
			return 'the expiry is not the lot\'s';
		if (!await form.getByLabel('Hạn dùng').isDisabled())
			return 'the expiry can still be changed';
		await form.getByLabel('Số lô').fill('');
	});
	await check('the stock shows both lots with their doses, usable', async () => {
		await openStock('Tồn kho');
		await lotRow(LATE.number).waitFor();
		if (await onHand(LATE.number) !== vn(LATE.doses))
			return `${LATE.number} has ${await onHand(LATE.number)}`;
		if (await onHand(EARLY.number) !== vn(EARLY.doses))
			return `${EARLY.number} has ${await onHand(EARLY.number)}`;
		await lotRow(LATE.number).getByText(PRODUCT).waitFor();
		await lotRow(LATE.number).locator('[data-flag="usable"]').waitFor();
		await lotRow(LATE.number).getByText(/^còn \d+ ngày$/).waitFor();
	});
	await check('"Hết hạn trong vòng 300 ngày" keeps only the early lot', async () => {
		await main.getByLabel('Hết hạn trong vòng (ngày)').fill('300');
		await main.getByRole('button', { name: 'Lọc', exact: true }).click();
		await main.locator('#stock-table tbody tr').first().waitFor();
		await page.waitForFunction(() => document.querySelectorAll('#stock-table tbody tr').length === 1);
		await lotRow(EARLY.number).waitFor();
		await main.getByRole('button', { name: 'Bỏ lọc' }).click();
		await page.waitForFunction(() => document.querySelectorAll('#stock-table tbody tr').length === 2);
	});
	await shot(page, 'stock-overview');

	/* ---- the province ships to the district -------------------------------- */

	let firstId;
	let secondId;
	await check('"Xuất kho" with the suggestion for 200 doses: the early lot first, then the late one', async () => {
		await openStock('Xuất kho');
		const form = main.locator('#stock-send-form');
		await form.getByLabel('Nơi nhận').selectOption({ label: CENTRE });
		await form.locator('[data-field="product"] select').selectOption({ label: PRODUCT });
		await form.locator('[data-field="want"] input').fill('200');
		await form.getByRole('button', { name: /Gợi ý lô/ }).click();
		await form.getByText(/^Đã điền 2 dòng/).waitFor();
		const lines = form.locator('#stock-lines tbody tr');
		const first = await chosenText(lines.nth(0).locator('select'));
		const second = await chosenText(lines.nth(1).locator('select'));
		if (!first.includes(EARLY.number) || !second.includes(LATE.number))
			return `the lines are "${first}" and "${second}"`;
		if (await lines.nth(0).locator('input').inputValue() !== String(EARLY.doses) ||
		    await lines.nth(1).locator('input').inputValue() !== String(200 - EARLY.doses))
			return 'the quantities are not 100 and 100';
		await form.getByText('Tổng: 200 liều, 2 dòng').waitFor();
		await shot(page, 'stock-send-fefo');
		await form.getByRole('button', { name: 'Xuất kho', exact: true }).click();
		const done = status.getByText(new RegExp(`^Đã xuất phiếu #(\\d+): 200 liều đến ${CENTRE}\\.$`));
		await done.waitFor();
		firstId = /#(\d+)/.exec(await done.innerText())[1];
	});
	await check('more than on hand is refused on the page', async () => {
		const form = main.locator('#stock-send-form');
		await form.getByLabel('Nơi nhận').selectOption({ label: CENTRE });
		const line = form.locator('#stock-lines tbody tr').first();
		const late = await line.locator('select option', { hasText: LATE.number }).getAttribute('value');
		await line.locator('select').selectOption(late);
		await line.locator('input').fill('5000');
		await form.getByRole('button', { name: 'Xuất kho', exact: true }).click();
		await line.getByText(`Nhiều hơn số liều đang tồn (${vn(LATE.doses - 100)} liều).`).waitFor();
	});
	await check(`50 more doses of ${LATE.number} on a line typed by hand`, async () => {
		const form = main.locator('#stock-send-form');
		const line = form.locator('#stock-lines tbody tr').first();
		await line.locator('input').fill('50');
		await form.getByLabel('Ghi chú').fill('Bổ sung cho tuần sau');
		await form.getByRole('button', { name: 'Xuất kho', exact: true }).click();
		const done = status.getByText(new RegExp(`^Đã xuất phiếu #(\\d+): 50 liều đến ${CENTRE}\\.$`));
		await done.waitFor();
		secondId = /#(\d+)/.exec(await done.innerText())[1];
	});
	await check(`the warehouse has ${vn(LATE.doses - 150)} of ${LATE.number} left, the early lot gone, both transfers on the road`, async () => {
		await openStock('Tồn kho');
		await lotRow(LATE.number).waitFor();
		if (await onHand(LATE.number) !== vn(LATE.doses - 150))
			return `${LATE.number} has ${await onHand(LATE.number)}`;
		if (await lotRow(EARLY.number).count())
			return `${EARLY.number} is still listed`;
		const transit = main.locator('#stock-transit');
		await transit.locator(`tr[data-transfer="${firstId}"]`).first().waitFor();
		await transit.locator(`tr[data-transfer="${secondId}"]`).first().waitFor();
		if (await transit.locator('tbody tr').count() !== 3)
			return `${await transit.locator('tbody tr').count()} lines in transit, not 3`;
	});
	await shot(page, 'stock-in-transit');

	/* ---- the district receives ------------------------------------------------- */

	const incoming = main.locator('#stock-incoming');
	await check('badinh sees both transfers coming to the Ba Đình centre', async () => {
		await login('badinh');
		await openStock('Nhập kho');
		const chosen = await chosenText(facilityPick);
		if (chosen !== CENTRE)
			return `the facility chosen is "${chosen}"`;
		await incoming.getByText(`Phiếu #${firstId} từ ${WAREHOUSE}`, { exact: true }).waitFor();
		await incoming.getByText(`Phiếu #${secondId} từ ${WAREHOUSE}`, { exact: true }).waitFor();
		await main.getByText('Chỉ kho vắc xin quốc gia và kho tỉnh nhận vắc xin trực tiếp từ nhà cung cấp.').waitFor();
	});
	await check(`transfer #${firstId} is received as shipped`, async () => {
		await incoming.getByRole('button', { name: `Nhận phiếu #${firstId}`, exact: true }).click();
		const form = main.locator(`form.stock-receive-form[data-transfer="${firstId}"]`);
		await form.waitFor();
		const inputs = form.locator('tbody input');
		if (await inputs.count() !== 2)
			return `${await inputs.count()} lines`;
		for (let i = 0; i < 2; i++)
			if (await inputs.nth(i).inputValue() !== '100')
				return `line ${i + 1} is prefilled with ${await inputs.nth(i).inputValue()}`;
		await form.locator('tbody select').first().selectOption({ label: 'VVM 1' });
		await shot(page, 'stock-receive-form');
		await form.getByRole('button', { name: 'Xác nhận đã nhận' }).click();
		await status.getByText(`Đã nhận phiếu #${firstId} từ ${WAREHOUSE}: 200 liều vào kho.`).waitFor();
	});
	await check(`transfer #${secondId} arrives 2 doses short: the reason is asked for, then it is received`, async () => {
		await incoming.getByRole('button', { name: `Nhận phiếu #${secondId}`, exact: true }).click();
		const form = main.locator(`form.stock-receive-form[data-transfer="${secondId}"]`);
		await form.locator('tbody input').first().fill('48');
		await form.getByRole('button', { name: 'Xác nhận đã nhận' }).click();
		await form.getByText('Số thực nhận khác số đã xuất: vui lòng ghi lý do.').waitFor();
		await form.getByLabel('Lý do chênh lệch').fill('Vỡ 2 liều khi vận chuyển');
		await shot(page, 'stock-receive-discrepancy');
		await form.getByRole('button', { name: 'Xác nhận đã nhận' }).click();
		await status.getByText(`Đã nhận phiếu #${secondId} từ ${WAREHOUSE}: 48 liều vào kho; chênh lệch đã được ghi lại.`).waitFor();
		await incoming.getByText('Không có phiếu nào đang chuyển đến cơ sở này.').waitFor();
	});
	await check(`the centre has ${EARLY.doses} of ${EARLY.number} and 148 of ${LATE.number}`, async () => {
		await openStock('Tồn kho');
		await lotRow(LATE.number).waitFor();
		if (await onHand(EARLY.number) !== vn(EARLY.doses))
			return `${EARLY.number} has ${await onHand(EARLY.number)}`;
		if (await onHand(LATE.number) !== '148')
			return `${LATE.number} has ${await onHand(LATE.number)}`;
		await main.getByText('Không có lô nào đang trên đường đi hoặc đến.').waitFor();
	});
	await shot(page, 'stock-centre');

	async function reconciled(expect) {
		await openStock('Đối chiếu');
		await main.getByRole('button', { name: 'Xem đối chiếu' }).click();
		await main.locator('#stock-balanced[data-balanced="true"]').getByText('Cân đối: mọi dòng đều khớp.').waitFor();
		const row = main.locator('#stock-recon-products tbody tr', { hasText: PRODUCT });
		for (const [k, v] of Object.entries(expect)) {
			const got = (await row.locator('td.sum-' + k).innerText()).trim();
			if (got !== vn(v))
				return `${k} is ${got}, not ${vn(v)}`;
		}
		return undefined;
	}
	await check('the centre\'s reconciliation balances: 248 received, 248 at the close', () =>
		reconciled({ opening: 0, received: 248, sent: 0, closing: 248 }));
	await shot(page, 'stock-reconciliation-centre');
	await check('the centre\'s ledger lists the three lines received', async () => {
		await openStock('Sổ kho');
		const rows = main.locator('#stock-ledger tbody tr');
		await rows.first().waitFor();
		const kinds = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.kind));
		if (kinds.filter((k) => k === 'transfer_in').length !== 3)
			return `kinds are ${kinds.join(', ')}`;
		await main.locator('#stock-ledger tbody tr[data-kind="transfer_in"]').first().getByText('Nhận chuyển').waitFor();
	});

	/* ---- the district writes off and counts ------------------------------------ */

	const WASTED = 3;
	const COUNTED = EARLY.doses - 4;
	await check(`${WASTED} doses of ${LATE.number} broken are written off`, async () => {
		await openStock('Hủy và kiểm kê');
		const form = main.locator('#stock-wastage-form');
		const late = await form.getByLabel('Lô').locator('option', { hasText: LATE.number }).getAttribute('value');
		await form.getByLabel('Lô').selectOption(late);
		await form.getByLabel('Số liều').fill(String(WASTED));
		await form.getByLabel('Lý do hủy').selectOption({ label: 'Vỡ, hỏng' });
		await form.getByLabel('Ghi chú').fill('Rơi vỡ khi lấy khỏi tủ lạnh');
		await form.getByRole('button', { name: 'Ghi hủy' }).click();
		await status.getByText(`Đã ghi hủy ${WASTED} liều lô ${LATE.number} (${PRODUCT}).`).waitFor();
	});
	await check(`a count of ${COUNTED} for ${EARLY.number} asks for the reason of the difference, then sets the stock`, async () => {
		const form = main.locator('#stock-count-form');
		const early = await form.getByLabel('Lô').locator('option', { hasText: EARLY.number }).getAttribute('value');
		await form.getByLabel('Lô').selectOption(early);
		await form.getByLabel('Số liều đếm được').fill(String(COUNTED));
		await form.getByRole('button', { name: 'Lưu kiểm kê' }).click();
		await form.getByText('Số đếm được khác số tồn trên sổ: vui lòng ghi lý do.').waitFor();
		await form.getByLabel('Lý do chênh lệch').fill('Thiếu 4 liều khi kiểm kê cuối ngày');
		await shot(page, 'stock-count-reason');
		await form.getByRole('button', { name: 'Lưu kiểm kê' }).click();
		await status.getByText(`Đã kiểm kê lô ${EARLY.number}: chênh lệch -4 liều, tồn nay ${COUNTED} liều.`).waitFor();
	});
	await shot(page, 'stock-wastage-count');
	await check(`the centre has ${COUNTED} of ${EARLY.number} and ${148 - WASTED} of ${LATE.number} now`, async () => {
		await openStock('Tồn kho');
		await lotRow(LATE.number).waitFor();
		if (await onHand(EARLY.number) !== vn(COUNTED))
			return `${EARLY.number} has ${await onHand(EARLY.number)}`;
		if (await onHand(LATE.number) !== vn(148 - WASTED))
			return `${LATE.number} has ${await onHand(LATE.number)}`;
	});
	await check(`the reconciliation still balances: ${WASTED} wasted, 4 counted down, ${248 - WASTED - 4} at the close`, () =>
		reconciled({ received: 248, wasted: WASTED, adjust_in: 0, adjust_out: 4, closing: 248 - WASTED - 4 }));
	await shot(page, 'stock-reconciliation-wastage');

	/* ---- more than on hand: refused, nothing changes --------------------------- */

	await check(`sending ${COUNTED + 1} doses of ${EARLY.number} (${COUNTED} on hand) is refused on the line and nothing moves`, async () => {
		await openStock('Xuất kho');
		const form = main.locator('#stock-send-form');
		await form.getByLabel('Nơi nhận').selectOption({ index: 1 });
		const line = form.locator('#stock-lines tbody tr').first();
		const early = await line.locator('select option', { hasText: EARLY.number }).getAttribute('value');
		await line.locator('select').selectOption(early);
		await line.locator('input').fill(String(COUNTED + 1));
		await form.getByRole('button', { name: 'Xuất kho', exact: true }).click();
		await line.getByText(`Nhiều hơn số liều đang tồn (${COUNTED} liều).`).waitFor();
		if (await line.locator('input').getAttribute('aria-invalid') !== 'true')
			return 'the quantity is not marked invalid';
		await shot(page, 'stock-send-too-many');
		if (await status.locator('.alert').count())
			return `the status says "${await status.innerText()}"`;
		await openStock('Tồn kho');
		await lotRow(EARLY.number).waitFor();
		if (await onHand(EARLY.number) !== vn(COUNTED))
			return `${EARLY.number} has ${await onHand(EARLY.number)}`;
		await main.getByText('Không có lô nào đang trên đường đi hoặc đến.').waitFor();
	});

	/* ---- the warehouse's side ----------------------------------------------------- */

	await check(`the warehouse reconciles: ${vn(1100)} received, 250 sent, ${vn(850)} at the close`, async () => {
		await login('hanoi');
		return reconciled({ opening: 0, received: 1100, sent: 250, closing: 850 });
	});
	await shot(page, 'stock-reconciliation-warehouse');
	await check('the warehouse\'s ledger: two receipts and three lines sent', async () => {
		await openStock('Sổ kho');
		const rows = main.locator('#stock-ledger tbody tr');
		await rows.first().waitFor();
		const kinds = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.kind));
		const n = (k) => kinds.filter((x) => x === k).length;
		if (n('receipt') !== 2 || n('transfer_out') !== 3)
			return `kinds are ${kinds.join(', ')}`;
		await main.locator('#stock-ledger tbody tr[data-kind="receipt"]').first().getByText('COVAX Facility').waitFor();
	});

	/* ---- a lot quarantined, then released ------------------------------------ */

	const QUARANTINE_WHY = 'Nhà sản xuất báo nghi ngờ lỗi bảo quản';
	// A second desk at the warehouse has a transfer of the lot ready when
	// the lot is quarantined: the server refuses it.
	const desk = await watch.page({ viewport: { width: 1280, height: 900 } });
	const deskForm = desk.locator('#stock-send-form');
	await check(`another desk at the warehouse prepares 10 doses of ${LATE.number} for the centre`, async () => {
		await desk.goto(base + '/');
		await desk.getByLabel('Tên đăng nhập').fill('hanoi');
		await desk.getByLabel('Mật khẩu').fill(PASSWORD);
		await desk.getByRole('button', { name: 'Đăng nhập' }).click();
		await desk.locator('header.app-header').waitFor();
		await desk.goto(base + '/#/stock/send');
		await deskForm.getByLabel('Nơi nhận').selectOption({ label: CENTRE });
		const line = deskForm.locator('#stock-lines tbody tr').first();
		const late = await line.locator('select option', { hasText: LATE.number }).getAttribute('value');
		await line.locator('select').selectOption(late);
		await line.locator('input').fill('10');
	});
	const lotsRow = (number) => main.locator('#stock-lots tbody tr[data-lot]', { hasText: number });
	await check(`hanoi quarantines ${LATE.number} from the lots tab, with a reason`, async () => {
		await openStock('Lô vắc xin');
		await lotsRow(LATE.number).waitFor();
		await lotsRow(LATE.number).getByRole('button', { name: `Phong tỏa lô ${LATE.number}` }).click();
		const form = main.locator('#stock-lots tr.row-form form');
		await form.getByText(`Phong tỏa lô ${LATE.number}?`, { exact: false }).waitFor();
		await form.getByRole('button', { name: 'Phong tỏa', exact: true }).click();
		await form.getByText('Vui lòng nhập mục này.').waitFor();
		await form.getByLabel('Lý do').fill(QUARANTINE_WHY);
		await shot(page, 'stock-quarantine-form');
		await form.getByRole('button', { name: 'Phong tỏa', exact: true }).click();
		await status.getByText(`Đã phong tỏa lô ${LATE.number} (${PRODUCT}).`).waitFor();
		await lotsRow(LATE.number).locator('[data-flag="quarantined"]').waitFor();
		await lotsRow(LATE.number).getByText(QUARANTINE_WHY).waitFor();
		if (await lotsRow(LATE.number).getByRole('button', { name: `Phong tỏa lô ${LATE.number}` }).count())
			return 'the lot can still be quarantined';
		if (await lotsRow(LATE.number).getByRole('button', { name: `Giải phóng lô ${LATE.number}` }).count())
			return 'the province is offered to release it';
	});
	await shot(page, 'stock-lots-quarantined');
	const banner = main.locator('#stock-alerts');
	async function sawAlert(facility, doses) {
		await banner.locator(`li[data-reason="quarantined"]`, { hasText: LATE.number }).waitFor();
		const text = (await banner.innerText()).replace(/\s+/g, ' ');
		for (const want of [`Lô ${LATE.number} (${PRODUCT})`, `${vn(doses)} liều tại ${facility}`, 'Đang phong tỏa', QUARANTINE_WHY])
			if (!text.includes(want))
				return `the banner says "${text}", without "${want}"`;
		await lotRow(LATE.number).locator('[data-flag="quarantined"]').waitFor();
		return undefined;
	}
	await check(`the warehouse's stock page shows the alert for ${LATE.number} and its reason`, async () => {
		await openStock('Tồn kho');
		return sawAlert(WAREHOUSE, 850);
	});
	await shot(page, 'stock-alert-warehouse');
	await check('the transfer the other desk prepared is refused: the lot is quarantined', async () => {
		await deskForm.getByRole('button', { name: 'Xuất kho', exact: true }).click();
		const line = deskForm.locator('#stock-lines tbody tr').first();
		await line.getByText(`Lô ${LATE.number} đã bị phong tỏa (lý do: ${QUARANTINE_WHY}): không được xuất. Bỏ dòng này hoặc chọn lô khác.`).waitFor();
		await shot(desk, 'stock-send-quarantined');
	});
	await check(`the send tab no longer offers ${LATE.number}`, async () => {
		await openStock('Xuất kho');
		await main.getByText('Kho không có lô nào dùng được để xuất', { exact: false }).waitFor();
	});
	await check(`badinh sees the alert for ${LATE.number} at the Ba Đình centre`, async () => {
		await login('badinh');
		await openStock();
		return sawAlert(CENTRE, 148 - WASTED);
	});
	await shot(page, 'stock-alert-centre');
	await check('in English the alert is English', async () => {
		await page.locator('header').getByRole('button', { name: 'English' }).click();
		await banner.getByText('Lot alerts').waitFor();
		const text = (await banner.innerText()).replace(/\s+/g, ' ');
		await page.locator('header').getByRole('button', { name: 'Tiếng Việt' }).click();
		await banner.getByText('Cảnh báo về lô vắc xin').waitFor();
		for (const want of [`Quarantined — Lot ${LATE.number}`, `Quarantined because: ${QUARANTINE_WHY}.`, 'Do not ship or give it until it is released.'])
			if (!text.includes(want))
				return `the banner says "${text}", without "${want}"`;
	});
	await check(`the national admin releases ${LATE.number}; the alert is gone`, async () => {
		await login('admin');
		await openStock('Lô vắc xin');
		await lotsRow(LATE.number).getByRole('button', { name: `Giải phóng lô ${LATE.number}` }).click();
		const form = main.locator('#stock-lots tr.row-form form');
		await form.getByLabel('Lý do').fill('Nhà sản xuất xác nhận lô đạt chất lượng');
		await form.getByRole('button', { name: 'Giải phóng', exact: true }).click();
		await status.getByText(`Đã giải phóng lô ${LATE.number} (${PRODUCT}).`).waitFor();
		await lotsRow(LATE.number).locator('[data-flag="usable"]').waitFor();
		await shot(page, 'stock-lots-released');
		await openStock('Tồn kho');
		await facilityPick.selectOption({ label: WAREHOUSE });
		await lotRow(LATE.number).locator('[data-flag="usable"]').waitFor();
		if (await banner.count())
			return `the banner is still there: ${await banner.innerText()}`;
	});
	await check('hanoi can ship the lot again', async () => {
		await login('hanoi');
		await openStock('Xuất kho');
		const line = main.locator('#stock-send-form #stock-lines tbody tr').first();
		await line.locator('select option', { hasText: LATE.number }).waitFor({ state: 'attached' });
	});

	/* ---- English, a tablet, a viewer ------------------------------------------- */

	await check('in English the stock page is English', async () => {
		await openStock('Tồn kho');
		await lotRow(LATE.number).waitFor();
		await page.locator('header').getByRole('button', { name: 'English' }).click();
		await page.getByRole('heading', { level: 1, name: 'Vaccine stock' }).waitFor();
		await tabs.getByRole('link', { name: 'Reconciliation', exact: true }).waitFor();
		await lotRow(LATE.number).getByText('Usable').waitFor();
		await page.locator('header').getByRole('button', { name: 'Tiếng Việt' }).click();
		await page.getByRole('heading', { level: 1, name: 'Kho vắc xin' }).waitFor();
	});
	await page.setViewportSize({ width: 1024, height: 768 });
	for (const tab of ['Tồn kho', 'Xuất kho', 'Đối chiếu']) {
		await check(`on a 1024px tablet "${tab}" fits the screen`, async () => {
			await openStock(tab);
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
	}
	await shot(page, 'stock-tablet');
	await page.setViewportSize({ width: 1280, height: 900 });

	await check('a viewer reads the stock without the tabs that write', async () => {
		await login('viewer');
		await openStock();
		for (const tab of ['Nhập kho', 'Xuất kho', 'Hủy và kiểm kê', 'Lô vắc xin'])
			if (await tabs.getByRole('link', { name: tab, exact: true }).count())
				return `the viewer is offered "${tab}"`;
		await facilityPick.selectOption({ label: WAREHOUSE });
		await lotRow(LATE.number).waitFor();
		if (await onHand(LATE.number) !== vn(850))
			return `${LATE.number} has ${await onHand(LATE.number)}`;
		if (await main.locator('#stock-transit a.btn').count())
			return 'the viewer is offered to receive';
	});

	await watch.finalChecks();
} catch (e) {
	report(false, 'the test ran to its end', e.stack);
} finally {
	await browser.close();
}

process.exit(exitStatus());
