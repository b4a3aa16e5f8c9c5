import { describe, expect, test } from 'vitest';
import type { Endpoint } from '../../lib/api';
import { presetFor } from '../../lib/presets';
import { emptyForm, formatDuration, newTarget, parseDuration, presetForm, summary, toForm, toSpec, validate } from './form';

const stored: Endpoint = {
  id: '01J',
  created_at: '2026-11-28T10:00:00Z',
  name: 'stripe',
  path: '/stripe',
  response: { status: 202, headers: [['x-a', '1']], body: '{"ok":"{{id}}"}', delay_ms: 250 },
  relay: { timeout_ms: 5000 },
  forward: [
    { url: 'http://localhost:3000/hooks', path: 'fixed', headers: [['authorization', 'Bearer t']], resign: { scheme: 'stripe', secret: 'whsec_…abcd' } },
  ],
  signature: { scheme: 'stripe', secrets: ['whsec_…LaSw', 'whsec_…Zz12'], tolerance_s: 600 },
  retry: { schedule_ms: [1000, 300000, 3600000, 1500], timeout_ms: 20000, jitter: 0.2, max_retry_after_ms: 900000 },
};

describe('durations', () => {
  test.each([
    [1000, '1s'],
    [90_000, '90s'],
    [60_000, '1m'],
    [300_000, '5m'],
    [3_600_000, '1h'],
    [1500, '1500ms'],
    [0, '0s'],
  ])('%d ms shows as %s and reads back', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
  test.each([
    ['30', 30_000],
    [' 2.5s ', 2500],
    ['2M', 120_000],
    ['250 ms', 250],
    ['soon', null],
    ['-1s', null],
    ['', null],
  ])('%j reads as %j', (text, ms) => expect(parseDuration(text)).toBe(ms));
});

describe('endpoint form', () => {
  test('a stored endpoint round-trips through the form unchanged, masked secrets included', () => {
    const form = toForm(stored);
    expect(form.secrets).toEqual([
      { value: 'whsec_…LaSw', kept: true },
      { value: 'whsec_…Zz12', kept: true },
    ]);
    expect(form.retry).toEqual(['1s', '5m', '1h', '1500ms']);
    expect(validate(form)).toEqual({});
    const spec = toSpec(form);
    expect(spec).toEqual({
      name: 'stripe',
      path: '/stripe',
      public_url: null,
      response: { status: 202, headers: [['x-a', '1']], body: '{"ok":"{{id}}"}', delay_ms: 250 },
      relay: { timeout_ms: 5000 },
      forward: [
        { url: 'http://localhost:3000/hooks', path: 'fixed', headers: [['authorization', 'Bearer t']], resign: { scheme: 'stripe', secret: 'whsec_…abcd', header: null } },
      ],
      forward_duplicates: true,
      answer_handshakes: true,
      signature: { scheme: 'stripe', secrets: ['whsec_…LaSw', 'whsec_…Zz12'], header: null, tolerance_s: 600, verify_token: null },
      retry: { schedule_ms: [1000, 300000, 3600000, 1500], timeout_ms: 20000 },
    });
  });

  test('repeats and handshakes: what the endpoint says is kept, and turned off is sent', () => {
    const form = toForm({ ...stored, forward_duplicates: false, answer_handshakes: false });
    expect([form.forwardDuplicates, form.answerHandshakes]).toEqual([false, false]);
    const spec = toSpec(form);
    expect([spec.forward_duplicates, spec.answer_handshakes]).toEqual([false, false]);
    expect(summary({ ...stored, forward_duplicates: false, answer_handshakes: false })).toContain(
      'repeats not forwarded · handshakes left to the service',
    );
  });

  test('a preset starts the endpoint for its provider; Meta with a fresh verify token, kept masked once stored', () => {
    const slack = presetForm(presetFor('slack')!);
    expect([slack.name, slack.path, slack.signature, slack.scheme, slack.answerHandshakes]).toEqual(['slack', '/slack', true, 'slack', true]);
    expect(validate(slack)).toEqual({ secrets: 'Every secret needs a value (remove empty ones)' });
    const meta = presetForm(presetFor('meta')!, (b) => b.fill(0));
    expect(meta.verifyToken).toEqual({ value: 'A'.repeat(24), kept: false });
    meta.secrets = [{ value: 'app-secret', kept: false }];
    expect(validate(meta)).toEqual({});
    expect(toSpec(meta).signature?.verify_token).toBe('A'.repeat(24));
    meta.verifyToken.value = ' ';
    expect(Object.keys(validate(meta))).toEqual(['verifyToken']);
    const stored_meta = toForm({ ...stored, signature: { scheme: 'meta', secrets: ['app-s…cret'], verify_token: 'meatyh…6789' } });
    expect(stored_meta.verifyToken).toEqual({ value: 'meatyh…6789', kept: true });
    expect(toSpec({ ...slack, secrets: [{ value: 's', kept: false }] }).signature?.verify_token).toBeNull();
  });

  test('what the form turns off is sent as null, so a merge patch removes it', () => {
    const form = toForm(stored);
    form.relay = false;
    form.signature = false;
    form.customRetry = false;
    form.body = '';
    const spec = toSpec(form);
    expect(spec.relay).toBeNull();
    expect(spec.signature).toBeNull();
    expect(spec.retry).toBeNull();
    expect(spec.response?.body).toBeNull();
  });

  test('a new endpoint: trailing slashes go, the default retry schedule is offered', () => {
    const form = emptyForm();
    form.name = ' github ';
    form.path = '/github/';
    expect(validate(form)).toEqual({});
    const spec = toSpec(form);
    expect(spec.name).toBe('github');
    expect(spec.path).toBe('/github');
    expect(spec.forward).toEqual([]);
    expect(form.retry[0]).toBe('1s');
    expect(form.retry).toHaveLength(12);
  });

  test.each([
    ['name', (f: ReturnType<typeof emptyForm>) => (f.name = ''), 'name'],
    ['reserved name', (f: ReturnType<typeof emptyForm>) => (f.name = 'Default'), 'name'],
    ['path without /', (f: ReturnType<typeof emptyForm>) => (f.path = 'stripe'), 'path'],
    ['root path', (f: ReturnType<typeof emptyForm>) => (f.path = '/'), 'path'],
    ['path with a space', (f: ReturnType<typeof emptyForm>) => (f.path = '/a b'), 'path'],
    ['status', (f: ReturnType<typeof emptyForm>) => (f.status = '700'), 'status'],
    ['delay', (f: ReturnType<typeof emptyForm>) => (f.delay = '31000'), 'delay'],
    ['header name', (f: ReturnType<typeof emptyForm>) => f.headers.push({ name: 'bad name', value: 'x' }), 'headers.0'],
    ['header value', (f: ReturnType<typeof emptyForm>) => f.headers.push({ name: 'x', value: 'a\nb' }), 'headers.0'],
    ['relay without targets', (f: ReturnType<typeof emptyForm>) => (f.relay = true), 'relay'],
    ['target URL', (f: ReturnType<typeof emptyForm>) => f.forward.push({ ...newTarget(), url: 'localhost:3000' }), 'forward.0.url'],
    ['public URL', (f: ReturnType<typeof emptyForm>) => (f.publicUrl = 'hooks.example.com/twilio'), 'publicUrl'],
    ['re-sign with a public-key scheme', (f: ReturnType<typeof emptyForm>) => f.forward.push({ ...newTarget(), url: 'http://localhost:1/', resign: true, resignScheme: 'sendgrid', resignSecret: { value: 'k', kept: false } }), 'forward.0.resignScheme'],
    ['re-sign secret', (f: ReturnType<typeof emptyForm>) => f.forward.push({ ...newTarget(), url: 'http://localhost:1/', resign: true }), 'forward.0.resignSecret'],
    ['empty secret', (f: ReturnType<typeof emptyForm>) => (f.signature = true), 'secrets'],
    ['hmac header', (f: ReturnType<typeof emptyForm>) => Object.assign(f, { signature: true, scheme: 'hmac-sha256', secrets: [{ value: 's', kept: false }] }), 'signatureHeader'],
    ['retry delay', (f: ReturnType<typeof emptyForm>) => Object.assign(f, { customRetry: true, retry: ['1s', 'later'] }), 'retry.1'],
    ['retry over a day', (f: ReturnType<typeof emptyForm>) => Object.assign(f, { customRetry: true, retry: ['25h'] }), 'retry.0'],
    ['attempt timeout', (f: ReturnType<typeof emptyForm>) => Object.assign(f, { customRetry: true, attemptTimeout: '11m' }), 'attemptTimeout'],
  ])('a bad %s is reported on its field', (_what, spoil, key) => {
    const form = emptyForm();
    form.name = 'x';
    form.path = '/x';
    spoil(form);
    const errors = validate(form);
    expect(Object.keys(errors)).toEqual([key]);
    expect(errors[key]!.length).toBeGreaterThan(5);
  });

  test('a public URL is trimmed, sent, and read back', () => {
    const form = emptyForm();
    form.name = 'twilio';
    form.path = '/twilio';
    form.publicUrl = ' https://abc.ngrok.app/twilio ';
    expect(validate(form)).toEqual({});
    const spec = toSpec(form);
    expect(spec.public_url).toBe('https://abc.ngrok.app/twilio');
    expect(toForm({ ...stored, public_url: spec.public_url }).publicUrl).toBe('https://abc.ngrok.app/twilio');
  });

  test('the list line says what the endpoint does', () => {
    expect(summary(stored)).toBe(
      'answers 202 · relays (5000 ms) · forwards to http://localhost:3000/hooks · checks stripe signatures (2 secrets) · 4 retries',
    );
  });
});
