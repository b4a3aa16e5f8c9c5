// Screenshots of the endpoint editor and the rule builder (docs/ui-endpoints.png,
// docs/ui-rules.png), with believable data, at 1280×800.
import { afterAll, beforeAll, test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { openBrowser, startEngine, type Browser, type Engine } from './harness';
import type { Endpoint, Rule } from '../src/lib/api';

const docs = (name: string) => fileURLToPath(new URL(`../../docs/${name}`, import.meta.url));
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

test('endpoint editor', async () => {
  const stripe = await engine.call<Endpoint>('POST', '/api/v1/endpoints', {
    name: 'stripe',
    path: '/stripe',
    response: { status: 200, headers: [['x-received', 'hooklens']], body: '{"received":"{{id}}"}' },
    forward: [{ url: 'http://localhost:3000/webhooks/stripe', path: 'fixed', headers: [['authorization', 'Bearer dev-token']] }],
    signature: { scheme: 'stripe', secrets: ['whsec_4eC39HqLyjWDarjtT1zdp7dc', 'whsec_9Jd2kQm1ZzRtY8bVnXpL0aWs'], tolerance_s: 300 },
    retry: { schedule_ms: [5000, 30000, 300000, 1800000] },
  });
  await engine.call('POST', '/api/v1/endpoints', { name: 'github', path: '/github', signature: { scheme: 'github', secrets: ['a-github-secret-2026'] } });
  await engine.call('POST', '/api/v1/endpoints', { name: 'shop', path: '/shopify', forward: [{ url: 'http://localhost:4000/shopify' }] });
  const { page } = browser;
  await page.goto(`${engine.api}/endpoints/${stripe.id}`);
  await page.getByTestId('endpoint-editor').waitFor();
  await page.locator('[data-testid="live"][data-state="live"]').waitFor();
  await page.screenshot({ path: docs('ui-endpoints.png') });
});

test('rule builder', async () => {
  const json = { 'content-type': 'application/json' };
  await engine.send('/stripe/events', {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ type: 'charge.succeeded', data: { object: { amount: 125000, currency: 'eur', customer: 'cus_Q1w2E3' } } }),
  });
  const rule = await engine.call<Rule>('POST', '/api/v1/rules', {
    name: 'Large Stripe charges',
    conditions: [
      { field: 'endpoint', op: 'equals', value: 'stripe' },
      { field: 'json:data.object.amount', op: 'gte', value: 100000 },
      { field: 'signature', op: 'not_equals', value: 'invalid' },
    ],
    actions: [
      { type: 'notify', title: 'Large charge: {{json:data.object.amount}} {{json:data.object.currency}}', body: '{{json:type}} from {{json:data.object.customer}}' },
      { type: 'tag', tag: 'large-charge' },
      { type: 'pin' },
    ],
  });
  await engine.call('POST', '/api/v1/rules', {
    name: 'Failed GitHub checks',
    conditions: [{ field: 'header:X-GitHub-Event', op: 'equals', value: 'check_run' }, { field: 'json:check_run.conclusion', op: 'equals', value: 'failure' }],
    actions: [{ type: 'notify', title: 'Check failed', body: '{{json:check_run.name}}' }],
  });
  await engine.call('POST', '/api/v1/rules', { name: 'Tag test events', enabled: false, conditions: [{ field: 'query:test', op: 'exists' }], actions: [{ type: 'tag', tag: 'test' }] });
  const { page } = browser;
  await page.goto(`${engine.api}/rules/${rule.id}`);
  await page.getByTestId('notify-preview').waitFor();
  await page.locator('[data-testid="live"][data-state="live"]').waitFor();
  await page.screenshot({ path: docs('ui-rules.png') });
});
