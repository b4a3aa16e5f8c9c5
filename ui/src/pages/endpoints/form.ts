// The endpoint editor's model: a flat, string-valued form the inputs bind to, converted from
// and to the API's `EndpointSpec`, and checked with messages a person can act on before it is
// sent (the engine checks again and its `error.message` is shown as is). Pure, tested in
// form.test.ts.
import type { Endpoint, EndpointSpec, ForwardTarget, SignatureScheme } from '../../lib/api';
import { newVerifyToken, type Preset } from '../../lib/presets';
import { SCHEME_INFO } from '../../lib/schemes';

export interface Pair {
  name: string;
  value: string;
}

/** A secret as the form holds it: one the API returned (masked, sent back as is to keep it) or a new one. */
export interface SecretField {
  value: string;
  kept: boolean;
}

export interface TargetForm {
  url: string;
  path: 'keep' | 'fixed';
  headers: Pair[];
  resign: boolean;
  resignScheme: SignatureScheme;
  resignSecret: SecretField;
  resignHeader: string;
}

export interface EndpointForm {
  name: string;
  path: string;
  publicUrl: string;
  status: string;
  headers: Pair[];
  body: string;
  delay: string;
  relay: boolean;
  relayTimeout: string;
  forward: TargetForm[];
  /** Forward repeated deliveries of an event too. */
  forwardDuplicates: boolean;
  signature: boolean;
  scheme: SignatureScheme;
  secrets: SecretField[];
  signatureHeader: string;
  tolerance: string;
  /** Meta's verify token. */
  verifyToken: SecretField;
  answerHandshakes: boolean;
  customRetry: boolean;
  retry: string[];
  attemptTimeout: string;
}

/** The engine's retry schedule when an endpoint has none of its own (1 s … 15 min, 12 retries). */
export const DEFAULT_SCHEDULE_MS = [1, 2, 5, 10, 30, 60, 120, 300, 600, 900, 900, 900].map((s) => s * 1000);
const MAX_DELAY_MS = 30_000;

/** 30000 → "30s", 90000 → "90s", 60000 → "1m", 1500 → "1500ms". */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** "30s", "5m", "1.5s", "250ms", "1h" or a bare number of seconds → milliseconds; null when unreadable. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000;
  return Math.round(n * factor);
}

const newTarget = (): TargetForm => ({
  url: '',
  path: 'keep',
  headers: [],
  resign: false,
  resignScheme: 'stripe',
  resignSecret: { value: '', kept: false },
  resignHeader: '',
});
export { newTarget };

export function emptyForm(): EndpointForm {
  return {
    name: '',
    path: '/',
    publicUrl: '',
    status: '200',
    headers: [],
    body: '',
    delay: '0',
    relay: false,
    relayTimeout: '10000',
    forward: [],
    forwardDuplicates: true,
    signature: false,
    scheme: 'stripe',
    secrets: [{ value: '', kept: false }],
    signatureHeader: '',
    tolerance: '300',
    verifyToken: { value: '', kept: false },
    answerHandshakes: true,
    customRetry: false,
    retry: DEFAULT_SCHEDULE_MS.map(formatDuration),
    attemptTimeout: '30s',
  };
}

const pairs = (list: string[][] | undefined): Pair[] => (list ?? []).map(([name, value]) => ({ name: name ?? '', value: value ?? '' }));

/** A new endpoint for a provider: its name, path and scheme, a secret to fill in, and for Meta a fresh verify token. */
export function presetForm(p: Preset, random?: (bytes: Uint8Array) => Uint8Array): EndpointForm {
  const form = emptyForm();
  form.name = p.name;
  form.path = p.path;
  form.signature = true;
  form.scheme = p.scheme;
  if (p.scheme === 'meta') form.verifyToken = { value: newVerifyToken(random), kept: false };
  return form;
}

