import { expect, test } from 'vitest';
import { formatOf, importable, reportText } from './importing';

test('formats by file name', () => {
  const cases: [string, 'har' | 'ndjson' | null, boolean][] = [
    ['hooks.har', 'har', true],
    ['Hooks.HAR', 'har', true],
    ['export.ndjson', 'ndjson', true],
    ['export.jsonl', 'ndjson', true],
    ['export.json', null, true],
    ['notes.txt', null, false],
    ['har', null, false],
  ];
  for (const [name, format, ok] of cases) {
    expect([formatOf(name), importable(name)], name).toEqual([format, ok]);
  }
});

test('what an import did, in words', () => {
  expect(reportText('a.har', { imported: 1, skipped: 0, deliveries: 0 })).toBe('Imported 1 request from a.har');
  expect(reportText('b.ndjson', { imported: 3, skipped: 2, deliveries: 3 })).toBe(
    'Imported 3 requests from b.ndjson — 2 already stored, skipped — 3 deliveries queued',
  );
});
