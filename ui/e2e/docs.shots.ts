// `make ui-screenshots`: the README's pictures of the inspector (docs/screenshot.png, the first
// run, and docs/ui-*.png), taken from a real `hooklens serve` with realistic signed provider
// events, at 1280×800; and the real-world payloads of e2e/fixtures.ts (docs/ui-long-*.png) at
// the desktop window's sizes, 1400×860 and 820×600.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DEEP, sendFixture } from './fixtures';
import { openBrowser, startEngine, startTarget, type Browser, type Engine, type Target } from './harness';

const docs = (name: string) => fileURLToPath(new URL(`../../docs/${name}`, import.meta.url));

let engine: Engine;
let browser: Browser;
let target: Target;

beforeAll(async () => {
  engine = await startEngine();
  target = await startTarget();
  browser = await openBrowser(engine, { width: 1280, height: 800 });
});
afterAll(async () => {
  await browser?.close();
  await engine?.stop();
  await target?.close();
});

test('screenshots', async () => {
  const { page } = browser;
  await page.getByTestId('empty-state').waitFor();
  await page.screenshot({ path: docs('screenshot.png') });
  for (const [name, provider, path, secret] of [
    ['stripe', 'stripe', '/stripe', 'whsec_docs'],
    ['github', 'github', '/github', 'gh_docs'],
    ['shopify', 'shopify', '/shopify', 'shp_docs'],
  ] as const) {
    await engine.call('POST', '/api/v1/endpoints', {
      name, path, signature: { scheme: provider, secrets: [secret] },
      forward: [{ url: target.url + '/webhooks' }],
    });
  }
  for (let i = 0; i < 3; i++) {
    for (const provider of ['stripe', 'github', 'shopify', 'slack']) {
      await engine.call('POST', '/api/v1/test-events', { provider, ...(provider === 'slack' ? {} : { endpoint: provider }) });
    }
  }
  await engine.send('/stripe/events', { method: 'POST', body: '{"type":"charge.refunded","data":{"object":{"amount":990}}}', headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=bad' } });
  await engine.send('/hooks/form?source=docs', { method: 'POST', body: 'name=Ada+Lovelace&plan=pro', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  await engine.send('/hooks/xml', { method: 'POST', body: '<?xml version="1.0"?><event><id>42</id><kind>ping</kind></event>', headers: { 'content-type': 'application/xml' } });

  await page.goto(`${engine.api}/requests`);
  await expect.poll(() => page.getByTestId('request-row').count()).toBeGreaterThan(10);
  await page.locator('[data-testid="row-delivery"]').first().waitFor();
  await page.screenshot({ path: docs('ui-list.png') });

  const stripe = page.getByTestId('request-row').filter({ hasText: 'payment_intent' }).first();
  await stripe.click();
  await page.getByTestId('json-tree').waitFor();
  await page.screenshot({ path: docs('ui-detail.png') });

  await page.keyboard.press('r');
  await page.getByTestId('replay-form').waitFor();
  await page.getByTestId('replay-target').fill('http://localhost:3000/webhooks');
  await page.getByTestId('replay-resign').check();
  await page.getByTestId('replay-secret').fill('whsec_local_secret');
  await page.screenshot({ path: docs('ui-replay.png') });
  await page.keyboard.press('Escape');

  const ids = await page.getByTestId('request-row').filter({ hasText: 'payment_intent' }).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')!));
  await page.goto(`${engine.api}/diff/${ids[ids.length - 1]}/${ids[0]}`);
  await page.getByTestId('diff-lines').waitFor();
  await page.screenshot({ path: docs('ui-diff.png') });
});

test('screenshots of real-world payloads', async () => {
  const id = await sendFixture(engine);
  const wide = await openBrowser(engine, { width: 1400, height: 860 });
  try {
    const { page } = wide;
    await page.goto(`${engine.api}/requests/${id}`);
    const tree = page.getByTestId('json-tree');
    const expand = (key: string) => tree.locator('.line', { has: page.getByText(`"${key}"`, { exact: true }) }).getByRole('button', { name: 'Expand' }).click();
    await expand('metadata');
    await expand('lines');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: docs('ui-long-json.png') });
    await page.keyboard.press('Control+f');
    await page.getByTestId('find-input').fill('level');
    await page.getByTestId('find-prev').click();
    await expect.poll(() => page.getByTestId('find-count').textContent()).toBe(`${DEEP} of ${DEEP}`);
    await page.getByTestId('json-crumbs').waitFor();
    await page.screenshot({ path: docs('ui-long-find.png') });
  } finally {
    await wide.close();
  }
  const narrow = await openBrowser(engine, { width: 820, height: 600 });
  try {
    const { page } = narrow;
    await page.goto(`${engine.api}/requests/${id}`);
    await page.getByTestId('json-tree').waitFor();
    await page.screenshot({ path: docs('ui-long-narrow.png') });
    await page.goto(`${engine.api}/requests/${id}?tab=headers`);
    await page.getByTestId('headers-table').waitFor();
    await page.screenshot({ path: docs('ui-long-headers.png') });
  } finally {
    await narrow.close();
  }
});
