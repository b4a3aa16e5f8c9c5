import { expect, test } from 'vitest';
import { PRESETS, newVerifyToken, presetFor, presetLabel, urlToPaste } from './presets';
import { SCHEMES } from './schemes';

test('every provider Hooklens knows has a preset, once, with a distinct path', () => {
  const providers = SCHEMES.filter((s) => s !== 'hmac-sha256');
  expect(PRESETS.map((p) => p.scheme).sort()).toEqual([...providers].sort());
  expect(new Set(PRESETS.map((p) => p.path)).size).toBe(PRESETS.length);
  for (const p of PRESETS) {
    expect(p.path.startsWith('/'), p.scheme).toBe(true);
    expect(p.paste.length, p.scheme).toBeGreaterThan(20);
  }
});

test('the handshake providers say what Hooklens answers; the others have none', () => {
  const withHandshake = PRESETS.filter((p) => p.handshake).map((p) => p.scheme).sort();
  expect(withHandshake).toEqual(['discord', 'dropbox', 'meta', 'msgraph', 'slack', 'twitch', 'x', 'zoom']);
});

test('presets are found by id and named after their provider', () => {
  expect(presetFor('slack')?.path).toBe('/slack');
  expect(presetFor('paypal')).toBeNull();
  expect(presetFor(null)).toBeNull();
  expect(presetLabel(presetFor('msgraph')!)).toBe('Microsoft Graph');
});

test('the URL to paste is the tunnel’s when it is open, else the receiver’s', () => {
  expect(urlToPaste('/stripe', 'http://127.0.0.1:4780', null)).toBe('http://127.0.0.1:4780/stripe');
  expect(urlToPaste('/stripe', 'http://127.0.0.1:4780', 'https://abc.ngrok.app/')).toBe('https://abc.ngrok.app/stripe');
  expect(urlToPaste('', 'http://127.0.0.1:4780/', null)).toBe('http://127.0.0.1:4780/');
});

test('a verify token is 24 URL-safe characters from the random bytes', () => {
  const token = newVerifyToken((b) => b.map((_, i) => i));
  expect(token).toBe('ABCDEFGHIJKLMNOPQRSTUVWX');
  expect(newVerifyToken()).toMatch(/^[A-Za-z0-9]{24}$/);
});
