// Forwarding from the window, refusals on their field, and imports, in real Chromium against
// a real `hooklens serve`. Targets that must count as "not on this machine" use 0.0.0.0:
// not a loopback address to the guard, yet on Linux a connection to it stays on this
// machine (tests send traffic to loopback only).
import { afterAll, beforeAll, expect, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, openBrowser, startEngine, startTarget, type Browser, type Engine, type Target } from './harness';

let engine: Engine;
let browser: Browser;
let target: Target;

beforeAll(async () => {
  target = await startTarget();
  engine = await startEngine();
  browser = await openBrowser(engine);
});
afterAll(async () => {
  await browser?.close();
  await engine?.stop();
  await target?.close();
});

interface SettingsJson {
  forward: { enabled: boolean; targets: string[] };
  forward_command_line: string[];
  allow_remote_targets: boolean;
}
interface Delivery {
  url: string;
  state: string;
  attempt_list?: { error_kind: string | null }[];
}

const toastSaying = (text: string) => browser.page.getByTestId('toast').filter({ hasText: text }).first().waitFor();
const settings = () => engine.call<SettingsJson>('GET', '/api/v1/settings');
const deliveries = (id: string) => engine.call<Delivery[]>('GET', `/api/v1/requests/${id}/deliveries`);

async function capture(path: string, body = '{}'): Promise<string> {
  const r = await engine.send(path, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  return ((await r.json()) as { id: string }).id;
}

test('the empty list offers forwarding to localhost:3000, and one click sets it up', async () => {
  const { page } = browser;
  await page.getByTestId('empty-state').waitFor();
  await expect.poll(() => page.getByTestId('status-forward-none').textContent()).toContain('nowhere');
  await page.getByTestId('forward-suggested').click();
  await toastSaying('Forwarding to http://localhost:3000');
  expect((await settings()).forward).toEqual({ enabled: true, targets: ['http://localhost:3000'] });
  await page.getByTestId('forwarding-to-suggested').waitFor();
  await expect
    .poll(async () => (await page.getByTestId('status-forward-target').allTextContents()).map((t) => t.trim()))
    .toEqual(['http://localhost:3000']);
  await engine.call('PATCH', '/api/v1/settings', { forward: { targets: [] } });
  await page.getByTestId('forward-suggested').waitFor(); // the change from elsewhere shows
});

test('Forward to in the status bar: requests reach the target at once, one click turns it off', async () => {
  const { page } = browser;
  await page.getByTestId('status-forward-edit').click();
  const panel = page.getByRole('dialog', { name: 'Forward to' });
  await panel.getByTestId('forward-target-url').first().fill(target.url);
  await panel.getByTestId('forward-save').click();
  await toastSaying(`Forwarding to ${target.url}`);
  await page.keyboard.press('Escape');

  const first = await capture('/window/one');
  expect((await target.next((r) => r.url === '/window/one')).method).toBe('POST');
  await expect.poll(async () => (await deliveries(first))[0]?.state).toBe('succeeded');
  const shown = page.getByTestId('status-forward-target').filter({ hasText: target.url });
  await expect.poll(() => shown.getAttribute('class')).toContain('up');

  await page.getByTestId('status-forward-toggle').click();
  await expect.poll(async () => (await settings()).forward.enabled).toBe(false);
  await expect.poll(() => page.getByTestId('status-forward-none').textContent()).toContain('off');
  const second = await capture('/window/two');
  expect(await deliveries(second)).toEqual([]);
  await page.getByTestId('status-forward-toggle').click();
  await expect.poll(async () => (await settings()).forward.enabled).toBe(true);
});

test('a target that keeps refusing shows down, since when, and the deliveries waiting', async () => {
  const { page } = browser;
  const closed = await startTarget();
  const url = closed.url;
  await closed.close(); // nothing listens there now
  await engine.call('PATCH', '/api/v1/settings', { forward: { targets: [url] } });
  for (let i = 0; i < 6; i++) await capture(`/down/${i}`);
  const shown = page.getByTestId('status-forward-target').filter({ hasText: url });
  await expect.poll(() => shown.getAttribute('class'), { timeout: 20_000 }).toContain('down');
  await expect.poll(() => shown.textContent()).toMatch(/down since \d\d:\d\d:\d\d \(\d+ waiting\)/);
  await engine.call('PATCH', '/api/v1/settings', { forward: { targets: [target.url] } });
});

test('targets off this machine are refused on their field, in every editor', async () => {
  const { page } = browser;
  const remote = 'http://0.0.0.0:9/';
  await page.getByTestId('status-forward-edit').click();
  const panel = page.getByRole('dialog', { name: 'Forward to' });
  await panel.getByTestId('forward-add').click();
  await panel.getByTestId('forward-target-url').last().fill(remote);
  await panel.getByTestId('forward-save').click();
  await expect.poll(() => panel.getByTestId('field-error').textContent()).toContain('allow_remote_targets');
  expect((await settings()).forward.targets).toEqual([target.url]);
  await page.keyboard.press('Escape');

  await page.goto(`${engine.api}/endpoints/new`);
  await page.locator('input[name=name]').fill('remote');
  await page.locator('input[name=path]').fill('/remote');
  await page.getByTestId('add-target').click();
  await page.locator('input[name=target-url]').fill(remote);
  await page.getByTestId('endpoint-save').click();
  const error = page.getByTestId('forward-target').getByTestId('field-error');
  await expect.poll(() => error.textContent()).toContain('allow_remote_targets');

  const id = await capture('/replay/me');
  await page.goto(`${engine.api}/requests/${id}`);
  await page.getByTestId('action-replay').click();
  await page.getByTestId('replay-target').fill(remote);
  await page.getByTestId('replay-send').click();
  const replayError = page.getByTestId('replay-form').getByTestId('field-error');
  await expect.poll(() => replayError.textContent()).toContain('allow_remote_targets');
  expect(await deliveries(id)).toHaveLength(1); // the automatic one only: nothing queued
  await page.keyboard.press('Escape');
});

test('deliveries blocked while remote targets were off are offered for retry once allowed', async () => {
  const { page } = browser;
  const local = new URL(target.url);
  const remote = `http://0.0.0.0:${local.port}`; // counts as remote, reaches the local target
  await engine.call('PATCH', '/api/v1/settings', { allow_remote_targets: true, forward: { targets: [remote] } });
  await engine.call('PATCH', '/api/v1/settings', { allow_remote_targets: false });
  const id = await capture('/blocked/one');
  await expect.poll(async () => (await deliveries(id))[0]?.state).toBe('failed');
  const [blocked] = await deliveries(id);
  expect([blocked.url, blocked.attempt_list?.[0]?.error_kind]).toEqual([`${remote}/blocked/one`, 'blocked']);

  await page.goto(`${engine.api}/settings`);
  await page.locator('input[name=allow-remote]').check();
  await page.getByTestId('settings-save').click();
  await page.getByTestId('blocked-deliveries').waitFor();
  await page.getByTestId('retry-blocked').click();
  await toastSaying('Queued 1 blocked delivery again');
  expect((await target.next((r) => r.url === '/blocked/one')).method).toBe('POST');
  await expect.poll(async () => (await deliveries(id))[0]?.state).toBe('succeeded');
  await engine.call('PATCH', '/api/v1/settings', { allow_remote_targets: false, forward: { targets: [] } });
});

test('`serve --forward-to` targets show in the window, read only, beside its own, and get the requests', async () => {
  const cli = await startTarget();
  const own = await startTarget();
  const started = await startEngine({ extraArgs: ['--forward-to', cli.url] });
  const window = await openBrowser(started);
  try {
    const { page } = window;
    expect((await started.call<SettingsJson>('GET', '/api/v1/settings')).forward_command_line).toEqual([cli.url]);
    const shown = () => page.getByTestId('status-forward-target').allTextContents();
    await expect.poll(async () => (await shown()).map((t) => t.trim())).toEqual([cli.url]);

    // The window's own target beside it, set in the Forward to panel; the command line's is
    // listed there with no field to edit or remove it.
    await page.getByTestId('status-forward-edit').click();
    const panel = page.getByRole('dialog', { name: 'Forward to' });
    const line = panel.getByTestId('forward-command-line');
    await expect.poll(() => line.textContent()).toContain(cli.url);
    expect(await line.textContent()).toContain('--forward-to');
    expect(await line.locator('input, button').count()).toBe(0);
    await panel.getByTestId('forward-target-url').first().fill(own.url);
    await panel.getByTestId('forward-save').click();
    await page.getByTestId('toast').filter({ hasText: `Forwarding to ${own.url}` }).first().waitFor();
    expect(await panel.getByTestId('forward-command-line').count()).toBe(1);
    expect(await panel.getByTestId('forward-target-url').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value))).toEqual([own.url]);
    await page.keyboard.press('Escape');
    await expect.poll(async () => (await shown()).map((t) => t.trim())).toEqual([cli.url, own.url]);

    // A captured request reaches both, and its detail shows the command line's delivery.
    const r = await started.send('/cli/one', { method: 'POST', body: '{"via":"cli"}', headers: { 'content-type': 'application/json' } });
    const id = ((await r.json()) as { id: string }).id;
    expect((await cli.next((q) => q.url === '/cli/one')).body.toString()).toBe('{"via":"cli"}');
    await own.next((q) => q.url === '/cli/one');
    await page.goto(`${started.api}/requests/${id}?tab=deliveries`);
    const delivery = page.getByTestId('delivery').filter({ hasText: `${cli.url}/cli/one` });
    await expect.poll(() => delivery.getAttribute('data-state')).toBe('succeeded');
    expect(await delivery.getByTestId('attempt').first().locator('.badge').textContent()).toBe('200');

    // Turning the window's forwarding off leaves the command line's on; Settings lists it too.
    await page.getByTestId('status-forward-toggle').click();
    await expect.poll(async () => (await started.call<SettingsJson>('GET', '/api/v1/settings')).forward.enabled).toBe(false);
    await expect.poll(async () => (await shown()).map((t) => t.trim())).toEqual([cli.url]);
    const two = await started.send('/cli/two', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    const twoId = ((await two.json()) as { id: string }).id;
    await cli.next((q) => q.url === '/cli/two');
    // Deliveries are queued when a request is captured: one, to the command line's target.
    const queued = await started.call<Delivery[]>('GET', `/api/v1/requests/${twoId}/deliveries`);
    expect(queued.map((d) => d.url)).toEqual([`${cli.url}/cli/two`]);
    expect(own.received.map((q) => q.url)).not.toContain('/cli/two');
    await page.goto(`${started.api}/settings`);
    await expect.poll(() => page.getByTestId('page-settings').getByTestId('forward-command-line').textContent()).toContain(cli.url);
    expect(window.problems).toEqual([]);
  } finally {
    await window.close();
    await started.stop();
    await cli.close();
    await own.close();
  }
});

