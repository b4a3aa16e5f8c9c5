// The Monitor against a real `hooklens serve` forwarding to a loopback target this test
// scripts: `/hook` answers 200 after DELAY_MS, or 500 for paths with `fail`; `/broken` always
// answers 503, so that target goes down. What the charts' legends say is derived from what
// was sent. HOOKLENS_SCREENSHOTS=dir saves the page as dir/ui-monitor.png (`make ui-screenshots`).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Locator } from 'playwright-core';
import { openBrowser, startEngine, type Browser, type Engine } from './harness';

const DELAY_MS = 40;
// Every third request to /shop fails: never five failures in a row, so /hook stays up.
const SHOP = Array.from({ length: 12 }, (_, i) => (i % 3 === 2 ? `/shop/fail-${i}` : `/shop/ok-${i}`));
const BROKEN = 5; // five failures in a row take a target down
const WAIT = { timeout: 20_000 };

let engine: Engine;
let browser: Browser;
let target: Server;
let hook = '';
let broken = '';

beforeAll(async () => {
  target = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url?.startsWith('/broken')) {
        res.writeHead(503).end('down for the test');
      } else if (req.url?.includes('fail')) {
        res.writeHead(500).end('failing on purpose');
      } else {
        setTimeout(() => res.writeHead(200).end('ok'), DELAY_MS);
      }
    });
  });
  await new Promise<void>((done) => target.listen(0, '127.0.0.1', done));
  const base = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  hook = `${base}/hook`;
  broken = `${base}/broken`;
  engine = await startEngine();
  const once = { schedule_ms: [] }; // no retries: every request is exactly one attempt
  await engine.call('POST', '/api/v1/endpoints', { name: 'shop', path: '/shop', forward: [{ url: hook }], retry: once });
  await engine.call('POST', '/api/v1/endpoints', { name: 'broken', path: '/broken', forward: [{ url: broken }], retry: once });
  browser = await openBrowser(engine, { width: 1280, height: 980 });
});

afterAll(async () => {
  await browser?.close();
  await engine?.stop();
  await new Promise((done) => target?.close(done));
});

async function post(path: string): Promise<void> {
  const r = await engine.send(path, { method: 'POST', body: '{"n":1}', headers: { 'content-type': 'application/json' } });
  expect(r.status).toBe(200);
}

/** uPlot's legend of a chart as label → value (the window's summary while the cursor is away). */
async function legend(chart: Locator): Promise<Record<string, string>> {
  const rows = await chart.locator('.u-legend .u-series').evaluateAll((trs) =>
    trs.map((tr) => [tr.querySelector('.u-label')?.textContent ?? '', tr.querySelector('.u-value')?.textContent ?? '']),
  );
  return Object.fromEntries(rows);
}

