import { expect, test } from 'vitest';
import type { RelayStatus } from '../../lib/api';
import { relayLine, relayUrlProblem } from './relay';

const status = (state: RelayStatus['state'], behind = 0): RelayStatus => ({
  state,
  behind,
  url: 'https://relay.example',
  endpoint: null,
  last_id: null,
  error: null,
  since: '2026-01-01T00:00:00.000000Z',
  expired: 0,
});

test('each state reads as a few words', () => {
  const cases: [RelayStatus | null, string][] = [
    [null, 'off'],
    [status('off'), 'off'],
    [status('connecting'), 'connecting…'],
    [status('catching_up', 120), 'catching up (120 behind)'],
    [status('catching_up'), 'catching up'],
    [status('online'), 'online'],
    [status('reconnecting'), 'reconnecting…'],
    [status('error'), 'stopped'],
  ];
  for (const [s, want] of cases) expect(relayLine(s)).toBe(want);
});

test('relay URLs are checked before they are sent', () => {
  expect(relayUrlProblem('https://relay.example.com')).toBe('');
  expect(relayUrlProblem(' http://127.0.0.1:4782 ')).toBe('');
  expect(relayUrlProblem('')).toMatch(/--relay-listen/);
  expect(relayUrlProblem('relay.example.com')).toMatch(/^Not a URL/);
  expect(relayUrlProblem('ftp://relay.example.com')).toBe('Use http:// or https://');
});
