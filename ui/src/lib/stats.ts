// The Monitor's pure side: `/api/v1/stats` series as uPlot data (one array per series, aligned
// on the bucket timestamps), numbers for people, the down-period lanes of the timeline, and the
// request-list URL a clicked bucket or a selected range stands for. Tested in stats.test.ts.
import type { AlignedData } from 'uplot';
import type { Stats, StatsPeriod } from './api';
import { millis } from './format';
import { href } from './url';

export const WINDOWS = ['15m', '1h', '24h', '7d'] as const;
export type StatsWindow = (typeof WINDOWS)[number];

/** The window a URL asks for (`?window=24h`); the API's default, `1h`, otherwise. */
export function windowFrom(query: string | null): StatsWindow {
  return (WINDOWS as readonly string[]).includes(query ?? '') ? (query as StatsWindow) : '1h';
}

/** A line of a chart. `color` is a CSS colour or a custom property (`--good`) the chart resolves. */
export interface SeriesDef {
  label: string;
  color: string;
  dash?: number[];
  /** Draw every value as a dot: for series with gaps, where a lone value has no line. */
  points?: boolean;
  /** What the legend shows while the cursor is not over the chart (a total over the window). */
  summary: string;
}

export interface ChartData {
  series: SeriesDef[];
  /** `[timestamps, ...one array per series]`, as uPlot takes it. */
  data: AlignedData;
}

/** Hues that read on both the light and the dark background. */
export const PALETTE = ['#3b82f6', '#f59e0b', '#a855f7', '#06b6d4', '#ec4899', '#84cc16', '#f97316', '#14b8a6'];

export function colorFor(i: number): string {
  return PALETTE[i % PALETTE.length];
}

/** A count per bucket of `step` seconds, as a rate per minute. */
export function perMinute(count: number, step: number): number {
  return (count * 60) / step;
}

/** "12", "1.5", "0.07": a rate or count with no more digits than it needs. */
export function num(v: number): string {
  if (v === 0 || Math.abs(v) >= 100) return String(Math.round(v));
  if (Math.abs(v) >= 10) return String(Math.round(v * 10) / 10);
  return String(Number(v.toPrecision(2)));
}

/** A latency percentile: "—" where nothing was measured, else "0.4 ms", "12 ms", "1.2 s". */
export function ms(v: number | null | undefined): string {
  if (v == null) return '—';
  return v === 0 ? '0 ms' : millis(v);
}

const plural = (n: number, one: string, many = one + 's') => `${n} ${n === 1 ? one : many}`;

/**
 * Incoming requests per minute, one line per endpoint, by name (the API ranks them by total,
 * which changes under traffic; a stable order keeps each endpoint's colour and the chart).
 */
export function incomingChart(s: Stats): ChartData {
  const incoming = [...s.incoming].sort((a, b) => a.label.localeCompare(b.label));
  return {
    series: incoming.map((c, i) => ({ label: c.label, color: colorFor(i), summary: plural(c.total, 'request') })),
    data: [s.timestamps, ...incoming.map((c) => c.counts.map((n) => perMinute(n, s.step)))],
  };
}

/**
 * Delivery attempts per minute by target and outcome. With one target, green and red; with
 * several, each target its own hue, failures dashed.
 */
export function deliveryChart(s: Stats): ChartData {
  const one = s.deliveries.length === 1;
  const series: SeriesDef[] = [];
  const data: (number | null)[][] = [];
  s.deliveries.forEach((d, i) => {
    const ok = d.succeeded.reduce((a, b) => a + b, 0);
    const failed = d.failed.reduce((a, b) => a + b, 0);
    const share = ok + failed > 0 ? ` (${Math.round((failed * 100) / (ok + failed))} %)` : '';
    series.push({ label: `${d.target} ok`, color: one ? '--good' : colorFor(i), summary: plural(ok, 'attempt') });
    series.push({
      label: `${d.target} failed`,
      color: one ? '--bad' : colorFor(i),
      dash: one ? undefined : [6, 4],
      summary: plural(failed, 'attempt') + share,
    });
    data.push(d.succeeded.map((n) => perMinute(n, s.step)), d.failed.map((n) => perMinute(n, s.step)));
  });
  return { series, data: [s.timestamps, ...data] };
}

/** Attempt latency p50 (solid), p95 (dashed) and p99 (dotted) in ms, one hue per target. */
export function latencyChart(s: Stats): ChartData {
  const series: SeriesDef[] = [];
  const data: (number | null)[][] = [];
  s.latency.forEach((l, i) => {
    const color = colorFor(i);
    series.push(
      { label: `${l.target} p50`, color, points: true, summary: ms(l.window_p50_ms) },
      { label: `${l.target} p95`, color, dash: [6, 3], points: true, summary: ms(l.window_p95_ms) },
      { label: `${l.target} p99`, color, dash: [2, 3], points: true, summary: ms(l.window_p99_ms) },
    );
    data.push(l.p50_ms, l.p95_ms, l.p99_ms);
  });
  return { series, data: [s.timestamps, ...data] };
}

