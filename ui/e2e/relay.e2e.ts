// Settings → Relay against two real `hooklens serve` processes: a relay (`--relay-listen`)
// whose inspector makes and revokes a token, and a subscriber whose inspector mirrors it —
// the state, the last id and the status bar follow live, and a revoked token shows what to do.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openBrowser, startEngine, type Browser, type Engine } from './harness';
import type { RequestJson } from '../src/lib/api';

let relay: Engine;
let sub: Engine;
let onRelay: Browser;
let onSub: Browser;

beforeAll(async () => {
  relay = await startEngine({ extraArgs: ['--relay-listen', '127.0.0.1:0', '--relay-heartbeat', '1s'] });
  sub = await startEngine();
  onRelay = await openBrowser(relay);
  onSub = await openBrowser(sub);
});
afterAll(async () => {
  await onRelay?.close();
  await onSub?.close();
  await sub?.stop();
  await relay?.stop();
});

async function settings(browser: Browser, engine: Engine) {
  await browser.page.goto(engine.api + '/settings');
  await browser.page.getByTestId('settings-relay').waitFor();
  await browser.page.locator('[data-testid="live"][data-state="live"]').waitFor();
}

test('a token made in one inspector lets another mirror, live, until it is revoked', async () => {
  expect(relay.relay).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  await settings(onRelay, relay);
  const tokens = onRelay.page.getByTestId('relay-tokens');
  await tokens.locator('input[name=relay-token-name]').fill('ui-laptop');
  await onRelay.page.getByTestId('relay-token-create').click();
  const secret = (await onRelay.page.getByTestId('relay-token-secret').textContent()) ?? '';
  expect(secret).toMatch(/^hlr_[0-9a-f]{64}$/);
  await tokens.locator('[data-testid="relay-token-row"][data-name="ui-laptop"]').waitFor();

  const stored = (await (await relay.send('/before', { method: 'POST', body: 'stored while away' })).json()) as { id: string };

  await settings(onSub, sub);
  const page = onSub.page;
  await expect.poll(() => page.getByTestId('relay-state').getAttribute('data-state')).toBe('off');
  await page.locator('input[name=relay-url]').fill(relay.relay ?? '');
  await page.locator('input[name=relay-token]').fill(secret);
  await page.getByTestId('relay-start').click();
  await page.locator('[data-testid="relay-state"][data-state="online"]').waitFor();
  expect(await page.locator('input[name=relay-token]').inputValue()).toBe('');
  await page.locator('[data-testid="statusbar-relay"][data-state="online"]').waitFor();
  await expect.poll(() => page.getByTestId('relay-last-id').textContent()).toBe(stored.id);

  // Live: a webhook to the relay is mirrored, and the last id follows without a reload.
  const live = (await (await relay.send('/live', { method: 'POST', body: 'live' })).json()) as { id: string };
  await expect.poll(() => page.getByTestId('relay-last-id').textContent(), { timeout: 15_000 }).toBe(live.id);
  const copy = await sub.call<RequestJson>('GET', `/api/v1/requests/${live.id}`);
  expect(copy.via).toBe('relay');

  // Revoked in the relay's inspector: the subscriber stops, saying what to do.
  await onRelay.page
    .locator('[data-testid="relay-token-row"][data-name="ui-laptop"]')
    .getByTestId('relay-token-revoke')
    .click();
  await onRelay.page.locator('[data-testid="relay-token-row"][data-name="ui-laptop"]').filter({ hasText: 'revoked' }).waitFor();
  await page.locator('[data-testid="relay-state"][data-state="error"]').waitFor({ timeout: 15_000 });
  expect(await page.getByTestId('relay-error').textContent()).toContain('hooklens relay token create NAME');
  await page.locator('[data-testid="statusbar-relay"][data-state="error"]').waitFor();

  await page.getByTestId('relay-stop').click();
  await page.locator('[data-testid="relay-state"][data-state="off"]').waitFor();
  await expect.poll(() => page.getByTestId('statusbar-relay').count()).toBe(0);
  expect(onSub.problems).toEqual([]);
  expect(onRelay.problems).toEqual([]);
});
