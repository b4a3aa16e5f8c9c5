// Captured data is untrusted: requests carrying script, HTML, SVG and javascript: payloads in
// every place a sender controls are opened in every view; nothing may run or be injected.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openBrowser, startEngine, type Browser, type Engine } from './harness';

let engine: Engine;
let browser: Browser;

const MARK = 'window.__xss=1';
const PAYLOADS = [
  `<script>${MARK}</script>`,
  `<img src=x onerror="${MARK}">`,
  `<svg onload="${MARK}"><script>${MARK}</script></svg>`,
  `javascript:${MARK}`,
  `"><iframe src="javascript:${MARK}"></iframe>`,
  `{{constructor.constructor('${MARK}')()}}`,
];
const ALL = PAYLOADS.join(' ');

/** Elements a payload would have created, had it been parsed as HTML. */
const INJECTED =
  'script:not([src]), img[src="x"], svg[onload], iframe, [onerror], [onload], a[href^="javascript:"], form[action^="javascript:"]';

beforeAll(async () => {
  engine = await startEngine();
  browser = await openBrowser(engine);
  browser.page.on('dialog', (d) => {
    browser.problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
});
afterAll(async () => {
  await browser?.close();
  await engine?.stop();
});

async function assertClean(where: string) {
  const { page } = browser;
  const ran = await page.evaluate(() => (window as unknown as { __xss?: number }).__xss);
  expect(ran, `${where}: a payload ran`).toBeUndefined();
  const injected = await page.evaluate((sel) => [...document.querySelectorAll(sel)].map((e) => e.outerHTML.slice(0, 120)), INJECTED);
  expect(injected, `${where}: elements injected`).toEqual([]);
  expect(browser.problems, `${where}: page errors or CSP violations`).toEqual([]);
}

test('payloads in path, query, headers, JSON, form fields and multipart filenames stay text in every view', async () => {
  const { page } = browser;
  const enc = encodeURIComponent;
  const path = `/x/${enc('<script>' + MARK + '</script>')}/${enc('<img src=x onerror=' + MARK + '>')}`;
  const query = `q=${enc(ALL)}&${enc('<svg onload=' + MARK + '>')}=${enc('javascript:' + MARK)}`;
  // Header names can carry only token characters (no < or :), so these use what they can.
  const headers = {
    "x-'onerror'": ALL.replace(/[\r\n]/g, ' '),
    'x-`svg`': `<svg onload="${MARK}">`,
    'content-type': 'application/json',
  };
  const json = JSON.stringify({ [ALL]: ALL, nested: { '<img src=x onerror=alert(1)>': [ALL, { 'javascript:': ALL }] } });
  await engine.send(`${path}/json?${query}`, { method: 'POST', body: json, headers });
  await engine.send(`/x/form?${query}`, {
    method: 'POST',
    body: `${enc('<script>' + MARK + '</script>')}=${enc(ALL)}&a=${enc('<img src=x onerror=' + MARK + '>')}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  const filename = `<img src=x onerror="${MARK}">.svg`;
  await engine.send('/x/multipart', {
    method: 'POST',
    body:
      `--B\r\nContent-Disposition: form-data; name="<script>${MARK}</script>"; filename="${filename.replace(/"/g, '\\"')}"\r\n` +
      `Content-Type: image/svg+xml\r\n\r\n<svg xmlns="http://www.w3.org/2000/svg" onload="${MARK}"><script>${MARK}</script></svg>\r\n--B--\r\n`,
    headers: { 'content-type': 'multipart/form-data; boundary=B' },
  });
  await engine.send('/x/html', { method: 'POST', body: `<html><body>${ALL}</body></html>`, headers: { 'content-type': 'text/html' } });
  await engine.send('/x/xml', { method: 'POST', body: `<?xml version="1.0"?><a b="${MARK}"><script>${MARK}</script></a>`, headers: { 'content-type': 'application/xml' } });

  await page.goto(`${engine.api}/requests`);
  await expect.poll(() => page.getByTestId('request-row').count()).toBe(5);
  await assertClean('list');

  const ids = await page.getByTestId('request-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')!));
  for (const id of ids) {
    for (const tab of ['overview', 'headers', 'query', 'body', 'raw', 'deliveries']) {
      await page.goto(`${engine.api}/requests/${id}?tab=${tab}`);
      await page.getByTestId('request-detail').waitFor();
      await page.getByTestId(`tab-${tab}`).waitFor();
      if (tab === 'body') {
        // every viewer this body has
        const modes = await page.locator('[data-testid="body-view"] [role="tab"]').allTextContents();
        for (const mode of modes) {
          await page.locator('[data-testid="body-view"] [role="tab"]', { hasText: mode }).click();
          await assertClean(`${id} body ${mode}`);
        }
      }
      await assertClean(`${id} ${tab}`);
    }
    await page.keyboard.press('r');
    await page.getByTestId('replay-form').waitFor();
    await assertClean(`${id} replay editor`);
    await page.keyboard.press('Escape');
  }
  await page.goto(`${engine.api}/diff/${ids[0]}/${ids[ids.length - 1]}`);
  await page.getByTestId('diff-lines').waitFor();
  await assertClean('diff');
  // The payloads are there, as text.
  await page.goto(`${engine.api}/requests/${ids[ids.length - 1]}?tab=headers`);
  expect(await page.getByTestId('headers-table').textContent()).toContain(`<svg onload="${MARK}">`);
});

test('the raw body is served sandboxed, so opening it cannot run script in the app origin', async () => {
  const { page } = browser;
  const id = (await engine.send('/x/page', { method: 'POST', body: `<script>${MARK}</script>`, headers: { 'content-type': 'text/html' } })).headers.get('x-hooklens-request-id');
  const response = await page.request.get(`${engine.api}/api/v1/requests/${id}/body`);
  expect(response.headers()['content-security-policy']).toContain('sandbox');
  await page.goto(`${engine.api}/api/v1/requests/${id}/body`);
  const ran = await page.evaluate(() => (window as unknown as { __xss?: number }).__xss);
  expect(ran).toBeUndefined();
});