/** Deliveries waiting for an attempt or a retry (the largest sample per bucket). */
export function backlogChart(s: Stats): ChartData {
  const last = [...s.retry_backlog].reverse().find((v) => v != null);
  return {
    series: [{ label: 'waiting deliveries', color: '--warn', points: true, summary: last == null ? '—' : `${last} now` }],
    data: [s.timestamps, s.retry_backlog],
  };
}

/** What decides whether a chart can be updated in place (same lines) or must be built anew. */
export function seriesKey(c: ChartData): string {
  return JSON.stringify(c.series.map((s) => [s.label, s.color, s.dash ?? null, s.points ?? false]));
}

/** Whether the window holds nothing to draw: no request, attempt, backlog or down period. */
export function isEmpty(s: Stats): boolean {
  return (
    s.incoming.length === 0 &&
    s.deliveries.length === 0 &&
    s.latency.length === 0 &&
    s.periods.length === 0 &&
    s.retry_backlog.every((v) => v == null || v === 0)
  );
}

/** The window's span in Unix seconds: from its first bucket's start to its last one's end. */
export function windowSpan(s: Stats): { from: number; to: number } {
  const from = s.timestamps[0] ?? 0;
  const last = s.timestamps[s.timestamps.length - 1] ?? from;
  return { from, to: last + s.step };
}

export interface Segment {
  /** Unix seconds, clipped to the window. */
  from: number;
  to: number;
  /** Still down (no end yet). */
  open: boolean;
  reason: string;
  /** Position and width in % of the window, for drawing (a short blip stays visible). */
  left: number;
  width: number;
}

export interface Lane {
  key: string;
  kind: string;
  subject: string;
  title: string;
  segments: Segment[];
}

/** At least this much of the lane's width, so a one-second outage can be seen and clicked. */
export const MIN_WIDTH_PCT = 0.4;

/**
 * Down periods as timeline lanes: the tunnel's first, then one per target, each period
 * clipped to the window [`from`, `to`) and an open one drawn up to `now`.
 */
export function downLanes(periods: StatsPeriod[], from: number, to: number, now: number): Lane[] {
  const lanes = new Map<string, Lane>();
  const span = Math.max(1, to - from);
  for (const p of periods) {
    const start = Math.max(from, p.from);
    const end = Math.min(to, p.to ?? Math.max(now, p.from));
    if (end < start) continue;
    const key = `${p.kind}\u0000${p.subject}`;
    let lane = lanes.get(key);
    if (!lane) {
      const title =
        p.kind === 'tunnel_down' ? `tunnel (${p.subject})` : p.kind === 'relay_down' ? `relay (${p.subject})` : p.subject;
      lane = { key, kind: p.kind, subject: p.subject, title, segments: [] };
      lanes.set(key, lane);
    }
    const left = ((start - from) / span) * 100;
    lane.segments.push({
      from: start,
      to: end,
      open: p.to == null,
      reason: p.reason,
      left,
      width: Math.min(100 - left, Math.max(MIN_WIDTH_PCT, ((end - start) / span) * 100)),
    });
  }
  const order = (l: Lane) => (l.kind === 'target_down' ? 1 : 0);
  return [...lanes.values()].sort((a, b) => order(a) - order(b) || a.subject.localeCompare(b.subject));
}

/** A time range of the request list, in Unix seconds: `since` inclusive, `until` exclusive. */
export interface TimeRange {
  since: number;
  until: number;
}

/** The bucket at `idx`. */
export function bucketRange(timestamps: ArrayLike<number>, step: number, idx: number | null | undefined): TimeRange | null {
  if (idx == null || idx < 0 || idx >= timestamps.length) return null;
  return { since: timestamps[idx], until: timestamps[idx] + step };
}

/**
 * A selected stretch of the x axis (seconds) as whole buckets of `step` seconds: every bucket
 * whose point (drawn at the bucket's start) or time lies in it, the one under either end included.
 */
export function selectionRange(from: number, to: number, step: number): TimeRange {
  const [a, b] = from <= to ? [from, to] : [to, from];
  return { since: Math.floor(a / step) * step, until: Math.floor(b / step) * step + step };
}

/** A period's range: whole seconds around it, up to `now` while it lasts. */
export function periodRange(seg: Pick<Segment, 'from' | 'to'>): TimeRange {
  const since = Math.floor(seg.from);
  return { since, until: Math.max(since + 1, Math.ceil(seg.to)) };
}

/** Unix seconds as RFC 3339 in UTC without fractions: "2026-11-28T18:05:00Z". */
export function rfc3339(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The request list filtered to a range (`/requests?since=…&until=…`, the list API's own parameters). */
export function requestsUrl(r: TimeRange): string {
  return href(['requests'], { since: rfc3339(r.since), until: rfc3339(r.until) });
}

/** Milliseconds until the bucket in progress ends (then the charts move on by one). */
export function msToNextBucket(nowMs: number, step: number): number {
  const stepMs = step * 1000;
  return stepMs - (nowMs % stepMs);
}
