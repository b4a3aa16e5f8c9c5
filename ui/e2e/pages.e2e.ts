// The settings-type pages against a real `hooklens serve`: endpoints and rules round-trip
// through their editors, settings persist, notifications arrive live, the tunnel panel shows a
// failure clearly.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { openBrowser, startEngine, type Browser, type Engine } from './harness';
import type { Endpoint, RequestPage, Rule, Settings, StoredNotification, TunnelStatus } from '../src/lib/api';

let engine: Engine;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  // The tunnel test needs ngrok to find no authtoken; the data dir is fresh, so only the
  // environment could give it one.
  delete process.env.NGROK_AUTHTOKEN;
  engine = await startEngine();
  browser = await openBrowser(engine);
  page = browser.page;
});
afterAll(async () => {
  await browser?.close();
  await engine?.stop();
});

async function open(path: string, testid: string) {
  await page.goto(engine.api + path);
  await page.getByTestId(testid).waitFor();
  await page.locator('[data-testid="live"][data-state="live"]').waitFor();
}

const toastSaying = (text: string) => page.getByTestId('toast').filter({ hasText: text }).waitFor();

/** New endpoint → Blank. */
async function newBlankEndpoint() {
  await page.getByTestId('endpoint-new').click();
  await page.getByTestId('preset-blank').click();
}