/** Drops `files` on the window as a file manager would. */
async function drop(files: { name: string; text: string }[]) {
  const { page } = browser;
  const transfer = await page.evaluateHandle((files) => {
    const dt = new DataTransfer();
    for (const f of files) dt.items.add(new File([f.text], f.name));
    return dt;
  }, files);
  await page.dispatchEvent('main', 'dragenter', { dataTransfer: transfer });
  await page.getByTestId('import-drop').waitFor();
  await page.dispatchEvent('main', 'drop', { dataTransfer: transfer });
  await page.getByTestId('import-drop').waitFor({ state: 'detached' });
}

test('a dropped export is imported and listed; a malformed one names its line and stores nothing', async () => {
  const { page } = browser;
  await page.goto(`${engine.api}/requests`);
  const lines = [
    { id: '01JUIIMPORT000000000000001', method: 'POST', path: '/imported/first', body_text: '{"a":1}', received_at_us: 1_700_000_000_000_000 },
    { id: '01JUIIMPORT000000000000002', method: 'PUT', path: '/imported/second', body_base64: 'AP8=' },
  ];
  await drop([{ name: 'old.ndjson', text: lines.map((l) => JSON.stringify(l)).join('\n') + '\n' }]);
  await toastSaying('Imported 2 requests from old.ndjson');
  await browser.page.getByTestId('request-row').filter({ hasText: '/imported/second' }).waitFor();
  await browser.page.getByTestId('request-row').filter({ hasText: '/imported/first' }).waitFor();
  const stored = await engine.call<{ via: string; received_at_us: number }>('GET', '/api/v1/requests/01JUIIMPORT000000000000001');
  expect([stored.via, stored.received_at_us]).toEqual(['import', 1_700_000_000_000_000]);

  const before = (await engine.call<{ requests: number }>('GET', '/api/v1/status')).requests;
  await drop([{ name: 'broken.ndjson', text: '{"method":"POST","path":"/x"}\n{"method":"POST"}\n' }]);
  await toastSaying('Cannot import broken.ndjson: line 2:');
  expect((await engine.call<{ requests: number }>('GET', '/api/v1/status')).requests).toBe(before);

  // The same through Export → Import, with a HAR: what is stored already is skipped.
  const har = { log: { entries: [{ _id: '01JUIIMPORT000000000000002', request: { method: 'PUT', url: 'http://x/imported/second' } }] } };
  await page.getByTestId('export').click();
  await page.getByTestId('import-input').setInputFiles({ name: 'again.har', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(har)) });
  await toastSaying('Imported 0 requests from again.har — 1 already stored, skipped');
  // The refusals above are logged by the browser as failed loads; nothing else went wrong.
  expect(browser.problems.filter((p) => !p.includes('Failed to load resource'))).toEqual([]);
});

