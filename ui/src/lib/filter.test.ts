import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import type { RequestJson } from './api';
import { filterFromQuery, globMatches, matches, parseTime, toQuery, type Filter } from './filter';

// Far from UTC, so that reading a time without an offset as local time would show.
process.env.TZ = 'Pacific/Auckland';

const r = {
  id: '01A', method: 'POST', path: '/stripe', endpoint: 'stripe', endpoint_id: 'ep1', provider: 'stripe',
  event_type: 'payment_intent.succeeded', signature: { status: 'valid', reason: '' }, tags: ['pay'], pinned: false,
  received_at_us: 1_700_000_000_000_000,
} as unknown as RequestJson;

test('filterFromQuery keeps known, non-empty keys', () => {
  expect(filterFromQuery(new URLSearchParams('q=a&method=&x=1&pinned=true'))).toEqual({ q: 'a', pinned: 'true' });
  expect(toQuery({ pinned: 'false', method: 'GET' })).toEqual({ method: 'GET', pinned: false });
  expect(toQuery({ duplicate: 'true' })).toEqual({ duplicate: true });
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

test.each([
  ['a*b?', 'axxbc', true],
  ['a.b', 'axb', false],
  ['[a-c]x', 'bx', true],
  ['[^a-c]x', 'bx', false],
  ['A*', 'abc', false],
  ['*?', '', false],
  ['*?', 'x', true],
  ['a*[bc]', 'axxc', true],
  ['[]x]', ']', true],
  ['[^]x]', ']', false],
  ['[a-]', '-', true],
  ['[-a]', '-', true],
  ['x[', 'x[', false],
  ['[z-a]', 'm', false],
  ['\u{1F389}?', '\u{1F389}\u{1F38A}', true],
  ['[\u{1F300}-\u{1F3FF}]', '\u{1F389}', true],
])('globMatches(%j, %j) follows SQLite GLOB', (glob, text, expected) => {
  expect(globMatches(glob, text)).toBe(expected);
});

/** tests/fixtures/filters.json: the same table the store's list filtering is tested against. */
const shared: {
  times: [string, number | null][];
  requests: (RequestJson & { body: string })[];
  cases: { filter: Filter; matches: string[]; why: string }[];
} = JSON.parse(readFileSync(new URL('../../../tests/fixtures/filters.json', import.meta.url), 'utf8'));

test.each(shared.times)('parseTime(%j) reads what the API reads', (text, us) => {
  expect(parseTime(text)).toBe(us);
});

test.each(shared.cases)('the live list filters as the server does: $why ($filter)', ({ filter, matches: listed }) => {
  for (const r of shared.requests) {
    const got = matches(filter, r);
    // Only a full-text search leaves it to the server, and only when nothing else rules the request out.
    if (got === null) expect(filter.q, r.id).toBeTruthy();
    else expect(got, r.id).toBe(listed.includes(r.id));
  }
});
