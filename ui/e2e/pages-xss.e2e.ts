// Rule names, endpoint names and paths, and notification texts carrying script, HTML, SVG and
// `javascript:` payloads render as text on every page that shows them: no dialog, no element
// injected, the payload readable as typed.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { openBrowser, startEngine, type Browser, type Engine } from './harness';
import type { Endpoint, Rule } from '../src/lib/api';

const SCRIPT = '<script>alert(1)</script>';
const IMG = '<img src=x onerror=alert(2)>';
const SVG = '<svg onload=alert(3)>';
const LINK = '<a href="javascript:alert(4)">x</a>';

let engine: Engine;
let browser: Browser;
let page: Page;
const dialogs: string[] = [];
let endpoint: Endpoint;
let rule: Rule;

beforeAll(async () => {
  engine = await startEngine();
  browser = await openBrowser(engine);
  page = browser.page;
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  endpoint = await engine.call<Endpoint>('POST', '/api/v1/endpoints', {
    name: `${IMG}${SVG}`.slice(0, 64),
    path: `/${SCRIPT}${IMG.replace(/ /g, '/')}`,
  });
  rule = await engine.call<Rule>('POST', '/api/v1/rules', {
    name: `${SCRIPT}${IMG}${SVG}${LINK}`,
    conditions: [{ field: `header:${SVG.replace(/ /g, '')}`, op: 'equals', value: LINK }, { field: 'method', op: 'equals', value: 'POST' }],
    match: 'any',
    actions: [
      { type: 'notify', title: `${SCRIPT} {{json:title}}`, body: `${LINK} {{json:body}}` },
      { type: 'tag', tag: IMG },
    ],
  });
  const json = { 'content-type': 'application/json' };
  await engine.send('/xss', { method: 'POST', headers: json, body: JSON.stringify({ title: SVG, body: IMG }) });
});
afterAll(async () => {
  await browser?.close();
  await engine?.stop();
});

/** Elements the payloads would create if any were parsed as HTML. */
async function injected(): Promise<number> {
  return page.evaluate(
    () =>
      document.querySelectorAll('img[src="x"], svg[onload], a[href^="javascript:"], script:not([src]), [onerror], [onload]').length,
  );
}

async function visit(path: string, testid: string) {
  await page.goto(engine.api + path);
  await page.getByTestId(testid).waitFor();
  await page.locator('[data-testid="live"][data-state="live"]').waitFor();
}

test('endpoint names and paths render as text in the list and the editor', async () => {
  await visit(`/endpoints/${endpoint.id}`, 'endpoint-editor');
  const row = page.getByTestId('endpoint-row');
  expect(await row.locator('code').textContent()).toBe(endpoint.path);
  expect(await row.textContent()).toContain(endpoint.name);
  expect(await page.locator('input[name=path]').inputValue()).toBe(endpoint.path);
  expect(await page.getByTestId('endpoint-url').textContent()).toBe(engine.receiver + endpoint.path);
  expect(await injected()).toBe(0);
});

test('rule names, conditions and tags render as text in the list and the builder', async () => {
  await visit(`/rules/${rule.id}`, 'rule-editor');
  const row = page.getByTestId('rule-row');
  expect(await row.textContent()).toContain(rule.name);
  expect(await row.textContent()).toContain(LINK);
  expect(await page.locator('input[name=rule-name]').inputValue()).toBe(rule.name);
  expect(await page.locator('input[name=tag]').inputValue()).toBe(IMG);
  // The notify preview fills templates from the captured payload: still text.
  await page.getByTestId('preview-request').selectOption({ label: 'POST /xss' });
  const preview = page.getByTestId('notify-preview');
  await expect.poll(() => preview.locator('strong').textContent()).toBe(`${SCRIPT} ${SVG}`);
  expect(await preview.textContent()).toContain(`${LINK} ${IMG}`);
  expect(await injected()).toBe(0);
});

test('notification texts render as text, from history and live', async () => {
  await visit('/notifications', 'page-notifications');
  const first = page.getByTestId('notification').first();
  await first.waitFor();
  expect(await first.locator('.title').textContent()).toBe(`${SCRIPT} ${SVG}`);
  expect(await first.locator('.body').textContent()).toBe(`${LINK} ${IMG}`);
  // One raised while the page is open.
  await engine.send('/xss/live', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: IMG, body: SCRIPT }) });
  const live = page.getByTestId('notification').filter({ hasText: `${SCRIPT} ${IMG}` });
  await live.waitFor();
  expect(await injected()).toBe(0);
  expect(dialogs).toEqual([]);
  expect(browser.problems).toEqual([]);
});