test('endpoint editing round-trips: create, reload, values kept, edit, delete', async () => {
  await open('/endpoints', 'page-endpoints');
  await newBlankEndpoint();
  const editor = page.getByTestId('endpoint-editor');

  // Checked before anything is sent: the problems show on their fields.
  await editor.locator('input[name=path]').fill('stripe');
  await page.getByTestId('endpoint-save').click();
  await page.getByTestId('form-errors').waitFor();
  const problems = await editor.getByTestId('field-error').allTextContents();
  expect(problems).toContain('Give the endpoint a name, e.g. stripe');
  expect(problems).toContain('Start with / and name at least one segment, e.g. /stripe');
  expect(await engine.call<Endpoint[]>('GET', '/api/v1/endpoints')).toEqual([]);

  await editor.locator('input[name=name]').fill('stripe');
  await editor.locator('input[name=path]').fill('/stripe');
  expect(await page.getByTestId('endpoint-url').textContent()).toBe(engine.receiver + '/stripe');
  await editor.locator('input[name=status]').fill('202');
  await editor.locator('input[name=delay]').fill('5');
  await page.getByTestId('response-headers').getByRole('button', { name: 'Add header' }).click();
  await page.getByTestId('response-headers').getByLabel('Header name').fill('x-hooklens-test');
  await page.getByTestId('response-headers').getByLabel('Header value').fill('yes');
  await editor.locator('textarea[name=body]').fill('{"got":"{{id}}"}');

  await page.getByTestId('add-target').click();
  const target = page.getByTestId('forward-target');
  await target.locator('input[name=target-url]').fill('http://127.0.0.1:9/hooks');
  await target.locator('select[name=target-path]').selectOption('fixed');
  await target.getByRole('button', { name: 'Add header' }).click();
  await target.getByLabel('Header name').fill('authorization');
  await target.getByLabel('Header value').fill('Bearer local');
  await target.locator('input[name=resign]').check();
  await target.locator('select[name=resign-scheme]').selectOption('github');
  await target.locator('input[name=resign-secret]').fill('resign_secret_value_9999');
  await editor.locator('input[name=relay]').check();
  await editor.locator('input[name=relay-timeout]').fill('2500');

  await editor.locator('input[name=signature]').check();
  await editor.locator('select[name=scheme]').selectOption('stripe');
  await editor.locator('input[name=tolerance]').fill('600');
  await page.getByTestId('secret-input').first().fill('whsec_first_secret_0001');
  await page.getByTestId('add-secret').click();
  await page.getByTestId('secret-input').nth(1).fill('whsec_second_secret_0002');

  await editor.locator('input[name=custom-retry]').check();
  await editor.getByLabel('Delay before retry 1', { exact: true }).fill('2s');
  await editor.getByLabel('Delay before retry 2', { exact: true }).fill('1m');
  while ((await page.getByTestId('retry-list').locator('li').count()) > 2) {
    await editor.getByRole('button', { name: 'Remove retry 3', exact: true }).click();
  }
  await page.getByTestId('add-retry').click();
  await editor.getByLabel('Delay before retry 3', { exact: true }).fill('1h');
  await editor.locator('input[name=attempt-timeout]').fill('15s');

  await page.getByTestId('endpoint-save').click();
  await toastSaying('Endpoint stripe saved');
  const [created] = await engine.call<Endpoint[]>('GET', '/api/v1/endpoints');
  expect(created).toMatchObject({
    name: 'stripe',
    path: '/stripe',
    response: { status: 202, delay_ms: 5, headers: [['x-hooklens-test', 'yes']], body: '{"got":"{{id}}"}' },
    relay: { timeout_ms: 2500 },
    forward: [
      { url: 'http://127.0.0.1:9/hooks', path: 'fixed', headers: [['authorization', 'Bearer local']], resign: { scheme: 'github', secret: 'resign…9999' } },
    ],
    signature: { scheme: 'stripe', tolerance_s: 600, secrets: ['whsec_…0001', 'whsec_…0002'] },
    retry: { schedule_ms: [2000, 60000, 3600000], timeout_ms: 15000 },
  });
  await expect.poll(() => new URL(page.url()).pathname).toBe(`/endpoints/${created!.id}`);

  // After a reload the editor shows what was stored; secrets only masked.
  await page.reload();
  await editor.waitFor();
  expect(await editor.locator('input[name=name]').inputValue()).toBe('stripe');
  expect(await editor.locator('input[name=status]').inputValue()).toBe('202');
  expect(await editor.locator('textarea[name=body]').inputValue()).toBe('{"got":"{{id}}"}');
  expect(await editor.locator('input[name=target-url]').inputValue()).toBe('http://127.0.0.1:9/hooks');
  expect(await editor.locator('select[name=target-path]').inputValue()).toBe('fixed');
  expect(await editor.locator('input[name=relay-timeout]').inputValue()).toBe('2500');
  expect(await page.getByTestId('masked-secret').allTextContents()).toEqual(['resign…9999', 'whsec_…0001', 'whsec_…0002']);
  expect(await editor.locator('select[name=resign-scheme]').inputValue()).toBe('github');
  expect(await page.getByTestId('retry-list').locator('input').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).toEqual(['2s', '1m', '1h']);
  const html = await page.content();
  expect(html).not.toContain('whsec_first_secret_0001');
  expect(html).not.toContain('resign_secret_value_9999');

  // Edit: a new status; the masked secrets go back unchanged and the engine keeps the real ones.
  await editor.locator('input[name=status]').fill('201');
  await page.getByTestId('endpoint-save').click();
  await toastSaying('Endpoint stripe saved');
  const edited = await engine.call<Endpoint>('GET', `/api/v1/endpoints/${created!.id}`);
  expect(edited.response.status).toBe(201);
  expect(edited.signature?.secrets).toEqual(['whsec_…0001', 'whsec_…0002']);
  expect(edited.forward[0]?.resign?.secret).toBe('resign…9999');
  const response = await engine.send('/stripe/x', { method: 'POST', body: '{}' });
  expect(response.status).toBe(201);

  // The engine's refusal is shown as its message: a second endpoint on the same path.
  await newBlankEndpoint();
  await editor.locator('input[name=name]').fill('again');
  await editor.locator('input[name=path]').fill('/stripe');
  await page.getByTestId('endpoint-save').click();
  const refusal = await page.getByTestId('server-error').textContent();
  expect(refusal).toMatch(/\/stripe/);
  expect(await engine.call<Endpoint[]>('GET', '/api/v1/endpoints')).toHaveLength(1);

  // Delete, confirmed in a dialog.
  await page.getByTestId('endpoint-row').filter({ hasText: 'stripe' }).click();
  await page.getByTestId('endpoint-delete').click();
  await page.getByTestId('endpoint-delete-confirm').click();
  await toastSaying('Endpoint stripe deleted');
  await expect.poll(() => page.getByTestId('endpoint-row').count()).toBe(0);
  expect(await engine.call<Endpoint[]>('GET', '/api/v1/endpoints')).toEqual([]);
  await expect.poll(() => new URL(page.url()).pathname).toBe('/endpoints');
});

