// A window that stays open for days, in real Chromium against a real `hooklens serve`: the
// list keeps a bounded window of rows whatever streams in or is scrolled through, and after
// the engine stops and continues (a machine's sleep) it holds every request exactly once.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openBrowser, startEngine, type Browser, type Engine } from './harness';

const WINDOW = 2000; // ui/src/lib/requestList.svelte.ts

let engine: Engine;
let browser: Browser;

beforeAll(async () => {
  engine = await startEngine();
  browser = await openBrowser(engine, { width: 1280, height: 700 });
});
afterAll(async () => {
  await browser?.close();
  await engine?.stop();
});

async function send(from: number, to: number, prefix: string, parallel = 16): Promise<void> {
  let next = from;
  const worker = async () => {
    while (next < to) {
      const n = next++;
      const r = await engine.send(`/${prefix}/${n}`, { method: 'POST', body: `{"n":${n}}` });
      expect(r.status).toBe(200);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

/** The list footer's `N shown` (with `+` when older rows are left to read). */
const shown = () => browser.page.getByTestId('list-count').textContent();
const stored = async () => (await engine.call<{ requests: number }>('GET', '/api/v1/status')).requests;
const firstRow = () => browser.page.getByTestId('request-row').first().textContent();

test('the list holds a bounded window of rows, whatever streams in or is scrolled through', async () => {
  const { page } = browser;
  await page.getByTestId('empty-state').waitFor();
  const total = WINDOW + 400;
  await send(0, total, 'many');
  await expect.poll(stored, { timeout: 30_000 }).toBe(total);
  // Newest first, at most the window held: the oldest went below, to be read again.
  await expect.poll(shown, { timeout: 30_000 }).toMatch(new RegExp(`^${WINDOW}\\+ shown`));

  // Scrolled to the bottom again and again, older pages come in and the newest go.
  const list = page.getByTestId('request-list');
  for (let i = 0; i < 4 && !(await page.getByTestId('show-newest').isVisible()); i++) {
    await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect.poll(() => page.getByTestId('request-row').last().textContent()).not.toBe('');
  }
  await page.getByTestId('show-newest').waitFor();
  expect(await shown()).toMatch(new RegExp(`^${WINDOW}\\b`));
  await send(total, total + 3, 'while-away');
  await expect.poll(() => page.getByTestId('show-newest').textContent()).toContain('(3 new)');

  // Back at the top, the newest are read again.
  await list.evaluate((el) => (el.scrollTop = 0));
  await page.getByTestId('show-newest').waitFor({ state: 'detached' });
  await expect.poll(firstRow).toContain(`/while-away/`);
});

test('after the engine stops and continues, the live list holds every request exactly once', async () => {
  const { page } = browser;
  await engine.call('DELETE', '/api/v1/requests');
  await expect.poll(shown).toMatch(/^0 shown/);
  await send(0, 5, 'before', 1);
  await expect.poll(shown).toMatch(/^5 shown · 5 stored/);

  // The machine sleeps: nothing answers while it does; senders wait.
  engine.process.kill('SIGSTOP');
  const during = send(0, 20, 'during', 20);
  await new Promise((r) => setTimeout(r, 3000)); // the sleep itself
  engine.process.kill('SIGCONT');
  await during;
  await send(0, 5, 'after', 1);
  await expect.poll(shown, { timeout: 20_000 }).toMatch(/^30 shown · 30 stored/);
  await expect.poll(() => page.getByTestId('live').getAttribute('data-state')).toBe('live');
  expect(await firstRow()).toContain('/after/4');
});
