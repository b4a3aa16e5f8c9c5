import { expect, test } from 'vitest';
import { FIND_LIMIT, collect, countText, matcher, step, type Hit } from './find';

const hits = (text: string, q: string) => {
  const out: Hit[] = [];
  collect(text, matcher(q)!, (start, end) => ({ seg: 's', start, end }), out);
  return out.map((h) => [h.start, h.end]);
};

test('finds every occurrence, case-insensitively, as a literal', () => {
  expect(hits('Amount amount AMOUNT', 'amount')).toEqual([[0, 6], [7, 13], [14, 20]]);
  expect(hits('a.b axb a.b', 'a.b')).toEqual([[0, 3], [8, 11]]);
  expect(hits('(x)[y]*', '[y]*')).toEqual([[3, 7]]);
  expect(hits('aaaa', 'aa')).toEqual([[0, 2], [2, 4]]);
  expect(hits('nothing here', 'zz')).toEqual([]);
  expect(matcher('')).toBeNull();
});

test('stops at the limit and says so', () => {
  const out: Hit[] = [];
  const more = collect('x'.repeat(FIND_LIMIT + 5), matcher('x')!, (start, end) => ({ seg: 's', start, end }), out);
  expect(more).toBe(false);
  expect(out).toHaveLength(FIND_LIMIT);
  expect(countText(0, out.length)).toBe(`1 of ${FIND_LIMIT}+`);
  expect(countText(2, 17)).toBe('3 of 17');
  expect(countText(0, 0)).toBe('no matches');
});

test('next and previous wrap around', () => {
  expect(step(0, 3, 1)).toBe(1);
  expect(step(2, 3, 1)).toBe(0);
  expect(step(0, 3, -1)).toBe(2);
  expect(step(0, 0, 1)).toBe(0);
});