function ms(text: string): number {
  const m = /^([\d.]+) (ms|s)$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

test('before any traffic the Monitor explains what will appear', async () => {
  const { page } = browser;
  await page.getByRole('link', { name: 'Monitor' }).click();
  const empty = page.getByTestId('monitor-empty');
  await empty.waitFor();
  const text = await empty.textContent();
  for (const what of ['Incoming', 'Deliveries', 'Latency', 'Retry backlog', 'Down periods']) expect(text).toContain(what);
  expect(text).toContain(engine.receiver);
});

test('traffic sent shows up in the charts, live, with the legends derived from it', async () => {
  const { page } = browser;
  for (const path of SHOP) await post(path);
  for (let i = 0; i < BROKEN; i++) await post(`/broken/${i}`);

  // The page left its empty state by itself (stats.updated), without a reload.
  const incoming = page.getByTestId('chart-incoming');
  await expect
    .poll(async () => {
      const l = await legend(incoming);
      return [l.shop, l.broken];
    }, WAIT)
    .toEqual(['12 requests', '5 requests']);
  for (const id of ['chart-incoming', 'chart-deliveries', 'chart-latency', 'chart-backlog']) {
    const canvas = page.getByTestId(id).locator('canvas');
    expect(await canvas.count()).toBe(1);
    expect((await canvas.boundingBox())?.width).toBeGreaterThan(200);
  }

  const deliveries = page.getByTestId('chart-deliveries');
  await expect.poll(async () => (await legend(deliveries))[`${hook} ok`], WAIT).toBe('8 attempts');
  const d = await legend(deliveries);
  expect(d[`${hook} failed`]).toBe('4 attempts (33 %)');
  expect(d[`${broken} ok`]).toBe('0 attempts');
  expect(d[`${broken} failed`]).toMatch(/^\d+ attempts \(100 %\)$/);
  expect(Number(/^\d+/.exec(d[`${broken} failed`])?.[0])).toBeGreaterThanOrEqual(BROKEN);

  // Latency: every answer from /hook took at least DELAY_MS (histograms are within 9.1 %).
  const lat = await legend(page.getByTestId('chart-latency'));
  expect(Object.keys(lat)).toEqual(expect.arrayContaining([`${hook} p50`, `${hook} p95`, `${hook} p99`, `${broken} p50`]));
  expect(ms(lat[`${hook} p99`])).toBeGreaterThanOrEqual(DELAY_MS * 0.9);
  expect(ms(lat[`${hook} p50`])).toBeLessThanOrEqual(ms(lat[`${hook} p95`]));
  expect(ms(lat[`${hook} p95`])).toBeLessThanOrEqual(ms(lat[`${hook} p99`]));

  expect(Object.keys(await legend(page.getByTestId('chart-backlog')))).toContain('waiting deliveries');

  // Five 503s in a row: /broken is down, on the timeline.
  const lane = page.getByTestId('down-lane').filter({ hasText: broken });
  await lane.waitFor(WAIT);
  expect(await lane.getByTestId('down-period').count()).toBeGreaterThanOrEqual(1);
  expect(await page.getByTestId('down-lane').filter({ hasText: hook }).count()).toBe(0);

  // More requests: the same canvas gets the new values (the chart is not built again).
  const before = await incoming.locator('canvas').elementHandle();
  for (let i = 0; i < 6; i++) await post(`/shop/more-${i}`);
  await expect.poll(async () => (await legend(incoming)).shop, WAIT).toBe('18 requests');
  expect(await before?.evaluate((c) => c.isConnected)).toBe(true);
  await expect.poll(async () => (await legend(deliveries))[`${hook} ok`], WAIT).toBe('14 attempts');
});

/** Waits until the charts show the stats of `window`. */
const shown = (window: string) => browser.page.locator(`[data-testid="page-monitor"][data-window="${window}"]`).waitFor(WAIT);

test('the window picker is in the URL and keeps the data', async () => {
  const { page } = browser;
  await page.getByTestId('window-15m').click();
  expect(new URL(page.url()).searchParams.get('window')).toBe('15m');
  await shown('15m');
  await expect.poll(async () => (await legend(page.getByTestId('chart-incoming'))).shop, WAIT).toBe('18 requests');
  const dir = process.env.HOOKLENS_SCREENSHOTS;
  if (dir) await page.getByTestId('page-monitor').screenshot({ path: join(resolve(dir), 'ui-monitor.png') });
  await page.getByTestId('window-24h').click();
  await shown('24h');
  await expect.poll(async () => (await legend(page.getByTestId('chart-incoming'))).shop, WAIT).toBe('18 requests');
  await page.reload();
  await expect.poll(async () => (await legend(page.getByTestId('chart-incoming'))).shop, WAIT).toBe('18 requests');
  expect(await page.getByTestId('window-24h').getAttribute('aria-pressed')).toBe('true');
  await page.getByTestId('window-1h').click();
  expect(new URL(page.url()).searchParams.get('window')).toBeNull();
  await shown('1h');
});

test('clicking a point opens the request list for that bucket', async () => {
  const { page } = browser;
  const over = page.getByTestId('chart-incoming').locator('.u-over');
  const box = await over.boundingBox();
  expect(box).not.toBeNull();
  const sent = Date.now() / 1000;
  // The newest bucket is at the right edge of the plot.
  await over.click({ position: { x: box!.width - 2, y: box!.height / 2 } });
  await page.waitForURL((u) => u.pathname === '/requests', WAIT);
  const q = new URL(page.url()).searchParams;
  const since = Date.parse(q.get('since') ?? '') / 1000;
  const until = Date.parse(q.get('until') ?? '') / 1000;
  expect(until - since).toBe(60); // the 1h window's one-minute buckets
  expect(since % 60).toBe(0);
  expect(since).toBeLessThanOrEqual(sent + 1);
  expect(until).toBeGreaterThan(sent - 60);
  // The list shows what the list API holds for that range, and says it is filtered.
  const listed = await engine.call<{ items: unknown[] }>('GET', `/api/v1/requests?limit=100&${q}`);
  await expect.poll(() => page.getByTestId('request-row').count(), WAIT).toBe(listed.items.length);
  expect(await page.getByTestId('list-count').textContent()).toContain('filtered');
});

test('dragging across a chart opens the request list for the selected range', async () => {
  const { page } = browser;
  await page.goBack();
  await shown('1h');
  const over = page.getByTestId('chart-deliveries').locator('.u-over');
  await over.waitFor();
  const box = (await over.boundingBox())!;
  // From the middle of the window to its end: every request of this test is in there.
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2, { steps: 5 });
  await page.mouse.move(box.x + box.width - 1, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.waitForURL((u) => u.pathname === '/requests', WAIT);
  const q = new URL(page.url()).searchParams;
  const listed = await engine.call<{ items: unknown[] }>('GET', `/api/v1/requests?limit=100&${q}`);
  expect(listed.items.length).toBe(SHOP.length + BROKEN + 6);
  await expect.poll(() => page.getByTestId('request-row').count(), WAIT).toBe(SHOP.length + BROKEN + 6);
  expect(await page.getByTestId('filter-since').inputValue()).not.toBe('');
  const span = (Date.parse(q.get('until')!) - Date.parse(q.get('since')!)) / 1000;
  expect(span % 60).toBe(0);
  expect(span).toBeGreaterThanOrEqual(25 * 60); // about half of the hour, in whole buckets
});

test('a down period on the timeline opens the requests received while it lasted', async () => {
  const { page } = browser;
  await page.goto(engine.api + '/monitor');
  const bar = page.getByTestId('down-lane').filter({ hasText: broken }).getByTestId('down-period').first();
  await bar.waitFor(WAIT);
  expect(await bar.getAttribute('aria-label')).toContain('down from');
  await bar.click();
  await page.waitForURL((u) => u.pathname === '/requests', WAIT);
  const q = new URL(page.url()).searchParams;
  expect(Date.parse(q.get('until')!)).toBeGreaterThan(Date.parse(q.get('since')!));
});

test('dark theme: the charts are drawn again in its colours; nothing broke the CSP', async () => {
  const { page } = browser;
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(engine.api + '/monitor');
  const label = page.getByTestId('chart-incoming').locator('.u-legend .u-label').first();
  await label.waitFor();
  const light = await label.evaluate((e) => getComputedStyle(e).color);
  const canvas = await page.getByTestId('chart-incoming').locator('canvas').elementHandle();
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect.poll(() => canvas?.evaluate((c) => c.isConnected), WAIT).toBe(false);
  const dark = await page.getByTestId('chart-incoming').locator('.u-legend .u-label').first().evaluate((e) => getComputedStyle(e).color);
  expect(dark).not.toBe(light);
  expect(browser.problems).toEqual([]);
});

test('after a restart the charts still hold what came before (history from the store)', async () => {
  const { page } = browser;
  engine = await engine.restart();
  await page.goto(engine.api + '/monitor');
  const incoming = page.getByTestId('chart-incoming');
  await expect.poll(async () => (await legend(incoming)).shop, WAIT).toBe('18 requests');
  expect((await legend(page.getByTestId('chart-deliveries')))[`${hook} ok`]).toBe('14 attempts');
});
