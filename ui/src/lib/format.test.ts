import { expect, test } from 'vitest';
import { bytes, millis, relative } from './format';
import { href, parseLocation } from './url';

test('bytes', () => {
  expect(bytes(0)).toBe('0 B');
  expect(bytes(1023)).toBe('1023 B');
  expect(bytes(1536)).toBe('1.5 KiB');
  expect(bytes(25 * 1024 * 1024)).toBe('25 MiB');
});

test('millis', () => {
  expect(millis(0.44)).toBe('0.4 ms');
  expect(millis(12.4)).toBe('12 ms');
  expect(millis(1234)).toBe('1.2 s');
});

test('routes round-trip through URLs', () => {
  const r = parseLocation('/requests/01%2FX', '?q=a+b&method=POST');
  expect(r.page).toBe('requests');
  expect(r.rest).toEqual(['01/X']);
  expect(r.query.get('q')).toBe('a b');
  expect(href(['requests', '01/X'], { q: 'a b', method: '', pinned: null })).toBe('/requests/01%2FX?q=a+b');
});

test('relative', () => {
  expect(relative(31_000, 0)).toBe('in 31 s');
  expect(relative(0, 240_000)).toBe('4 min ago');
  expect(relative(7_200_000, 0)).toBe('in 2 h');
});