test('a HAR Chromium recorded itself is imported: its POST with headers, query and body', async () => {
  // Chromium's own network log, as its dev tools save it (recorded through the same protocol).
  const dir = mkdtempSync(join(tmpdir(), 'hooklens-har-'));
  const harPath = join(dir, 'chromium.har');
  const recorder = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const context = await recorder.newContext({ recordHar: { path: harPath, content: 'embed' } });
  const recording = await context.newPage();
  await recording.goto(`${target.url}/app`);
  await recording.evaluate(async (url) => {
    await fetch(`${url}/webhooks/recorded?attempt=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-recorded-by': 'chromium' },
      body: JSON.stringify({ type: 'invoice.paid', amount: 1200 }),
    });
  }, target.url);
  await context.close(); // writes the HAR
  await recorder.close();

  const { page } = browser;
  await page.goto(`${engine.api}/requests`);
  await page.getByTestId('export').click();
  await page.getByTestId('import-input').setInputFiles(harPath);
  await toastSaying('from chromium.har');
  const list = await engine.call<{ items: { id: string; path: string; via: string }[] }>('GET', '/api/v1/requests?q=recorded');
  const recorded = list.items.find((r) => r.path === '/webhooks/recorded');
  expect(recorded?.via).toBe('import');
  const stored = await engine.call<{ method: string; query: string; body_text: string; headers: [string, string][] }>(
    'GET',
    `/api/v1/requests/${recorded!.id}`,
  );
  expect([stored.method, stored.query]).toEqual(['POST', 'attempt=1']);
  expect(JSON.parse(stored.body_text)).toEqual({ type: 'invoice.paid', amount: 1200 });
  expect(stored.headers.find(([name]) => name.toLowerCase() === 'x-recorded-by')?.[1]).toBe('chromium');
  rmSync(dir, { recursive: true, force: true });
});
