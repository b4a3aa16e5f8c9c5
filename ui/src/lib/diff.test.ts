import { expect, test } from 'vitest';
import { canonicalJson, diffHeaders, diffJson, diffLines } from './diff';

const apply = (ops: ReturnType<typeof diffLines>, side: '-' | '+') =>
  ops.filter((o) => o.op === ' ' || o.op === side).map((o) => o.text).join('\n');

test.each([
  ['', ''],
  ['a', ''],
  ['', 'b'],
  ['a\nb\nc', 'a\nc'],
  ['a\nc', 'a\nb\nc'],
  ['x\ny\nz', 'p\nq'],
  ['a\nb\nc\nd\ne\nf', 'a\nx\nc\nd\ny\nf\ng'],
])('diffLines(%j, %j) rebuilds both sides', (a, b) => {
  const ops = diffLines(a, b);
  expect(apply(ops, '-')).toBe(a);
  expect(apply(ops, '+')).toBe(b);
});

test('diffLines is minimal on a simple edit', () => {
  expect(diffLines('a\nb\nc', 'a\nB\nc')).toEqual([
    { op: ' ', text: 'a' },
    { op: '-', text: 'b' },
    { op: '+', text: 'B' },
    { op: ' ', text: 'c' },
  ]);
});

test('diffLines gives up past its budget but stays correct', () => {
  const a = Array.from({ length: 50 }, (_, i) => 'a' + i).join('\n');
  const b = Array.from({ length: 50 }, (_, i) => 'b' + i).join('\n');
  const ops = diffLines(a, b, 10);
  expect(apply(ops, '-')).toBe(a);
  expect(apply(ops, '+')).toBe(b);
});

test('diffJson reports paths; key order does not matter', () => {
  const a = { id: 1, type: 'x', data: { amount: 100, list: [1, 2], 'odd key': true }, gone: null };
  const b = { type: 'y', id: 1, data: { list: [1, 3, 4], amount: 100, 'odd key': true }, extra: 'e' };
  expect(diffJson(a, b)).toEqual([
    { path: '$.type', kind: 'changed', before: 'x', after: 'y' },
    { path: '$.data.list[1]', kind: 'changed', before: 2, after: 3 },
    { path: '$.data.list[2]', kind: 'added', after: 4 },
    { path: '$.gone', kind: 'removed', before: null },
    { path: '$.extra', kind: 'added', after: 'e' },
  ]);
  expect(diffJson({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([]);
  expect(diffJson({ a: 1 }, [1])).toEqual([{ path: '$', kind: 'changed', before: { a: 1 }, after: [1] }]);
});

test('canonicalJson sorts keys', () => {
  expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe(canonicalJson({ a: { c: 3, d: 2 }, b: 1 }));
});

test('diffHeaders compares by name, case-insensitively, with repeats as lists', () => {
  const changes = diffHeaders(
    [['Content-Type', 'a'], ['x-dup', '1'], ['x-dup', '2'], ['x-old', 'o']],
    [['content-type', 'a'], ['x-dup', '1'], ['x-new', 'n']],
  );
  expect(changes).toEqual([
    { name: 'content-type', kind: 'same', before: ['a'], after: ['a'] },
    { name: 'x-dup', kind: 'changed', before: ['1', '2'], after: ['1'] },
    { name: 'x-new', kind: 'added', before: [], after: ['n'] },
    { name: 'x-old', kind: 'removed', before: ['o'], after: [] },
  ]);
});
