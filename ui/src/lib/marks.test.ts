import { expect, test } from 'vitest';
import { duplicateBadge, duplicateNote, handshakeNote, ordinal, shortId } from './marks';

// Local times in the notes: pin the zone so the expected clock reads the same everywhere.
process.env.TZ = 'UTC';

test.each([
  [1, 'first'],
  [2, 'second'],
  [3, 'third'],
  [10, 'tenth'],
  [11, '11th'],
  [12, '12th'],
  [13, '13th'],
  [21, '21st'],
  [22, '22nd'],
  [23, '23rd'],
  [101, '101st'],
  [111, '111th'],
])('ordinal(%i) is %s', (n, word) => {
  expect(ordinal(n)).toBe(word);
});

test('a repeat says which delivery of which event, and when the first came', () => {
  const first_received_at_us = Date.UTC(2026, 0, 5, 12, 3, 11, 500) * 1000;
  const repeat = { duplicate_of: '01A', event_id: 'evt_1NG8Du2eZvKYlo2CUI79vXWy', occurrence: 2, first_received_at_us };
  expect(duplicateNote(repeat)).toBe('second delivery of evt_1NG8Du2eZvKYlo2CUI79vXWy, first at 12:03:11');
  expect(duplicateNote({ ...repeat, occurrence: 3 })).toBe('third delivery of evt_1NG8Du2eZvKYlo2CUI79vXWy, first at 12:03:11');
  expect(duplicateNote({ ...repeat, duplicate_of: null, occurrence: 1 })).toBeNull();
  expect(duplicateNote({ ...repeat, event_id: null })).toBeNull();
  expect(duplicateBadge(repeat)).toBe('×2');
  const long = 'd'.repeat(40);
  expect(shortId(long)).toBe(`${'d'.repeat(16)}…${'d'.repeat(8)}`);
  expect(duplicateNote({ ...repeat, event_id: long })).toContain(`${'d'.repeat(16)}…`);
});

test('a handshake says who, whether Hooklens answered, and why', () => {
  const answered = { provider: 'slack', answered: true, reason: 'answered url_verification with its challenge' } as const;
  expect(handshakeNote({ handshake: answered, response_status: 200 })).toBe(
    'Slack handshake answered by Hooklens: answered url_verification with its challenge',
  );
  const refused = { provider: 'meta', answered: false, reason: "hub.verify_token is not this endpoint's verify token" } as const;
  expect(handshakeNote({ handshake: refused, response_status: 403 })).toBe(
    "Meta handshake refused (403): hub.verify_token is not this endpoint's verify token",
  );
  expect(handshakeNote({ handshake: null, response_status: 200 })).toBeNull();
});
