// The request list and detail in real Chromium against a real `hooklens serve`.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openBrowser, startEngine, startTarget, type Browser, type Engine, type Target } from './harness';

let engine: Engine;
let browser: Browser;
let target: Target;

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

beforeAll(async () => {
  engine = await startEngine();
  target = await startTarget();
  browser = await openBrowser(engine);
});
afterAll(async () => {
  await browser?.close();
  await engine?.stop();
  await target?.close();
});

const row = (path: string) => browser.page.getByTestId('request-row').filter({ hasText: path });

async function openRequest(path: string) {
  await row(path).first().click();
  await browser.page.locator(`[data-testid="detail-path"]`, { hasText: path }).waitFor();
}

test('a POST appears live, and search finds it (the search is in the URL)', async () => {
  const { page } = browser;
  await page.getByTestId('empty-state').waitFor();
  await engine.send('/live/orders?id=7', { method: 'POST', body: '{"order":"kumquat-42"}', headers: { 'content-type': 'application/json' } });
  await engine.send('/live/other', { method: 'POST', body: '{"order":"plain"}', headers: { 'content-type': 'application/json' } });
  await row('/live/orders').waitFor();
  await row('/live/other').waitFor();

  await page.keyboard.press('/');
  await page.keyboard.type('kumquat');
  await page.waitForURL(/q=kumquat/);
  await expect.poll(() => page.getByTestId('request-row').count()).toBe(1);
  expect(await page.getByTestId('request-row').textContent()).toContain('/live/orders');

  await page.reload();
  await expect.poll(() => page.getByTestId('request-row').count()).toBe(1);
  expect(await page.getByTestId('search').inputValue()).toBe('kumquat');
  await page.getByTestId('clear-filters').click();
  await expect.poll(() => page.getByTestId('request-row').count()).toBe(2);
});

