import { expect, test } from 'vitest';
import type { RequestJson } from './api';
import { filterFromQuery, globToRegExp, matches, parseTime, toQuery } from './filter';

const r = {
  id: '01A', method: 'POST', path: '/stripe', endpoint: 'stripe', endpoint_id: 'ep1', provider: 'stripe',
  event_type: 'payment_intent.succeeded', signature: { status: 'valid', reason: '' }, tags: ['pay'], pinned: false,
  received_at_us: 1_700_000_000_000_000,
} as unknown as RequestJson;

test('filterFromQuery keeps known, non-empty keys', () => {
  expect(filterFromQuery(new URLSearchParams('q=a&method=&x=1&pinned=true'))).toEqual({ q: 'a', pinned: 'true' });
  expect(toQuery({ pinned: 'false', method: 'GET' })).toEqual({ method: 'GET', pinned: false });
});

test.each([
  [{}, true],
  [{ method: 'post' }, true],
  [{ method: 'GET' }, false],
  [{ endpoint: 'stripe' }, true],
  [{ endpoint: 'ep1' }, true],
  [{ endpoint: 'default' }, false],
  [{ provider: 'Stripe' }, true],
  [{ event_type: 'payment_intent.*' }, true],
  [{ event_type: 'charge.*' }, false],
  [{ signature: 'invalid' }, false],
  [{ tag: 'pay' }, true],
  [{ tag: 'other' }, false],
  [{ pinned: 'true' }, false],
  [{ delivery: 'none' }, true],
  [{ delivery: 'failed' }, false],
  [{ since: '2023-11-14T22:13:20Z' }, true],
  [{ until: '2023-11-14T22:13:20Z' }, false],
  [{ q: 'anything' }, null],
  [{ q: 'anything', method: 'GET' }, false],
])('matches(%j)', (f, expected) => {
  expect(matches(f, r)).toBe(expected);
});

test('globToRegExp follows SQLite GLOB', () => {
  expect(globToRegExp('a*b?').test('axxbc')).toBe(true);
  expect(globToRegExp('a.b').test('axb')).toBe(false);
  expect(globToRegExp('[a-c]x').test('bx')).toBe(true);
  expect(globToRegExp('[^a-c]x').test('bx')).toBe(false);
  expect(globToRegExp('A*').test('abc')).toBe(false);
});

test('parseTime', () => {
  expect(parseTime('1700000000000000')).toBe(1_700_000_000_000_000);
  expect(parseTime('2023-11-14T22:13:20Z')).toBe(1_700_000_000_000_000);
  expect(parseTime('soon')).toBeNull();
});
