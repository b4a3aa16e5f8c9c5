import { expect, test } from 'vitest';
import type { RequestJson } from './api';
import { matcher } from './find';
import { fieldCondition, findInJson, isContainer, entries, rulePath, scalarText, keyText, type Path } from './jsonTree';
import { TreeState } from './jsonTree.svelte';
import { MAX_DEPTH, PAGE, FOLD } from './jsonTree';
import { fieldValue } from '../pages/rules/form';

test('a path is written the way a rule names a JSON field', () => {
  const table: [Path, string | null][] = [
    [[], null],
    [['data', 'object', 'amount'], 'data.object.amount'],
    [['items', 0, 'id'], 'items.0.id'],
    [['a.b', 'c'], '/a.b/c'],
    [['', 'x'], '//x'],
    [['/root', 'x'], '/~1root/x'],
    [['x', '/y'], 'x./y'],
    [['a~b', 'c/d.e'], '/a~0b/c~1d.e'],
    [[' padded', 'x'], '/ padded/x'],
  ];
  for (const [path, want] of table) expect(rulePath(path), JSON.stringify(path)).toBe(want);
});

test('every node of a body is found again by a rule through its path', () => {
  const body = { data: { object: { amount: 1200, 'odd.key': { '/x~': 'deep' }, tags: ['a', 'b'], off: false } }, '': 'empty key' };
  const r = { body_text: JSON.stringify(body) } as RequestJson;
  const walk = (value: unknown, path: Path) => {
    if (path.length > 0) {
      const c = fieldCondition(path, value)!;
      const want = typeof value === 'string' ? value : JSON.stringify(value);
      expect(fieldValue(c.field, r), c.field).toBe(want);
      if (!isContainer(value)) expect(c).toEqual({ field: c.field, op: 'equals', value: want });
    }
    if (isContainer(value)) for (const [k, v] of entries(value)) walk(v, [...path, k]);
  };
  walk(body, []);
  expect(fieldCondition(['a'], null)).toEqual({ field: 'json:a', op: 'missing', value: '' });
  expect(fieldCondition(['a'], { b: 1 })).toEqual({ field: 'json:a', op: 'exists', value: '' });
});

test('find lists hits in keys and values in the order the tree shows them', () => {
  const body = { amount: 1, nested: { Amount: 'no amount', list: ['amount', 3] }, last: 'AMOUNTamount' };
  const hits = findInJson(body, matcher('amount')!);
  expect(hits.map((h) => [h.path.join('/'), h.part, h.start])).toEqual([
    ['amount', 'key', 1],
    ['nested/Amount', 'key', 1],
    ['nested/Amount', 'value', 4],
    ['nested/list/0', 'value', 1],
    ['last', 'value', 1],
    ['last', 'value', 7],
  ]);
  // The offsets are into the text the tree shows: keys and strings quoted, JSON-escaped.
  const quoted = findInJson({ 'a"b': 'x\ny' }, matcher('y')!);
  expect(scalarText('x\ny').slice(quoted[0]!.start, quoted[0]!.end)).toBe('y');
  expect(keyText('a"b')).toBe('"a\\"b"');
  // Any depth, in time linear in the size.
  let deep: unknown = 'needle';
  for (let i = 0; i < 100_000; i++) deep = [deep];
  expect(findInJson(deep, matcher('needle')!)[0]!.path).toHaveLength(100_000);
});

test('revealing a hit opens the way to it and nothing else', () => {
  const tree = new TreeState();
  const long = 'x'.repeat(FOLD) + 'needle';
  const body = { big: Array.from({ length: 1000 }, (_, i) => (i === 650 ? { s: long } : i)), other: { a: 1 } };
  const [hit] = findInJson(body, matcher('needle')!);
  tree.reveal(body, hit!);
  expect(tree.isOpen('["big"]', 1, 1000)).toBe(true);
  expect(tree.count('["big"]')).toBe(4 * PAGE);
  expect(tree.full.has('v["big",650,"s"]')).toBe(true);
  expect(tree.isOpen('["other"]', 1, 1)).toBe(true); // its default, untouched
  expect(tree.toggled.has('["other"]')).toBe(false);
  expect(tree.focus).toEqual([]);

  // Deeper than the tree shows at once: the root moves down, so the hit is within reach.
  let deep: unknown = 'needle';
  for (let i = 30; i >= 1; i--) deep = { [`level${i}`]: deep };
  const [far] = findInJson(deep, matcher('needle')!);
  tree.reveal(deep, far!);
  expect(tree.focus).toHaveLength(30 - MAX_DEPTH);
  expect(far!.path.length - tree.focus.length).toBeLessThanOrEqual(MAX_DEPTH);
  // …and back up when a hit is above it.
  const [top] = findInJson(deep, matcher('level1')!);
  tree.reveal(deep, top!);
  expect(tree.focus).toEqual([]);
});
