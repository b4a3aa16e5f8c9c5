// Providers from the window, against a real `hooklens serve`: a test event sent from the empty
// list; New endpoint → a provider's preset (name, path, scheme, handshake, where to paste the
// URL and find the secret), whose handshake Hooklens then answers; a test event from the
// endpoint's guide; a repeated delivery marked in the list and the detail, and filtered.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { openBrowser, startEngine, type Browser, type Engine } from './harness';
import type { Endpoint, RequestJson, RequestPage } from '../src/lib/api';

let engine: Engine;
let browser: Browser;
let page: Page;

beforeAll(async () => {
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

const openRequestId = () => new URL(page.url()).pathname.split('/')[2] ?? '';

test('a test event is sent from the empty list and opens as captured', async () => {
  await open('/requests', 'empty-state');
  await page.getByTestId('test-event-provider').selectOption('github');
  await page.getByTestId('send-test-event').click();
  await page.getByTestId('request-detail').waitFor();
  const stored = await engine.call<RequestJson>('GET', `/api/v1/requests/${openRequestId()}`);
  expect([stored.provider, stored.event_type]).toEqual(['github', 'pull_request.opened']);
  await page.getByTestId('request-row').filter({ hasText: 'pull_request.opened' }).waitFor();
});

test('New endpoint → Meta fills the endpoint in, says where everything goes, and its handshake is answered', async () => {
  await open('/endpoints', 'page-endpoints');
  await page.getByTestId('endpoint-new').click();
  await page.getByTestId('preset-meta').click();
  const editor = page.getByTestId('endpoint-editor');
  await editor.waitFor();
  expect(await editor.locator('input[name=name]').inputValue()).toBe('meta');
  expect(await editor.locator('input[name=path]').inputValue()).toBe('/meta');
  expect(await editor.locator('select[name=scheme]').inputValue()).toBe('meta');
  expect(await editor.locator('input[name=answer-handshakes]').isChecked()).toBe(true);
  const help = page.getByTestId('preset-help');
  expect(await help.textContent()).toContain('Callback URL');
  expect(await page.getByTestId('paste-url').textContent()).toBe(engine.receiver + '/meta');
  expect(await page.getByTestId('preset-secret').textContent()).toContain('App settings → Basic');
  expect(await page.getByTestId('preset-handshake').textContent()).toContain('hub.challenge');
  const token = await editor.locator('input[name=verify-token]').inputValue();
  expect(token).toMatch(/^[A-Za-z0-9]{24}$/);

  await page.getByTestId('secret-input').first().fill('meta-app-secret');
  await page.getByTestId('endpoint-save').click();
  await page.getByTestId('toast').filter({ hasText: 'Endpoint meta saved' }).waitFor();
  const [created] = await engine.call<Endpoint[]>('GET', '/api/v1/endpoints');
  expect(created).toMatchObject({ name: 'meta', path: '/meta', answer_handshakes: true, signature: { scheme: 'meta' } });
  expect(created!.signature!.verify_token).not.toBe(token); // shown masked

  // Meta's check, with the token the preset made and the wrong one.
  const answered = await engine.send(`/meta?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${token}`);
  expect([answered.status, await answered.text()]).toEqual([200, '1158201444']);
  const refused = await engine.send('/meta?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=guess');
  expect(refused.status).toBe(403);

  await open('/requests', 'request-list');
  const rows = page.getByTestId('request-row').filter({ has: page.getByTestId('row-handshake') });
  await expect.poll(() => rows.count()).toBe(2);
  await rows.first().click();
  const note = await page.getByTestId('detail-handshake').textContent();
  expect(note).toBe("Meta handshake refused (403): hub.verify_token is not this endpoint's verify token");
  await rows.nth(1).click();
  await expect.poll(() => page.getByTestId('detail-handshake').textContent()).toBe(
    'Meta handshake answered by Hooklens: hub.verify_token matches: answered hub.challenge',
  );
  await engine.call('DELETE', `/api/v1/endpoints/${created!.id}`);
});

test('a Stripe preset sends a signed test event from its guide', async () => {
  await open('/endpoints/new?preset=stripe', 'endpoint-editor');
  expect(await page.getByTestId('preset-help').textContent()).toContain('Developers → Webhooks → Add endpoint');
  await page.getByTestId('secret-input').first().fill('whsec_test_secret_0001');
  await page.getByTestId('endpoint-save').click();
  await page.getByTestId('toast').filter({ hasText: 'Endpoint stripe saved' }).waitFor();
  // The saved endpoint's guide offers a test event, signed with its secret.
  await page.getByTestId('preset-help').getByTestId('send-test-event').click();
  await page.getByTestId('request-detail').waitFor();
  const stored = await engine.call<RequestJson>('GET', `/api/v1/requests/${openRequestId()}`);
  expect([stored.endpoint, stored.event_type, stored.signature?.status]).toEqual(['stripe', 'payment_intent.succeeded', 'valid']);
});

test('a repeated delivery is marked in the list and the detail, and filtered', async () => {
  const event = JSON.stringify({ id: 'evt_1NG8Du2eZvKYlo2CUI79vXWy', object: 'event', type: 'invoice.paid' });
  const deliver = () =>
    engine.send('/stripe', { method: 'POST', headers: { 'user-agent': 'Stripe/1.0', 'content-type': 'application/json' }, body: event });
  const first = (await deliver()).headers.get('x-hooklens-request-id')!;
  const second = (await deliver()).headers.get('x-hooklens-request-id')!;
  const stored = await engine.call<RequestJson>('GET', `/api/v1/requests/${first}`);

  await open('/requests', 'request-list');
  const row = page.locator(`[data-testid="request-row"][data-id="${second}"]`);
  expect(await row.getByTestId('row-duplicate').textContent()).toBe('×2');
  expect(await page.locator(`[data-testid="request-row"][data-id="${first}"]`).getByTestId('row-duplicate').count()).toBe(0);
  await row.click();
  const clock = new Date(stored.received_at_us / 1000).toTimeString().slice(0, 8);
  const note = page.getByTestId('detail-duplicate');
  expect(await note.textContent()).toBe(`second delivery of evt_1NG8Du2eZvKYlo2CUI79vXWy, first at ${clock} — open the first`);
  await note.getByRole('link').click();
  await expect.poll(openRequestId).toBe(first);

  await page.getByTestId('filters-toggle').click();
  await page.getByTestId('filter-duplicate').selectOption('true');
  await expect.poll(() => new URL(page.url()).searchParams.get('duplicate')).toBe('true');
  await expect.poll(() => page.getByTestId('request-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')))).toEqual([second]);
  const listed = await engine.call<RequestPage>('GET', '/api/v1/requests?duplicate=true');
  expect(listed.items.map((r) => r.id)).toEqual([second]);
});
