// `make ui-perf`: the inspector with 100,000 stored requests. Prints the figures; asserts only
// that the run was complete (speed is reported, never asserted).
//   time to the first list paint, DOM rows present, long tasks while scrolling and during
//   10 s of live capture at 500 requests/s.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openBrowser, startEngine, type Browser, type Engine } from './harness';

const STORED = Number(process.env.UI_PERF_REQUESTS ?? 100_000);
const RATE = 500;
const SECONDS = 10;

let engine: Engine;
let browser: Browser;

beforeAll(async () => {
  engine = await startEngine();
}, 600_000);
afterAll(async () => {
  await browser?.close();
  await engine?.stop();
});

async function seed(n: number) {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const r = await engine.send(`/seed/${i % 50}/item-${i}?n=${i}`, {
        method: 'POST',
        body: JSON.stringify({ type: i % 3 ? 'invoice.paid' : 'payment_intent.succeeded', n: i, data: { object: { amount: i } } }),
        headers: { 'content-type': 'application/json' },
      });
      if (!r.ok) throw new Error(`seeding: request ${i} answered ${r.status}`);
      await r.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

const LONG_TASKS = () => {
  const w = window as unknown as { __long: { start: number; duration: number }[] };
  w.__long = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) w.__long.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
};

test(`figures with ${STORED} stored requests`, async () => {
  const t0 = Date.now();
  await seed(STORED);
  const seeded = (Date.now() - t0) / 1000;
  const status = await engine.call<{ requests: number }>('GET', '/api/v1/status');
  expect(status.requests).toBe(STORED);

  browser = await openBrowser(engine, { width: 1280, height: 800 });
  const { page } = browser;
  await page.addInitScript(LONG_TASKS);
  // First paint of the list: navigation start to the first row in the DOM, measured in page.
  await page.addInitScript(() => {
    const w = window as unknown as { __rowsAt?: number };
    new MutationObserver((_, obs) => {
      if (document.querySelector('[data-testid="request-row"]')) {
        w.__rowsAt = performance.now();
        obs.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(`${engine.api}/requests`);
  await page.getByTestId('request-row').first().waitFor();
  const firstRows = await page.evaluate(() => (window as unknown as { __rowsAt: number }).__rowsAt);
  const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null);
  const domRows = await page.getByTestId('request-row').count();

  // Scrolling: 300 steps of 600 px down the list, loading older pages as it goes.
  const scroll = await page.evaluate(async () => {
    const w = window as unknown as { __long: { start: number; duration: number }[] };
    const list = document.querySelector('[data-testid="request-list"]')!;
    const from = performance.now();
    for (let i = 0; i < 300; i++) {
      list.scrollTop += 600;
      await new Promise((r) => requestAnimationFrame(r));
    }
    const took = performance.now() - from;
    const long = w.__long.filter((t) => t.start >= from);
    return { took, longCount: long.length, longMs: long.reduce((a, t) => a + t.duration, 0), loaded: document.querySelectorAll('[data-testid="request-row"]').length };
  });
  const loadedAfterScroll = await page.evaluate(() => document.querySelector('[data-testid="list-count"]')?.textContent ?? '');

  // Live: back to the top, then 500 req/s for 10 s.
  await page.evaluate(() => (document.querySelector('[data-testid="request-list"]')!.scrollTop = 0));
  const liveFrom = await page.evaluate(() => performance.now());
  const sent: Promise<Response>[] = [];
  const start = Date.now();
  for (let tick = 0; tick < SECONDS * 10; tick++) {
    for (let j = 0; j < RATE / 10; j++) {
      sent.push(engine.send(`/live/${tick}-${j}`, { method: 'POST', body: '{"live":true}', headers: { 'content-type': 'application/json' } }));
    }
    const due = start + (tick + 1) * 100;
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
  }
  const answers = await Promise.all(sent);
  expect(answers.every((r) => r.ok)).toBe(true);
  const sendSeconds = (Date.now() - start) / 1000;
  await page.locator('[data-testid="request-row"]', { hasText: `/live/${SECONDS * 10 - 1}-${RATE / 10 - 1}` }).waitFor();
  const live = await page.evaluate((from) => {
    const w = window as unknown as { __long: { start: number; duration: number }[] };
    const long = w.__long.filter((t) => t.start >= from);
    return { took: performance.now() - from, longCount: long.length, longMs: long.reduce((a, t) => a + t.duration, 0), maxMs: Math.max(0, ...long.map((t) => t.duration)) };
  }, liveFrom);
  const domRowsAfter = await page.getByTestId('request-row').count();

  const figures = {
    stored: STORED,
    seed_seconds: seeded.toFixed(1),
    first_contentful_paint_ms: fcp === null ? null : Math.round(fcp),
    first_list_rows_ms: Math.round(firstRows),
    dom_rows_at_first_paint: domRows,
    scroll_300_steps_ms: Math.round(scroll.took),
    scroll_long_tasks: scroll.longCount,
    scroll_long_task_ms: Math.round(scroll.longMs),
    rows_loaded_after_scroll: loadedAfterScroll,
    live_requests: RATE * SECONDS,
    live_send_seconds: sendSeconds.toFixed(1),
    live_achieved_rate: Math.round((RATE * SECONDS) / sendSeconds),
    live_window_ms: Math.round(live.took),
    live_long_tasks: live.longCount,
    live_long_task_ms: Math.round(live.longMs),
    live_longest_task_ms: Math.round(live.maxMs),
    dom_rows_after_live: domRowsAfter,
  };
  console.log('\nui-perf figures\n' + Object.entries(figures).map(([k, v]) => `  ${k.padEnd(26)} ${v}`).join('\n'));
}, 900_000);
