// The request list's filter: what the URL holds, what the API gets, and whether a live
// request matches it (so the list can add it without asking the server again).
import type { RequestJson, RequestQuery } from './api';

export const FILTER_KEYS = ['q', 'endpoint', 'method', 'provider', 'event_type', 'signature', 'tag', 'pinned', 'delivery', 'duplicate', 'since', 'until'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filter = Partial<Record<FilterKey, string>>;

/** The filter in a URL's query string (unknown parameters ignored, empty ones dropped). */
export function filterFromQuery(q: URLSearchParams): Filter {
  const f: Filter = {};
  for (const k of FILTER_KEYS) {
    const v = q.get(k)?.trim();
    if (v) f[k] = v;
  }
  return f;
}

export function isEmpty(f: Filter): boolean {
  return FILTER_KEYS.every((k) => !f[k]);
}

/** The filter as API list parameters. */
export function toQuery(f: Filter): RequestQuery {
  const { pinned, duplicate, ...rest } = f;
  return {
    ...rest,
    ...(pinned ? { pinned: pinned === 'true' } : {}),
    ...(duplicate ? { duplicate: duplicate === 'true' } : {}),
  };
}

/**
 * `since`/`until` as µs since the epoch, read as the list API reads them: an integer (µs), or
 * RFC 3339 in UTC, weakly (a space for the `T`, no offset meaning UTC, `Z` or `+00:00`);
 * null for anything the API refuses.
 */
export function parseTime(s: string): number | null {
  if (/^[+-]?\d+$/.test(s)) {
    const us = BigInt(s);
    return us >= -(2n ** 63n) && us < 2n ** 63n ? Number(us) : null;
  }
  return rfc3339Weak(new TextEncoder().encode(s));
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** `YYYY-MM-DD[T ]hh:mm:ss[.fraction][Z|+00:00]`, byte by byte as the API's parser goes. */
function rfc3339Weak(b: Uint8Array): number | null {
  const char = (i: number) => String.fromCharCode(b[i]);
  if (b.length < 19 || char(4) !== '-' || char(7) !== '-' || !'T '.includes(char(10)) || char(13) !== ':' || char(16) !== ':') {
    return null;
  }
  const number = (from: number, to: number) => {
    let n = 0;
    for (let i = from; i < to; i++) {
      if (b[i] < 48 || b[i] > 57) return NaN;
      n = n * 10 + b[i] - 48;
    }
    return n;
  };
  const [year, month, day, hour, minute, second] = [number(0, 4), number(5, 7), number(8, 10), number(11, 13), number(14, 16), number(17, 19)];
  if ([year, month, day, hour, minute, second].some(Number.isNaN)) return null;
  if (year < 1970 || hour > 23 || minute > 59 || second > 60 || month < 1 || month > 12) return null;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day === 0 || day > DAYS_IN_MONTH[month - 1] + (leap && month === 2 ? 1 : 0)) return null;
  let micros = 0;
  const utc = (i: number) => String.fromCharCode(...b.slice(i)) === '+00:00';
  if (char(19) === '.') {
    // Digits past the sixth are below a microsecond: the API drops them, but they must be digits.
    let unit = 100_000;
    for (let i = 20; i < b.length; i++) {
      if (char(i) === 'Z' && i === b.length - 1) break;
      if (char(i) === '+' && i === b.length - 6) break;
      if (b[i] < 48 || b[i] > 57) return null;
      micros += unit * (b[i] - 48);
      unit = Math.floor(unit / 10);
    }
  } else if (b.length !== 19 && (b.length > 25 || (char(19) !== 'Z' && !utc(19)))) {
    return null;
  }
  return Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59)) * 1000 + micros;
}

/**
 * Whether `text` matches the SQLite GLOB `glob`, as the store's event type filter does: `*`
 * any run of characters, `?` one character, `[…]` one of a set (`^` negates, `a-z` a range, a
 * `]` first is literal), case-sensitive, by Unicode character. An unclosed `[` matches nothing.
 */
