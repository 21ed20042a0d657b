// The city's console ([web] source = city) in Debian's chromium, headless:
// the header says its source, a result links to OFFICE:ID, the record page
// says its office and where its scan is, and the report has the office
// column.  Prints TAP.
// Usage: node city.mjs URL  (users clerk1 and auditor1 with the password
// "mật-khẩu-NAME", as tests/system/87-web-city.sh makes them)
import puppeteer from 'puppeteer-core';

const base = process.argv[2];
if (!base) {
	console.error('usage: node city.mjs http://127.0.0.1:PORT');
	process.exit(2);
}
let n = 0, failed = 0;
async function step(what, fn) {
	n++;
	try {
		if ((await fn()) === false)
			throw new Error('not so');
		console.log(`ok ${n} - ${what}`);
	} catch (e) {
		failed++;
		console.log(`not ok ${n} - ${what}`);
		console.log(`# ${String(e.message).split('\n')[0]}`);
	}
}

const browser = await puppeteer.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	headless: true,
	args: ['--no-sandbox', '--disable-dev-shm-usage', '--lang=vi'],
});
const page = await browser.newPage();
await page.setExtraHTTPHeaders({ 'Accept-Language': 'vi' });
let errors = [];
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
page.on('pageerror', (e) => errors.push(e.message));
const T = { timeout: 10000 };
const sel = (id) => `[data-testid="${id}"]`;
const text = (id) => page.$eval(sel(id), (e) => e.textContent);

async function login(user) {
	await page.goto(base + '/dang-nhap', { waitUntil: 'networkidle0' });
	await page.type(sel('user-input'), user);
	await page.type(sel('password-input'), 'mật-khẩu-' + user);
	await Promise.all([page.waitForNavigation(T), page.click(sel('login-submit'))]);
	await page.waitForFunction(
	    (u) => document.querySelector('[data-testid="user-name"]')?.textContent.includes(u), T, user);
}

await step('a clerk logs in to the city console', () => login('clerk1'));
await step('the header says "Nguồn: CSDL thành phố"', async () => {
	await page.goto(base + '/tra-cuu?q=ubnd', { waitUntil: 'networkidle0' });
	await page.waitForSelector(sel('source') + ':not([hidden])', T);
	return (await text('source')).includes('Nguồn: CSDL thành phố');
});
let href = '';
await step('a result links to its record as OFFICE:ID', async () => {
	await page.waitForSelector(sel('result-link'), T);
	href = await page.$eval(sel('result-link'), (a) => a.getAttribute('href'));
	if (!/^\/ho-so\/(phuong-a|quan-b)%3A\d+$/.test(href))
		throw new Error('the link is ' + href);
});
await step('the record page shows its office and where the scan is', async () => {
	await Promise.all([page.waitForNavigation(T), page.click(sel('result-link'))]);
	await page.waitForSelector(sel('pdf-elsewhere') + ':not([hidden])', T);
	const office = decodeURIComponent(href).replace(/^\/ho-so\/|:\d+$/g, '');
	return (await text('office')) === office &&
	    (await text('pdf-elsewhere')).includes('lưu tại đơn vị ' + office);
});
await step('no console errors on the clerk\'s pages', () => {
	if (errors.length)
		throw new Error(errors.join(' | '));
});
await Promise.all([page.waitForNavigation(T), page.click(sel('logout'))]);
await step('the report shows the office column', async () => {
	await login('auditor1');
	await page.goto(base + '/bao-cao', { waitUntil: 'networkidle0' });
	await page.waitForSelector(sel('office-col') + ':not([hidden])', T);
	await page.waitForSelector(sel('office-row'), T);
});
await Promise.all([page.waitForNavigation(T), page.click(sel('logout'))]);
await step('records staff see no scanners link on the city console', async () => {
	await login('staff1');
	await page.goto(base + '/tra-cuu', { waitUntil: 'networkidle0' });
	await page.waitForSelector(sel('source') + ':not([hidden])', T);
	return await page.$eval('#nav a[data-page="scanners"]', (a) => a.hidden);
});
await browser.close();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
