// The settings form: numbers as text (empty turns a retention limit off), converted from and
// to the API's `Settings`, which the page sends whole as a JSON merge patch. Pure, tested in
// form.test.ts.
import type { Settings } from '../../lib/api';

export type DeliveryFailed = 'first' | 'exhausted' | 'both' | 'off';

export interface SettingsForm {
  maxRequests: string;
  maxAgeDays: string;
  maxTotalMib: string;
  allowRemote: boolean;
  deliveryFailed: DeliveryFailed;
  targetChanges: boolean;
  signatureInvalid: boolean;
  windowS: string;
}

const text = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(n));
const DELIVERY: DeliveryFailed[] = ['first', 'exhausted', 'both', 'off'];

export function toForm(s: Settings): SettingsForm {
  const n = s.notifications ?? {};
  const r = s.retention ?? {};
  return {
    maxRequests: text(r.max_requests),
    maxAgeDays: text(r.max_age_days),
    maxTotalMib: text(r.max_total_mib),
    allowRemote: s.allow_remote_targets ?? false,
    deliveryFailed: DELIVERY.find((d) => d === n.delivery_failed) ?? 'first',
    targetChanges: n.target_changes ?? true,
    signatureInvalid: n.signature_invalid ?? true,
    windowS: text(n.window_s ?? 10),
  };
}

const whole = (s: string) => /^\s*\d+\s*$/.test(s);

export function validate(f: SettingsForm): Record<string, string> {
  const errors: Record<string, string> = {};
  const limit = (key: keyof SettingsForm, what: string) => {
    const v = f[key] as string;
    if (v.trim() !== '' && (!whole(v) || Number(v) < 1)) errors[key] = `${what}: a whole number from 1, or empty for no limit`;
  };
  limit('maxRequests', 'Requests');
  limit('maxAgeDays', 'Days');
  limit('maxTotalMib', 'MiB');
  if (!whole(f.windowS)) errors.windowS = 'Whole seconds (0 shows every notification on its own)';
  return errors;
}

const limitValue = (s: string) => (s.trim() === '' ? null : Number(s));

export function toPatch(f: SettingsForm): Settings {
  return {
    retention: { max_requests: limitValue(f.maxRequests), max_age_days: limitValue(f.maxAgeDays), max_total_mib: limitValue(f.maxTotalMib) },
    allow_remote_targets: f.allowRemote,
    notifications: {
      delivery_failed: f.deliveryFailed,
      target_changes: f.targetChanges,
      signature_invalid: f.signatureInvalid,
      window_s: Number(f.windowS),
    },
  };
}
