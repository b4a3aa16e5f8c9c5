// The request list's filter: what the URL holds, what the API gets, and whether a live
// request matches it (so the list can add it without asking the server again).
import type { RequestJson, RequestQuery } from './api';

export const FILTER_KEYS = ['q', 'endpoint', 'method', 'provider', 'event_type', 'signature', 'tag', 'pinned', 'delivery', 'since', 'until'] as const;
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
  const { pinned, ...rest } = f;
  return { ...rest, ...(pinned ? { pinned: pinned === 'true' } : {}) };
}

/** RFC 3339 or µs since the epoch, as µs; null when neither. */
export function parseTime(s: string): number | null {
  if (/^\d+$/.test(s)) return Number(s);
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? null : ms * 1000;
}

/** SQLite GLOB (`*`, `?`, `[…]`, case-sensitive) as a regular expression. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let set = glob.slice(i + 1, end);
        if (set.startsWith('^')) set = '^' + set.slice(1).replace(/\\/g, '\\\\');
        else set = set.replace(/\\/g, '\\\\');
        re += `[${set}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

/**
 * Whether a request matches the filter, as the server would judge it; `null` when only the
 * server can tell (full-text search).
 */
export function matches(f: Filter, r: RequestJson): boolean | null {
  if (f.endpoint) {
    const e = f.endpoint;
    const ok = e.toLowerCase() === 'default' ? r.endpoint_id == null : r.endpoint === e || r.endpoint_id === e;
    if (!ok) return false;
  }
  if (f.method && r.method !== f.method.toUpperCase()) return false;
  if (f.provider && r.provider !== f.provider.toLowerCase()) return false;
  if (f.event_type && !(r.event_type != null && globToRegExp(f.event_type).test(r.event_type))) return false;
  if (f.signature && r.signature?.status !== f.signature.toLowerCase()) return false;
  if (f.tag && !r.tags.includes(f.tag)) return false;
  if (f.pinned && r.pinned !== (f.pinned === 'true')) return false;
  if (f.delivery && (r.delivery ?? 'none') !== f.delivery) return false;
  if (f.since) {
    const t = parseTime(f.since);
    if (t !== null && r.received_at_us < t) return false;
  }
  if (f.until) {
    const t = parseTime(f.until);
    if (t !== null && r.received_at_us >= t) return false;
  }
  return f.q ? null : true;
}