test('the endpoint editor says what each scheme needs, keeps the public URL, and offers no re-signing it cannot do', async () => {
  await open('/endpoints', 'page-endpoints');
  await newBlankEndpoint();
  const editor = page.getByTestId('endpoint-editor');
  await editor.locator('input[name=name]').fill('sendgrid');
  await editor.locator('input[name=path]').fill('/sendgrid');
  await editor.locator('input[name=public-url]').fill('https://hooks.example.com/sendgrid');
  await editor.locator('input[name=signature]').check();
  await editor.locator('select[name=scheme]').selectOption('sendgrid');
  expect(await page.getByTestId('secret-help').textContent()).toContain('verification key (a public key, base64)');
  await editor.locator('select[name=scheme]').selectOption('twilio');
  expect(await page.getByTestId('secret-help').textContent()).toContain('signs the URL the provider called');
  await editor.locator('select[name=scheme]').selectOption('sendgrid');

  await page.getByTestId('add-target').click();
  const target = page.getByTestId('forward-target');
  await target.locator('input[name=target-url]').fill('http://127.0.0.1:9/hooks');
  expect(await target.getByTestId('resign-refusal').textContent()).toContain('only SendGrid can make a signature');
  await target.locator('input[name=resign]').check();
  const offered = await target.locator('select[name=resign-scheme] option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
  expect(offered).toContain('twilio');
  expect(offered).not.toContain('sendgrid');
  expect(offered).not.toContain('discord');
  await target.locator('input[name=resign]').uncheck();

  const key = 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==';
  await page.getByTestId('secret-input').first().fill(key);
  await page.getByTestId('endpoint-save').click();
  await toastSaying('Endpoint sendgrid saved');
  const [created] = await engine.call<Endpoint[]>('GET', '/api/v1/endpoints');
  expect(created).toMatchObject({ name: 'sendgrid', public_url: 'https://hooks.example.com/sendgrid', signature: { scheme: 'sendgrid' } });
  // Saved, the editor moves to the endpoint's own address (reloading before that opens a new one).
  await expect.poll(() => new URL(page.url()).pathname).toBe(`/endpoints/${created!.id}`);
  await page.reload();
  await editor.waitFor();
  expect(await editor.locator('input[name=public-url]').inputValue()).toBe('https://hooks.example.com/sendgrid');
  await engine.call('DELETE', `/api/v1/endpoints/${created!.id}`);
});

test('rule builder round-trips, and a rule that tags tags the matching request', async () => {
  await open('/rules', 'page-rules');
  await page.getByTestId('rule-new').click();
  const editor = page.getByTestId('rule-editor');
  await editor.locator('input[name=rule-name]').fill('Big amounts');
  const cond = page.getByTestId('condition').first();
  await cond.getByTestId('condition-field').selectOption('json');
  await cond.getByTestId('condition-arg').fill('data.amount');
  await cond.getByTestId('condition-op').selectOption('gt');
  // The operators offered fit the field: no "contains" for a size.
  await page.getByTestId('add-condition').click();
  const second = page.getByTestId('condition').nth(1);
  await second.getByTestId('condition-field').selectOption('size');
  expect(await second.getByTestId('condition-op').locator('option').allTextContents()).toEqual(['>', '≥', '<', '≤', 'is', 'is not']);
  await second.getByRole('button', { name: 'Remove' }).click();

  await cond.getByTestId('condition-value').fill('lots');
  await editor.locator('input[name=tag]').fill('big');
  await page.getByTestId('rule-save').click();
  expect(await editor.getByTestId('field-error').allTextContents()).toEqual(['A number']);
  await cond.getByTestId('condition-value').fill('100');
  await page.getByTestId('rule-save').click();
  await toastSaying('Rule Big amounts saved');

  const [rule] = await engine.call<Rule[]>('GET', '/api/v1/rules');
  expect(rule).toMatchObject({
    name: 'Big amounts',
    enabled: true,
    match: 'all',
    conditions: [{ field: 'json:data.amount', op: 'gt', value: 100 }],
    actions: [{ type: 'tag', tag: 'big' }],
  });
  await expect.poll(() => new URL(page.url()).pathname).toBe(`/rules/${rule!.id}`);

  await page.reload();
  await editor.waitFor();
  expect(await editor.locator('input[name=rule-name]').inputValue()).toBe('Big amounts');
  expect(await cond.getByTestId('condition-field').inputValue()).toBe('json');
  expect(await cond.getByTestId('condition-arg').inputValue()).toBe('data.amount');
  expect(await cond.getByTestId('condition-op').inputValue()).toBe('gt');
  expect(await cond.getByTestId('condition-value').inputValue()).toBe('100');
  expect(await editor.locator('input[name=tag]').inputValue()).toBe('big');
  expect(await page.getByTestId('rule-row').textContent()).toContain('json:data.amount > 100');

  const json = { 'content-type': 'application/json' };
  await engine.send('/orders/small', { method: 'POST', headers: json, body: '{"data":{"amount":5}}' });
  await engine.send('/orders/large', { method: 'POST', headers: json, body: '{"data":{"amount":500}}' });
  const { items } = await engine.call<RequestPage>('GET', '/api/v1/requests?limit=10');
  expect(items.find((r) => r.path === '/orders/large')?.tags).toEqual(['big']);
  expect(items.find((r) => r.path === '/orders/small')?.tags).toEqual([]);

  // Switched off from the list, through the API.
  await page.getByLabel('Rule Big amounts enabled').uncheck();
  await expect.poll(async () => (await engine.call<Rule[]>('GET', '/api/v1/rules'))[0]!.enabled).toBe(false);

  // A notify action previews its templates from a captured request.
  await page.getByTestId('add-notify').click();
  await page.getByTestId('preview-request').selectOption({ label: 'POST /orders/large' });
  await editor.locator('input[name=notify-title]').fill('{{method}} {{json:data.amount}}');
  await expect.poll(() => page.getByTestId('notify-preview').locator('strong').textContent()).toBe('POST 500');
});

test('settings save and survive a reload', async () => {
  await open('/settings', 'page-settings');
  expect(await page.getByTestId('settings-receiver').textContent()).toBe(engine.receiver + '/');
  expect(await page.getByTestId('settings-api').textContent()).toBe(engine.api + '/');
  expect(await page.getByTestId('settings-storage').textContent()).toBe(`SQLite ${engine.dataDir}/hooklens.db`);
  expect(await page.getByTestId('settings-mcp-url').textContent()).toBe(engine.api + '/mcp');
  const form = page.getByTestId('settings-form');
  await form.locator('input[name=max-requests]').fill('5000');
  await form.locator('input[name=max-age-days]').fill('');
  await form.locator('input[name=max-total-mib]').fill('0');
  await form.locator('input[name=allow-remote]').check();
  expect(await page.getByTestId('ssrf-warning').getAttribute('class')).toContain('on');
  await form.locator('select[name=delivery-failed]').selectOption('both');
  await form.locator('input[name=target-changes]').uncheck();
  await form.locator('input[name=window-s]').fill('30');
  await page.getByTestId('settings-save').click();
  expect(await form.getByTestId('field-error').textContent()).toContain('a whole number from 1');
  await form.locator('input[name=max-total-mib]').fill('512');
  await page.getByTestId('settings-save').click();
  await toastSaying('Settings saved');

  expect(await engine.call<Settings>('GET', '/api/v1/settings')).toMatchObject({
    allow_remote_targets: true,
    retention: { max_requests: 5000, max_age_days: null, max_total_mib: 512 },
    notifications: { delivery_failed: 'both', target_changes: false, signature_invalid: true, window_s: 30 },
  });

  await page.reload();
  await form.waitFor();
  expect(await form.locator('input[name=max-requests]').inputValue()).toBe('5000');
  expect(await form.locator('input[name=max-age-days]').inputValue()).toBe('');
  expect(await form.locator('input[name=max-total-mib]').inputValue()).toBe('512');
  expect(await form.locator('input[name=allow-remote]').isChecked()).toBe(true);
  expect(await form.locator('select[name=delivery-failed]').inputValue()).toBe('both');
  expect(await form.locator('input[name=target-changes]').isChecked()).toBe(false);
  expect(await form.locator('input[name=window-s]').inputValue()).toBe('30');

  // A change made elsewhere shows without a reload.
  await engine.call('PATCH', '/api/v1/settings', { retention: { max_requests: 777 } });
  await expect.poll(() => form.locator('input[name=max-requests]').inputValue()).toBe('777');
});

test('the notifications page shows a raised one live, linked to its request', async () => {
  await open('/notifications', 'page-notifications');
  await engine.call('POST', '/api/v1/rules', {
    name: 'Tell me',
    conditions: [{ field: 'path', op: 'equals', value: '/notify/me' }],
    actions: [{ type: 'notify', title: 'Hook on {{path}}', body: 'amount {{json:amount}}' }],
  });
  await engine.send('/notify/me', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"amount":42}' });
  const item = page.getByTestId('notification').filter({ hasText: 'Hook on /notify/me' });
  await item.waitFor();
  expect(await item.textContent()).toContain('amount 42');
  // The stream carries it before the store has it: wait for the history to catch up.
  let stored: StoredNotification | undefined;
  await expect.poll(async () => (stored = (await engine.call<StoredNotification[]>('GET', '/api/v1/notifications'))[0])).toBeTruthy();
  expect(stored?.request_id).toBeTruthy();
  await item.getByTestId('notification-request').click();
  await expect.poll(() => new URL(page.url()).pathname).toBe(`/requests/${stored!.request_id}`);
});

test('starting ngrok without an authtoken shows the error clearly, and going private clears it', async () => {
  await open('/settings', 'page-settings');
  const tunnel = page.getByTestId('tunnel');
  await tunnel.locator('select[name=tunnel-provider]').selectOption('ngrok');
  await page.getByTestId('tunnel-start').click();
  const error = page.getByTestId('tunnel-error');
  await error.waitFor();
  expect(await error.textContent()).toContain('no ngrok authtoken');
  expect(await page.getByTestId('tunnel-state').getAttribute('data-state')).toBe('error');
  expect((await engine.call<TunnelStatus>('GET', '/api/v1/tunnel')).state).toBe('error');
  await page.getByTestId('tunnel-stop').click();
  await page.locator('[data-testid="tunnel-state"][data-state="off"]').waitFor();
  expect(await error.count()).toBe(0);

  // bore needs a server: said before anything is sent.
  await tunnel.locator('select[name=tunnel-provider]').selectOption('bore');
  await page.getByTestId('tunnel-start').click();
  expect(await page.getByTestId('tunnel-request-error').textContent()).toContain('bore needs your bore server');
  expect((await engine.call<TunnelStatus>('GET', '/api/v1/tunnel')).state).toBe('off');
  // The browser logs the 409 the duplicate endpoint got above; nothing else may show up.
  expect(browser.problems.filter((p) => !p.includes('409'))).toEqual([]);
});