/** The form for a stored endpoint; its secrets arrive masked and are kept that way. */
export function toForm(e: Endpoint): EndpointForm {
  const form = emptyForm();
  form.name = e.name;
  form.path = e.path;
  form.publicUrl = e.public_url ?? '';
  form.status = String(e.response.status ?? 200);
  form.headers = pairs(e.response.headers);
  form.body = e.response.body ?? '';
  form.delay = String(e.response.delay_ms ?? 0);
  if (e.relay) {
    form.relay = true;
    form.relayTimeout = String(e.relay.timeout_ms ?? 10000);
  }
  form.forward = e.forward.map((t) => ({
    url: t.url,
    path: t.path ?? 'keep',
    headers: pairs(t.headers),
    resign: !!t.resign,
    resignScheme: t.resign?.scheme ?? 'stripe',
    resignSecret: { value: t.resign?.secret ?? '', kept: !!t.resign },
    resignHeader: t.resign?.header ?? '',
  }));
  form.forwardDuplicates = e.forward_duplicates ?? true;
  form.answerHandshakes = e.answer_handshakes ?? true;
  if (e.signature) {
    form.signature = true;
    form.scheme = e.signature.scheme;
    form.secrets = e.signature.secrets.map((value) => ({ value, kept: true }));
    form.signatureHeader = e.signature.header ?? '';
    form.tolerance = String(e.signature.tolerance_s ?? 300);
    if (e.signature.verify_token) form.verifyToken = { value: e.signature.verify_token, kept: true };
  }
  if (e.retry) {
    form.customRetry = true;
    form.retry = (e.retry.schedule_ms ?? DEFAULT_SCHEDULE_MS).map(formatDuration);
    form.attemptTimeout = formatDuration(e.retry.timeout_ms ?? 30_000);
  }
  return form;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const isInt = (s: string) => /^\s*\d+\s*$/.test(s);

/** Problems with the form, by field key (`path`, `forward.0.url`, `retry.2`…); empty when it can be sent. */
export function validate(f: EndpointForm): Record<string, string> {
  const errors: Record<string, string> = {};
  const name = f.name.trim();
  if (!name) errors.name = 'Give the endpoint a name, e.g. stripe';
  else if (name.length > 64) errors.name = 'At most 64 characters';
  else if (name.toLowerCase() === 'default') errors.name = '“default” is reserved for requests outside any endpoint';

  const path = f.path.trim().replace(/\/+$/, '');
  if (!path.startsWith('/') || path.length < 2) errors.path = 'Start with / and name at least one segment, e.g. /stripe';
  else if (path.includes('//') || /[\s?#]/.test(path)) errors.path = 'No empty segments, spaces, ? or #';

  const publicUrl = f.publicUrl.trim();
  if (publicUrl && !/^https?:\/\/[^/\s]+\S*$/.test(publicUrl))
    errors.publicUrl = 'The full http:// or https:// URL the provider calls, e.g. https://hooks.example.com/twilio';

  if (!isInt(f.status) || Number(f.status) < 100 || Number(f.status) > 599) errors.status = 'An HTTP status from 100 to 599';
  if (!isInt(f.delay) || Number(f.delay) > MAX_DELAY_MS) errors.delay = 'Milliseconds, 0 to 30000';
  checkHeaders(f.headers, 'headers', errors);

  if (f.relay) {
    if (!isInt(f.relayTimeout) || Number(f.relayTimeout) < 1 || Number(f.relayTimeout) > MAX_DELAY_MS)
      errors.relayTimeout = 'Milliseconds, 1 to 30000';
    if (f.forward.length === 0) errors.relay = 'Relay mode answers with a forward target’s reply: add a target below';
  }

  f.forward.forEach((t, i) => {
    const key = `forward.${i}`;
    let ok = false;
    try {
      const u = new URL(t.url.trim());
      ok = (u.protocol === 'http:' || u.protocol === 'https:') && !!u.hostname;
    } catch {
      ok = false;
    }
    if (!ok) errors[`${key}.url`] = 'An http:// or https:// URL, e.g. http://localhost:3000/webhooks';
    checkHeaders(t.headers, `${key}.headers`, errors);
    if (t.resign) {
      const why = SCHEME_INFO[t.resignScheme].noResign;
      if (why) errors[`${key}.resignScheme`] = why;
      if (!t.resignSecret.value) errors[`${key}.resignSecret`] = 'The secret your service checks signatures with';
      if (t.resignScheme === 'hmac-sha256' && !TOKEN.test(t.resignHeader.trim()))
        errors[`${key}.resignHeader`] = 'hmac-sha256 needs the header to put the signature in, e.g. X-Signature';
    }
  });

  if (f.signature) {
    if (f.secrets.length === 0 || f.secrets.some((s) => !s.value)) errors.secrets = 'Every secret needs a value (remove empty ones)';
    if (f.scheme === 'hmac-sha256' && !TOKEN.test(f.signatureHeader.trim()))
      errors.signatureHeader = 'hmac-sha256 needs the header carrying the signature, e.g. X-Signature';
    if (!isInt(f.tolerance) || Number(f.tolerance) < 1) errors.tolerance = 'Whole seconds, at least 1';
    if (f.scheme === 'meta' && !f.verifyToken.value.trim())
      errors.verifyToken = 'The verify token you type into Meta’s dashboard next to the callback URL';
  }

  if (f.customRetry) {
    if (f.retry.length > 100) errors.retry = 'At most 100 retries';
    f.retry.forEach((d, i) => {
      const ms = parseDuration(d);
      if (ms === null) errors[`retry.${i}`] = 'A duration such as 30s, 5m, 1h or 500ms';
      else if (ms > 24 * 3_600_000) errors[`retry.${i}`] = 'At most 24h';
    });
    const t = parseDuration(f.attemptTimeout);
    if (t === null || t < 1 || t > 600_000) errors.attemptTimeout = 'A duration from 1ms to 10m, e.g. 30s';
  }
  return errors;
}

function checkHeaders(list: Pair[], key: string, errors: Record<string, string>) {
  list.forEach((h, i) => {
    if (!TOKEN.test(h.name.trim())) errors[`${key}.${i}`] = `“${h.name}” is not a valid header name`;
    else if (/[\r\n]/.test(h.value)) errors[`${key}.${i}`] = 'A header value cannot contain line breaks';
  });
}

const toPairs = (list: Pair[]): [string, string][] => list.map((h) => [h.name.trim(), h.value]);

/**
 * The spec to send. Absent parts are `null`, so the same object serves as a JSON merge patch
 * (PATCH) that removes what the form turned off; masked secrets are sent back unchanged, which
 * the engine reads as "keep this one".
 */
export function toSpec(f: EndpointForm): EndpointSpec {
  const forward: ForwardTarget[] = f.forward.map((t) => ({
    url: t.url.trim(),
    path: t.path,
    headers: toPairs(t.headers),
    resign: t.resign
      ? { scheme: t.resignScheme, secret: t.resignSecret.value, header: t.resignScheme === 'hmac-sha256' ? t.resignHeader.trim() : null }
      : null,
  }));
  return {
    name: f.name.trim(),
    path: f.path.trim().replace(/\/+$/, ''),
    public_url: f.publicUrl.trim() || null,
    response: {
      status: Number(f.status),
      headers: toPairs(f.headers),
      body: f.body === '' ? null : f.body,
      delay_ms: Number(f.delay),
    },
    relay: f.relay ? { timeout_ms: Number(f.relayTimeout) } : null,
    forward,
    forward_duplicates: f.forwardDuplicates,
    answer_handshakes: f.answerHandshakes,
    signature: f.signature
      ? {
          scheme: f.scheme,
          secrets: f.secrets.map((s) => s.value),
          header: f.scheme === 'hmac-sha256' ? f.signatureHeader.trim() : null,
          tolerance_s: Number(f.tolerance),
          verify_token: f.scheme === 'meta' ? f.verifyToken.value.trim() : null,
        }
      : null,
    retry: f.customRetry
      ? { schedule_ms: f.retry.map((d) => parseDuration(d) ?? 0), timeout_ms: parseDuration(f.attemptTimeout) ?? 30_000 }
      : null,
  };
}

/** One line about what an endpoint does, for the list. */
export function summary(e: Endpoint): string {
  const parts = [`answers ${e.response.status ?? 200}`];
  if (e.relay) parts.push(`relays (${e.relay.timeout_ms ?? 10000} ms)`);
  if (e.forward.length) parts.push(`forwards to ${e.forward.map((t) => t.url).join(', ')}`);
  if (e.signature) parts.push(`checks ${e.signature.scheme} signatures (${e.signature.secrets.length} secret${e.signature.secrets.length === 1 ? '' : 's'})`);
  if (e.retry) parts.push(`${(e.retry.schedule_ms ?? []).length} retries`);
  if (e.forward_duplicates === false) parts.push('repeats not forwarded');
  if (e.answer_handshakes === false) parts.push('handshakes left to the service');
  return parts.join(' · ');
}