export function globMatches(glob: string, text: string): boolean {
  return globAt([...glob], 0, [...text], 0);
}

function globAt(p: string[], pi: number, s: string[], si: number): boolean {
  while (pi < p.length) {
    const c = p[pi++];
    if (c === '*') {
      while (pi < p.length && (p[pi] === '*' || p[pi] === '?')) {
        if (p[pi++] === '?' && si++ >= s.length) return false;
      }
      if (pi === p.length) return true;
      for (let from = si; from < s.length; from++) if (globAt(p, pi, s, from)) return true;
      return false;
    }
    if (si >= s.length) return false;
    if (c === '?') {
      si++;
    } else if (c === '[') {
      const end = setEnd(p, pi);
      if (end < 0 || !inSet(p.slice(pi, end), s[si])) return false;
      pi = end + 1;
      si++;
    } else if (c === s[si]) {
      si++;
    } else {
      return false;
    }
  }
  return si === s.length;
}

/** Where the set opened before `from` closes; -1 when it never does. */
function setEnd(p: string[], from: number): number {
  let i = from;
  if (p[i] === '^') i++;
  if (p[i] === ']') i++;
  while (i < p.length && p[i] !== ']') i++;
  return i < p.length ? i : -1;
}

function inSet(set: string[], c: string): boolean {
  let i = 0;
  const invert = set[0] === '^';
  if (invert) i++;
  let seen = false;
  if (set[i] === ']') {
    seen = c === ']';
    i++;
  }
  let prior = '';
  for (; i < set.length; i++) {
    if (set[i] === '-' && prior && i + 1 < set.length) {
      const high = set[++i];
      if (cp(c) >= cp(prior) && cp(c) <= cp(high)) seen = true;
      prior = '';
    } else {
      if (set[i] === c) seen = true;
      prior = set[i];
    }
  }
  return seen !== invert;
}

const cp = (c: string) => c.codePointAt(0) ?? 0;

/** What only the ASCII letters of `s` become in upper (lower) case, as the store folds them. */
const asciiUpper = (s: string) => s.replace(/[a-z]+/g, (m) => m.toUpperCase());
const asciiLower = (s: string) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

/** Whether a full-text query searches at all: the store ignores words without a letter or digit. */
function searches(q: string): boolean {
  return q.split(/\s+/).some((w) => /[\p{Alphabetic}\p{Nd}\p{Nl}\p{No}]/u.test(w));
}

/**
 * Whether a request matches the filter, as the server would judge it (the shared table
 * tests/fixtures/filters.json holds both to the same answers); `null` when only the server can
 * tell (full-text search).
 */
export function matches(f: Filter, r: RequestJson): boolean | null {
  if (f.endpoint) {
    const e = f.endpoint;
    const ok = asciiLower(e) === 'default' ? r.endpoint_id == null : r.endpoint === e || r.endpoint_id === e;
    if (!ok) return false;
  }
  if (f.method && r.method !== asciiUpper(f.method)) return false;
  if (f.provider && r.provider !== asciiLower(f.provider)) return false;
  if (f.event_type && !(r.event_type != null && globMatches(f.event_type, r.event_type))) return false;
  if (f.signature && r.signature?.status !== asciiLower(f.signature)) return false;
  if (f.tag && !r.tags.includes(f.tag)) return false;
  if (f.pinned && r.pinned !== (f.pinned === 'true')) return false;
  if (f.delivery && (r.delivery ?? 'none') !== f.delivery) return false;
  if (f.duplicate && (r.duplicate_of != null) !== (f.duplicate === 'true')) return false;
  for (const [bound, after] of [[f.since, true], [f.until, false]] as const) {
    if (!bound) continue;
    const t = parseTime(bound);
    // The API refuses a time it cannot read: nothing is listed under such a filter.
    if (t === null || (after ? r.received_at_us < t : r.received_at_us >= t)) return false;
  }
  return f.q && searches(f.q) ? null : true;
}