test('each body viewer renders its kind', async () => {
  const { page } = browser;
  const multipart =
    '--XB\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello part\r\n' +
    '--XB\r\nContent-Disposition: form-data; name="upload"; filename="report.bin"\r\nContent-Type: application/octet-stream\r\n\r\n\x00\x01\x02\r\n--XB--\r\n';
  const cases: [string, RequestInit, string, () => Promise<void>][] = [
    ['/view/json', { method: 'POST', body: '{"data":{"object":{"amount":1200,"tags":["a","b"]}}}', headers: { 'content-type': 'application/json' } }, 'json', async () => {
      const tree = page.getByTestId('json-tree');
      await expect.poll(() => tree.textContent()).toContain('"amount"');
      await expect.poll(() => tree.textContent()).toContain('1200');
      await tree.getByRole('button', { name: 'Collapse' }).first().click();
      await expect.poll(() => tree.textContent()).toContain('1 key}');
    }],
    ['/view/xml', { method: 'POST', body: '<?xml version="1.0"?><root><item id="1">one</item></root>', headers: { 'content-type': 'application/xml' } }, 'xml', async () => {
      await expect.poll(() => page.getByTestId('xml-pretty').textContent()).toContain('  <item id="1">one</item>');
    }],
    ['/view/form', { method: 'POST', body: 'name=Ada+Lovelace&lang=en&lang=fr', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 'form', async () => {
      const table = page.getByTestId('form-table');
      await expect.poll(() => table.locator('tbody tr').count()).toBe(3);
      expect(await table.textContent()).toContain('Ada Lovelace');
    }],
    ['/view/multipart', { method: 'POST', body: multipart, headers: { 'content-type': 'multipart/form-data; boundary=XB' } }, 'multipart', async () => {
      await expect.poll(() => page.getByTestId('multipart-part').count()).toBe(2);
      expect(await page.getByTestId('part-filename').textContent()).toBe('report.bin');
      expect(await page.getByTestId('part-text').textContent()).toBe('hello part');
    }],
    ['/view/binary', { method: 'POST', body: new Uint8Array([0, 1, 2, 0xff, 0xfe, 0x41]), headers: { 'content-type': 'application/octet-stream' } }, 'binary', async () => {
      await expect.poll(() => page.getByTestId('hex-view').textContent()).toContain('00 01 02 ff fe 41');
    }],
    ['/view/image', { method: 'POST', body: PNG, headers: { 'content-type': 'image/png' } }, 'image', async () => {
      const img = page.getByTestId('image-preview');
      await img.waitFor();
      await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(1);
    }],
  ];
  for (const [path, init, kind, check] of cases) {
    await engine.send(path, init);
    await openRequest(path);
    await page.locator(`[data-testid="body-view"][data-kind="${kind}"]`).waitFor();
    await check();
  }
  expect(browser.problems).toEqual([]);
});

test('a large body shows its start at once and the rest on demand', async () => {
  const { page } = browser;
  const big = JSON.stringify({ items: Array.from({ length: 80_000 }, (_, i) => ({ i, name: `item-${i}` })) });
  expect(big.length).toBeGreaterThan(2 * 1024 * 1024);
  await engine.send('/view/big', { method: 'POST', body: big, headers: { 'content-type': 'application/json' } });
  await openRequest('/view/big');
  const pretty = page.getByTestId('json-pretty');
  await pretty.waitFor();
  const shown = () => pretty.evaluate((el) => el.textContent?.length ?? 0);
  expect(await shown()).toBe(256 * 1024);
  await page.getByRole('button', { name: 'Show all' }).click();
  await expect.poll(shown).toBeGreaterThan(big.length);
});

test('overview, headers, query and raw HTTP show the request as captured', async () => {
  const { page } = browser;
  await engine.send('/view/meta?a=1&a=2&b=x%20y', { method: 'PUT', body: 'plain', headers: { 'x-dup': 'one', 'x-custom': 'v' } });
  await openRequest('/view/meta');
  await page.getByTestId('tab-headers').click();
  expect(await page.getByTestId('headers-table').textContent()).toContain('x-custom');
  await page.getByTestId('tab-query').click();
  await expect.poll(() => page.getByTestId('query-table').locator('tbody tr').count()).toBe(3);
  expect(await page.getByTestId('query-table').textContent()).toContain('x y');
  await page.getByTestId('tab-raw').click();
  expect(await page.getByTestId('raw-http').textContent()).toMatch(/^PUT \/view\/meta\?a=1&a=2&b=x%20y HTTP\/1\.1\n/);
  await page.getByTestId('tab-overview').click();
  expect(await page.getByTestId('overview').textContent()).toContain('127.0.0.1');
  expect(page.url()).toContain('tab=overview');
});

test('edit and replay reaches a test target, and the delivery shows', async () => {
  const { page } = browser;
  await engine.send('/replay/me', { method: 'POST', body: '{"n":1}', headers: { 'content-type': 'application/json', 'x-keep': 'k' } });
  await openRequest('/replay/me');
  await page.keyboard.press('r');
  await page.getByTestId('replay-form').waitFor();
  await page.getByTestId('replay-target').fill(target.url + '/hook');
  await page.getByTestId('replay-body').fill('{"n":2}');
  await page.getByTestId('replay-send').click();
  const got = await target.next((r) => r.url.startsWith('/hook'));
  expect(got.method).toBe('POST');
  expect(got.body.toString()).toBe('{"n":2}');
  expect(got.headers['x-keep']).toBe('k');
  const delivery = page.locator('[data-testid="delivery"][data-state="succeeded"]');
  await delivery.waitFor();
  expect(await delivery.getByTestId('attempt').first().textContent()).toContain('200');
  expect(page.url()).toContain('tab=deliveries');
});

test('copy as cURL, pin, tag and delete', async () => {
  const { page, context } = browser;
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await engine.send('/actions/one', { method: 'POST', body: "it's", headers: { 'content-type': 'text/plain' } });
  await openRequest('/actions/one');
  await page.getByTestId('copy-as').click();
  await page.getByTestId('copy-curl').click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toContain(`curl -X POST ${engine.receiver}/actions/one`);
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain(`--data-binary 'it'\\''s'`);

  await page.getByTestId('action-pin').click();
  await expect.poll(() => page.getByTestId('action-pin').textContent()).toBe('Unpin');
  await expect.poll(async () => (await engine.call<{ pinned: boolean }>('GET', `/api/v1/requests/${await row('/actions/one').getAttribute('data-id')}`)).pinned).toBe(true);

  await page.getByTestId('tab-overview').click();
  await page.getByTestId('tag-input').fill('keep-me');
  await page.getByTestId('tag-input').press('Enter');
  await expect.poll(() => page.getByTestId('tags').textContent()).toContain('keep-me');
  await page.goto(`${engine.api}/requests?tag=keep-me`);
  await expect.poll(() => page.getByTestId('request-row').count()).toBe(1);

  await openRequest('/actions/one');
  await page.getByTestId('action-delete').click();
  await expect.poll(() => row('/actions/one').count()).toBe(0);
});

test('export downloads a valid HAR of the filter', async () => {
  const { page } = browser;
  await page.goto(`${engine.api}/requests?q=kumquat`);
  await expect.poll(() => page.getByTestId('request-row').count()).toBe(1);
  await page.getByTestId('export').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-har').click()]);
  const file = await download.path();
  const har = JSON.parse(readFileSync(file, 'utf8'));
  expect(har.log.version).toBe('1.2');
  expect(har.log.entries).toHaveLength(1);
  expect(har.log.entries[0].request.url).toContain('/live/orders?id=7');
  expect(har.log.entries[0].request.postData.text).toContain('kumquat-42');
});

test('keyboard: j/k move, Enter opens, Esc closes; two marked rows export as HAR and compare as a JSON diff', async () => {
  const { page } = browser;
  await engine.send('/diff/a', { method: 'POST', body: '{"type":"a","amount":1,"same":true}', headers: { 'content-type': 'application/json' } });
  await engine.send('/diff/b', { method: 'POST', body: '{"same":true,"amount":2,"type":"a","extra":1}', headers: { 'content-type': 'application/json' } });
  await page.goto(`${engine.api}/requests`);
  await row('/diff/b').waitFor();
  await page.keyboard.press('j'); // the newest row
  await page.keyboard.press('x');
  await page.keyboard.press('j');
  await page.keyboard.press('x');
  await page.keyboard.press('k');
  await page.keyboard.press('Enter');
  await page.locator('[data-testid="detail-path"]', { hasText: '/diff/b' }).waitFor();
  await page.keyboard.press('Escape');
  await expect.poll(() => page.getByTestId('request-detail').count()).toBe(0);
  await page.getByTestId('export').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-marked-har').click()]);
  const marked = JSON.parse(readFileSync(await download.path(), 'utf8'));
  expect(marked.log.entries.map((e: { request: { url: string } }) => new URL(e.request.url).pathname).sort()).toEqual(['/diff/a', '/diff/b']);
  await page.getByTestId('compare-marked').click();
  await page.getByTestId('diff').waitFor();
  const changes = page.getByTestId('json-change');
  await expect.poll(() => changes.count()).toBe(2);
  const text = await page.getByTestId('diff-json').textContent();
  expect(text).toContain('$.amount');
  expect(text).toContain('$.extra');
  expect(text).not.toContain('$.type');
});

test('new rows keep the scroll position and the selection; pause holds them back', async () => {
  const { page } = browser;
  // One after the other, so /many/119 is the newest and at the top of the list.
  for (let i = 0; i < 120; i++) await engine.send(`/many/${String(i).padStart(3, '0')}`, { method: 'POST', body: '{}' });
  await page.goto(`${engine.api}/requests`);
  await row('/many/119').waitFor();
  const list = page.getByTestId('request-list');
  await list.evaluate((el) => (el.scrollTop = 28 * 50));
  await expect.poll(() => list.evaluate((el) => el.scrollTop)).toBe(28 * 50);
  const firstVisible = () =>
    page.evaluate(() => {
      const list = document.querySelector('[data-testid="request-list"]')!;
      const top = list.getBoundingClientRect().top;
      const rows = [...document.querySelectorAll('[data-testid="request-row"]')];
      return rows.find((r) => r.getBoundingClientRect().bottom > top + 1)?.getAttribute('data-id');
    });
  const frames = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await frames(); // the rendered window follows the scroll event
  const before = await firstVisible();
  const chosen = page.locator(`[data-testid="request-row"][data-id="${before}"]`);
  const chosenPath = (await chosen.locator('.path').textContent())!;
  await chosen.click();
  await engine.send('/many/new-1', { method: 'POST', body: '{}' });
  await expect.poll(() => list.evaluate((el) => el.scrollTop)).toBe(28 * 51);
  // (the rendered window follows the scroll event a frame later)
  await expect.poll(firstVisible).toBe(before);
  expect(await page.locator('[data-testid="request-row"][aria-selected="true"]').textContent()).toContain(chosenPath);

  await page.getByTestId('pause').click();
  await engine.send('/many/while-paused', { method: 'POST', body: '{}' });
  await expect.poll(() => page.getByTestId('pause').textContent()).toContain('1 new');
  expect(await row('/many/while-paused').count()).toBe(0);
  await page.getByTestId('pause').click();
  await list.evaluate((el) => (el.scrollTop = 0));
  await row('/many/while-paused').waitFor();
  // Virtualized: only the rows in view are in the DOM.
  expect(await page.getByTestId('request-row').count()).toBeLessThan(80);
});

test('the overview names the rules a request matched and shows the tags they gave', async () => {
  const { page } = browser;
  const rule = (await engine.call('POST', '/api/v1/rules', {
    name: 'big orders',
    conditions: [{ field: 'json:order.total', op: 'gt', value: 100 }],
    actions: [{ type: 'tag', tag: 'big' }],
  })) as { id: string };
  await engine.send('/rules/order', { method: 'POST', body: '{"order":{"total":250}}', headers: { 'content-type': 'application/json' } });
  await openRequest('/rules/order');
  await page.getByTestId('tab-overview').click();
  await expect.poll(() => page.getByTestId('matched-rules').textContent()).toBe('big orders');
  expect(await page.getByTestId('tags').textContent()).toContain('big');
  // The name opens that rule's editor.
  expect(await page.getByTestId('matched-rules').locator('a').getAttribute('href')).toBe(`/rules/${rule.id}`);
});

test('a failing forward shows in the timeline with its error and the next retry, and in the list', async () => {
  const { page } = browser;
  await engine.call('POST', '/api/v1/endpoints', { name: 'down', path: '/down', forward: [{ url: 'http://127.0.0.1:1' }] });
  await engine.send('/down/hook', { method: 'POST', body: '{}' });
  await openRequest('/down/hook');
  await page.getByTestId('tab-deliveries').click();
  const delivery = page.locator('[data-testid="delivery"][data-state="pending"]');
  await delivery.getByTestId('attempt').first().waitFor();
  expect(await delivery.getByTestId('attempt').first().textContent()).toContain('refused');
  expect(await delivery.getByTestId('next-retry').textContent()).toMatch(/Next try at .* \(in \d+ s\)/);
  expect(await row('/down/hook').getByTestId('row-delivery').textContent()).toBe('pending');
});

test('filters come from the URL and go back into it', async () => {
  const { page } = browser;
  const future = new Date(Date.now() + 3_600_000).toISOString();
  await page.goto(`${engine.api}/requests?since=${encodeURIComponent(future)}`);
  await page.getByTestId('no-match').waitFor();
  expect(await page.getByTestId('filter-since').inputValue()).not.toBe('');
  await page.getByTestId('clear-filters').click();
  await page.getByTestId('request-row').first().waitFor();
  await page.getByTestId('filter-method').selectOption('PUT');
  await page.waitForURL(/method=PUT/);
  const paths = () => page.locator('[data-testid="request-row"] .path').allTextContents();
  await expect.poll(paths).toEqual(['/view/meta?a=1&a=2&b=x%20y']);
  await page.getByTestId('filter-method').selectOption('');
  await page.getByTestId('filter-delivery').selectOption('succeeded');
  await page.waitForURL(/delivery=succeeded/);
  await expect.poll(paths).toEqual(['/replay/me']);
});
