// Drives Debian's chromium, headless, against a running sohoa-web: each
// role's pages as a person meets them, a screenshot of each, and no
// console error (a CSP violation shows up as one).  Prints TAP.
// Usage: node console.mjs URL  (users clerk1, staff1, auditor1, admin1 with
// the password "mật-khẩu-NAME", as tests/system/81-web-browser.sh makes them)
import puppeteer from 'puppeteer-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const base = process.argv[2];
if (!base) {
	console.error('usage: node console.mjs http://127.0.0.1:PORT');
	process.exit(2);
}
const shots = process.env.SOHOA_ARTIFACTS ||
    join(process.env.T || '.', 'screenshots');
mkdirSync(shots, { recursive: true });

let n = 0, failed = 0;
function ok(cond, what, why) {
	n++;
	if (cond)
		console.log(`ok ${n} - ${what}`);
	else {
		failed++;
		console.log(`not ok ${n} - ${what}`);
		if (why)
			console.log(`# ${String(why).split('\n')[0]}`);
	}
}
async function step(what, fn) {
	try {
		const r = await fn();
		ok(r !== false, what);
	} catch (e) {
		ok(false, what, e.message);
	}
}

const browser = await puppeteer.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	headless: true,
	// Tests run as root, where chromium's sandbox cannot start.
	args: ['--no-sandbox', '--disable-dev-shm-usage', '--lang=vi'],
});
const page = await browser.newPage();
await page.setViewport({ width: 1280, height: 800 });
// The pages in Vietnamese, as the offices see them (headless ignores --lang).
await page.setExtraHTTPHeaders({ 'Accept-Language': 'vi' });
let errors = [];
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
page.on('pageerror', (e) => errors.push(e.message));
let pdfs = [];
page.on('response', (r) => {
	if ((r.headers()['content-type'] || '').startsWith('application/pdf'))
		pdfs.push(r.url());
});

async function shot(name, what) {
	await page.screenshot({ path: join(shots, name + '.png') });
	ok(errors.length === 0, `${what}: no console errors`, errors.join(' | '));
	errors = [];
}
const T = { timeout: 10000 };
const sel = (id) => `[data-testid="${id}"]`;

async function login(user) {
	await page.goto(base + '/dang-nhap', { waitUntil: 'networkidle0' });
	await page.type(sel('user-input'), user);
	await page.type(sel('password-input'), 'mật-khẩu-' + user);
	await Promise.all([page.waitForNavigation(T), page.click(sel('login-submit'))]);
	await page.waitForFunction(
	    (u) => document.querySelector('[data-testid="user-name"]')?.textContent.includes(u), T, user);
}
async function logout() {
	await Promise.all([page.waitForNavigation(T), page.click(sel('logout'))]);
	return new URL(page.url()).pathname === '/dang-nhap';
}
async function open(path) {
	await page.goto(base + path, { waitUntil: 'networkidle0' });
}

await step('the login page shows its form', async () => {
	await open('/dang-nhap');
	await page.waitForSelector(sel('login-form'), T);
});
await shot('01-dang-nhap', 'login page');

await step('a clerk logs in', () => login('clerk1'));
await step('Tra cứu: a name typed without diacritics finds records', async () => {
	await open('/tra-cuu');
	await page.type(sel('q'), 'nguyen van');
	await page.waitForSelector(sel('result'), T);
});
await shot('02-tra-cuu', 'search page');

await step('the record opens with its fields', async () => {
	await Promise.all([page.waitForNavigation(T), page.click(sel('result-link'))]);
	await page.waitForSelector(sel('fields'), T);
});
await step('the PDF viewer shows the archived PDF', async () => {
	await page.waitForSelector(sel('pdf'), T);
	await page.waitForFunction(() => document.querySelector('[data-testid="pdf"]').src, T);
	for (let i = 0; i < 50 && pdfs.length === 0; i++)
		await new Promise((r) => setTimeout(r, 200));
	if (pdfs.length === 0)
		throw new Error('no answer with Content-Type application/pdf');
});
// Chromium's PDF viewer paints a while after the PDF arrives.
await new Promise((r) => setTimeout(r, 3000));
await shot('03-ho-so', 'record page');
await step('the clerk logs out to the login page', logout);

await step('records staff log in and open Máy quét', async () => {
	await login('staff1');
	await open('/may-quet');
	await page.waitForSelector(sel('profiles'), T);
});
await shot('04-may-quet', 'scanners page');
await step('the staff member logs out', logout);

await step('an auditor logs in and opens Báo cáo', async () => {
	await login('auditor1');
	await open('/bao-cao');
	await page.waitForSelector(sel('bar'), T);
});
await step('the report has bars of non-zero width and target lines', async () => {
	const w = await page.$$eval(sel('fill'), (fs) => fs.map((f) => f.getBoundingClientRect().width));
	const bars = await page.$$eval(sel('bar'), (bs) => bs.map((b) => b.getBoundingClientRect().width));
	const targets = await page.$$(`${sel('bar')} .target`);
	if (bars.length === 0 || bars.some((x) => x <= 0))
		throw new Error(`bar widths ${bars}`);
	if (!w.some((x) => x > 0))
		throw new Error(`fill widths ${w}`);
	if (targets.length === 0)
		throw new Error('no target lines');
});
await shot('05-bao-cao', 'report page');
await step('the auditor logs out', logout);

await step('an admin logs in and opens Quản trị', async () => {
	await login('admin1');
	await open('/quan-tri');
	await page.waitForSelector(`${sel('users')} tbody tr`, T);
});
await shot('06-quan-tri', 'administration page');

await browser.close();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
