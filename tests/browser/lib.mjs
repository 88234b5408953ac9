// What the browser tests share: the TAP lines, screenshots, Debian's
// chromium, pages watched for console errors, CSP violations and failed
// requests, and an SMS gateway the server posts its messages to.
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { chromium } from 'playwright-core';

export const SHOTS = 'build/browser';
export const PASSWORD = process.env.TIEMCHUNG_DEMO_PASSWORD || 'tiemchung-demo';
export const WAIT = 10000;
export const SMS_WAIT = 20000; // the outbox retries with backoff: 1 s, 2 s, 4 s ...

// The server's address from the command line (and the SMS gateway's port
// from TIEMCHUNG_SMS_PORT when the file needs one); exits with a usage
// line otherwise.
export function args(file, { sms = false } = {}) {
	const base = process.argv[2];
	const smsPort = Number(process.env.TIEMCHUNG_SMS_PORT);
	if (!base || (sms && !smsPort)) {
		console.error(`usage: ${sms ? 'TIEMCHUNG_SMS_PORT=PORT ' : ''}node tests/browser/${file} http://127.0.0.1:PORT`);
		process.exit(2);
	}
	mkdirSync(SHOTS, { recursive: true });
	return { base, smsPort };
}

/* ---- TAP ------------------------------------------------------------------ */

let n = 0;
let failed = 0;

export function report(ok, desc, detail) {
	n++;
	console.log(`${ok ? 'ok' : 'not ok'} ${n} - ${desc}`);
	if (!ok) {
		failed++;
		if (detail)
			console.error(`#   ${String(detail).split('\n').slice(0, 4).join('\n#   ')}`);
	}
}

// One check: fn passes unless it throws or returns a string (the reason).
export async function check(desc, fn) {
	try {
		const r = await fn();
		report(typeof r !== 'string', desc, r);
	} catch (e) {
		report(false, desc, e.message);
	}
}

export async function shot(page, name) {
	try {
		await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
	} catch (e) {
		console.error(`# screenshot ${name}: ${e.message}`);
	}
}

export function exitStatus() {
	return failed ? 1 : 0;
}

/* ---- the browser ------------------------------------------------------------ */

export function launch() {
	return chromium.launch({
		executablePath: '/usr/bin/chromium',
		headless: true,
		args: [
			'--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
			'--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run',
		],
	});
}

// Watches every page it opens: console errors, CSP violations, and the
// failed requests, which must be exactly the `expected` ones the test
// provokes on purpose ({what, status, url: RegExp}).
export class Watcher {
	constructor(browser, expected) {
		this.browser = browser;
		this.expected = expected;
		this.consoleErrors = [];
		this.failedLoads = []; // {status, url}
		this.cspViolations = [];
		this.pages = [];
	}

	async page(contextOptions) {
		const context = await this.browser.newContext({
			locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', ...contextOptions,
		});
		context.setDefaultTimeout(WAIT);
		await context.addInitScript(() => {
			window.__csp = [];
			document.addEventListener('securitypolicyviolation', (e) => {
				window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
			});
		});
		const page = await context.newPage();
		page.on('console', (m) => {
			if (m.type() !== 'error')
				return;
			const text = m.text();
			let failedLoad;
			if (/Content Security Policy/i.test(text))
				this.cspViolations.push(text);
			else if ((failedLoad = /^Failed to load resource: the server responded with a status of (4\d\d)/.exec(text)))
				this.failedLoads.push({ status: Number(failedLoad[1]), url: m.location().url });
			else
				this.consoleErrors.push(text);
		});
		page.on('pageerror', (e) => this.consoleErrors.push('uncaught: ' + e.message));
		this.pages.push(page);
		return page;
	}

	// Takes the CSP violations a page recorded so far.
	async collect(page) {
		try {
			this.cspViolations.push(...await page.evaluate(() => window.__csp.splice(0)));
		} catch (e) {
			// navigating; the next collection gets them
		}
	}

	// The three checks every file ends with.
	async finalChecks() {
		for (const p of this.pages)
			await this.collect(p);
		await check('no console errors', () => (this.consoleErrors.length ? this.consoleErrors.join('\n') : undefined));
		await check('no CSP violations', () => (this.cspViolations.length ? this.cspViolations.join('\n') : undefined));
		await check('the only failed requests are those the test provoked', () => {
			const problems = [];
			for (const f of this.failedLoads)
				if (!this.expected.some((x) => x.status === f.status && x.url.test(f.url)))
					problems.push(`unexpected ${f.status} from ${f.url}`);
			for (const x of this.expected)
				if (!this.failedLoads.some((f) => x.status === f.status && x.url.test(f.url)))
					problems.push(`no ${x.status} for the ${x.what}`);
			return problems.length ? problems.join('\n') : undefined;
		});
	}
}

/* ---- the SMS gateway ------------------------------------------------------- */

// Listens where the server posts its SMS ({id, to, text, kind}) and keeps
// them. `wait(pred, from)` gives the first message after index `from`
// that pred accepts, waiting for it up to SMS_WAIT.
export async function smsGateway(port) {
	const messages = [];
	const server = createServer((req, res) => {
		let body = '';
		req.on('data', (c) => { body += c; });
		req.on('end', () => {
			try {
				messages.push(JSON.parse(body));
				res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
			} catch (e) {
				res.writeHead(400).end();
			}
		});
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', resolve);
	});
	return {
		messages,
		close: () => server.close(),
		async wait(pred, from, what) {
			const until = Date.now() + SMS_WAIT;
			while (Date.now() < until) {
				const m = messages.slice(from).find(pred);
				if (m)
					return m;
				await new Promise((r) => setTimeout(r, 100));
			}
			throw new Error(`no ${what} within ${SMS_WAIT / 1000} s`);
		},
	};
}
