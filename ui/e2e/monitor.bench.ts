// `make ui-monitor-perf`: what the Monitor costs the browser while traffic flows. Prints the
// figures; asserts only that the run was complete (speed is reported, never asserted).
//   time to the charts, /api/v1/stats answer times per window, and during live traffic
//   (RATE requests/s for SECONDS s over 8 endpoints forwarding to 4 targets): stats reads,
//   the page's main-thread script time, long tasks, and whether any chart was built again.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openBrowser, startEngine, type Browser, type Engine } from './harness';

const RATE = Number(process.env.UI_MONITOR_RATE ?? 100);
const SECONDS = Number(process.env.UI_MONITOR_SECONDS ?? 20);
const ENDPOINTS = 8;
const TARGETS = 4;

let engine: Engine;
let browser: Browser;
let target: Server;

beforeAll(async () => {
  // Target t answers 200 after t ms; one request in ten fails with 500.
  target = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const t = Number(/\/t(\d)/.exec(req.url ?? '')?.[1] ?? 0);
      if ((req.url ?? '').includes('fail')) res.writeHead(500).end();
      else setTimeout(() => res.writeHead(200).end('ok'), t * 5);
    });
  });
  await new Promise<void>((done) => target.listen(0, '127.0.0.1', done));
  const base = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  engine = await startEngine();
  for (let e = 0; e < ENDPOINTS; e++) {
    await engine.call('POST', '/api/v1/endpoints', {
      name: `ep${e}`,
      path: `/ep${e}`,
      forward: [{ url: `${base}/t${e % TARGETS}` }],
      retry: { schedule_ms: [] },
    });
  }
  browser = await openBrowser(engine, { width: 1280, height: 980 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await engine?.stop();
  await new Promise((done) => target?.close(done));
});

async function traffic(rate: number, seconds: number): Promise<number> {
  let sent = 0;
  const start = Date.now();
  const inflight = new Set<Promise<void>>();
  for (let i = 0; i < rate * seconds; i++) {
    // Paced on the wall clock: request i leaves at i / rate seconds.
    const due = start + (i * 1000) / rate;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    // At most 32 in flight: a receiver that falls behind slows the sender down.
    while (inflight.size >= 32) await Promise.race(inflight);
    const p = engine
      .send(`/ep${i % ENDPOINTS}/${i % 10 === 9 ? 'fail' : 'ok'}/${i}`, { method: 'POST', body: `{"i":${i}}` })
      .then(async (r) => {
        await r.arrayBuffer();
        if (r.ok) sent++;
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  }
  await Promise.all(inflight);
  return sent;
}

test(`the Monitor under ${RATE} requests/s`, async () => {
  const { page } = browser;
  // Seed a minute of history so the charts have their lines before the timing starts.
  expect(await traffic(40, 2)).toBe(80);

  await page.addInitScript(() => {
    const w = window as unknown as { __long: number[] };
    w.__long = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__long.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  const t0 = Date.now();
  await page.goto(`${engine.api}/monitor?window=15m`);
  await page.getByTestId('chart-deliveries').locator('.u-legend .u-series').nth(2 * TARGETS).waitFor();
  const toCharts = Date.now() - t0;

  const answers: Record<string, number[]> = {};
  for (const w of ['15m', '1h', '24h', '7d']) {
    for (let i = 0; i < 5; i++) {
      const s = performance.now();
      await engine.call('GET', `/api/v1/stats?window=${w}`);
      (answers[w] ??= []).push(performance.now() - s);
    }
  }

  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metric = async (name: string) =>
    (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === name)?.value ?? 0;
  const CHARTS = ['chart-incoming', 'chart-deliveries', 'chart-latency', 'chart-backlog'];
  const canvases = await Promise.all(CHARTS.map((id) => page.getByTestId(id).locator('canvas').elementHandle()));
  let reads = 0;
  page.on('response', (r) => {
    if (r.url().includes('/api/v1/stats')) reads++;
  });
  const scriptBefore = await metric('ScriptDuration');
  const taskBefore = await metric('TaskDuration');
  const longBefore = await page.evaluate(() => (window as unknown as { __long: number[] }).__long.length);

  const began = Date.now();
  const sent = await traffic(RATE, SECONDS);
  const took = (Date.now() - began) / 1000;
  expect(sent).toBe(RATE * SECONDS);
  const total = 80 + sent;
  await expect
    .poll(async () => page.getByTestId('chart-incoming').locator('.u-legend').textContent(), { timeout: 30_000 })
    .toContain(`${total / ENDPOINTS} requests`);

  const script = (await metric('ScriptDuration')) - scriptBefore;
  const task = (await metric('TaskDuration')) - taskBefore;
  const long = await page.evaluate((n) => (window as unknown as { __long: number[] }).__long.slice(n), longBefore);
  const gone = await Promise.all(canvases.map((c) => c?.evaluate((e) => !e.isConnected) ?? true));
  const rebuilt = CHARTS.filter((_, i) => gone[i]);

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(
    [
      `Monitor figures (${RATE} req/s for ${SECONDS} s, sent in ${took.toFixed(1)} s; ${ENDPOINTS} endpoints, ${TARGETS} targets, 10 % failing):`,
      `  navigation to charts drawn: ${toCharts} ms`,
      `  /api/v1/stats median answer: ${Object.entries(answers)
        .map(([w, xs]) => `${w} ${median(xs).toFixed(1)} ms`)
        .join(', ')}`,
      `  stats reads during the run: ${reads} (${(reads / took).toFixed(2)}/s)`,
      `  main-thread script (the whole app, also handling ${sent} request.captured events): ${(script * 1000).toFixed(0)} ms, ${((script * 100) / took).toFixed(1)} % of the run; all tasks ${(task * 1000).toFixed(0)} ms`,
      `  long tasks (>50 ms): ${long.length}${long.length ? `, longest ${Math.max(...long).toFixed(0)} ms` : ''}`,
      `  charts built again: ${rebuilt.length} of ${CHARTS.length}${rebuilt.length ? ` (${rebuilt.join(', ')})` : ''}`,
    ].join('\n'),
  );
  expect(reads).toBeGreaterThan(0);
});
