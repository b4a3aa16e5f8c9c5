import { expect, test } from 'vitest';
import { toForm, toPatch, validate } from './form';

test('settings round-trip; an empty limit is sent as null, which turns it off', () => {
  const form = toForm({
    retention: { max_requests: 100000, max_age_days: 30, max_total_mib: null },
    allow_remote_targets: false,
    notifications: { delivery_failed: 'exhausted', target_changes: false, signature_invalid: true, window_s: 10 },
  });
  expect(form).toEqual({
    maxRequests: '100000', maxAgeDays: '30', maxTotalMib: '', allowRemote: false,
    deliveryFailed: 'exhausted', targetChanges: false, signatureInvalid: true, windowS: '10',
  });
  expect(validate(form)).toEqual({});
  form.maxAgeDays = '';
  form.maxTotalMib = '512';
  expect(toPatch(form)).toEqual({
    retention: { max_requests: 100000, max_age_days: null, max_total_mib: 512 },
    allow_remote_targets: false,
    notifications: { delivery_failed: 'exhausted', target_changes: false, signature_invalid: true, window_s: 10 },
  });
});

test('defaults fill what the API leaves out', () => {
  const form = toForm({});
  expect(form.deliveryFailed).toBe('first');
  expect(form.targetChanges).toBe(true);
  expect(form.windowS).toBe('10');
  expect(form.maxRequests).toBe('');
});

test.each([
  ['maxRequests', '0'],
  ['maxAgeDays', 'a week'],
  ['maxTotalMib', '1.5'],
  ['windowS', ''],
])('a bad %s is reported on its field', (key, value) => {
  const form = toForm({});
  (form as unknown as Record<string, string>)[key] = value;
  expect(Object.keys(validate(form))).toEqual([key]);
});
