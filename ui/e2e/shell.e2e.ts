import { afterAll, beforeAll, expect, test } from 'vitest';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, openBrowser, startEngine, type Browser, type Engine } from './harness';

let engine: Engine;
let browser: Browser;

beforeAll(async () => {
  engine = await startEngine();
  browser = await openBrowser(engine);
});
afterAll(async () => {
  await browser?.close();
  await engine?.stop();
});

test('without the login cookie, / says to open the login link', async () => {
  const b = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await b.newPage();
    const response = await page.goto(engine.api + '/');
    expect(response?.status()).toBe(401);
    await expect.poll(() => page.textContent('body')).toContain('login link');
  } finally {
    await b.close();
  }
});

test('logged in, the first run teaches the receiver URL and a curl command', async () => {
  const { page } = browser;
  await page.getByTestId('empty-state').waitFor();
  const text = await page.getByTestId('empty-state').textContent();
  expect(text).toContain(engine.receiver);
  expect(text).toContain('curl -X POST');
  expect(await page.getByTestId('receiver-url').textContent()).toBe(engine.receiver + '/');
  await page.locator('[data-testid="live"][data-state="live"]').waitFor();
});

test('a POST appears live without a reload', async () => {
  const { page } = browser;
  await engine.send('/hooks/live-one?x=1', { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
  const row = page.getByTestId('request-row').filter({ hasText: '/hooks/live-one' });
  await row.waitFor();
  expect(await row.textContent()).toContain('POST');
  expect(await page.getByTestId('request-count').textContent()).toBe('1');
});

test('client routes are shareable URLs: a reload keeps the page, the nav moves between pages', async () => {
  const { page } = browser;
  await page.getByRole('link', { name: 'Rules' }).click();
  await page.getByTestId('page-rules').waitFor();
  expect(new URL(page.url()).pathname).toBe('/rules');
  await page.reload();
  await page.getByTestId('page-rules').waitFor();
  await page.goBack();
  await page.getByTestId('request-row').first().waitFor();
});

test('hashed assets are cached for long, the page never; CSP is strict and nothing broke it', async () => {
  const { page } = browser;
  const index = await page.request.get(engine.api + '/');
  expect(index.headers()['cache-control']).toBe('no-store');
  const csp = index.headers()['content-security-policy'];
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('unsafe-eval');
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(await index.text())?.[1];
  expect(script).toBeTruthy();
  const asset = await page.request.get(engine.api + script);
  expect(asset.headers()['cache-control']).toContain('immutable');
  expect(asset.headers()['content-type']).toContain('javascript');
  const missing = await page.request.get(engine.api + '/api/v1/nope');
  expect(missing.status()).toBe(404);
  expect(browser.problems).toEqual([]);
});

test('dark and light follow the system', async () => {
  const { page } = browser;
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await background()).toBe('rgb(20, 23, 28)');
  await page.emulateMedia({ colorScheme: 'light' });
  expect(await background()).toBe('rgb(255, 255, 255)');
});

test('after the engine restarts the stream reconnects by itself and the list re-reads what arrived meanwhile', async () => {
  const { page } = browser;
  await page.goto(`${engine.api}/requests`);
  await page.locator('[data-testid="live"][data-state="live"]').waitFor();
  const down = engine.restart();
  await page.locator('[data-testid="live"]:not([data-state="live"])').waitFor();
  engine = await down;
  // Captured before the page is back on the stream: only a re-read can show it.
  await engine.send('/while/reconnecting', { method: 'POST', body: '{}' });
  await page.locator('[data-testid="live"][data-state="live"]').waitFor({ timeout: 20_000 });
  await page.getByTestId('request-row').filter({ hasText: '/while/reconnecting' }).waitFor();
});
