import { describe, expect, test } from 'vitest';
import type { Stats } from './api';
import {
  backlogChart,
  bucketRange,
  deliveryChart,
  downLanes,
  incomingChart,
  isEmpty,
  latencyChart,
  MIN_WIDTH_PCT,
  ms,
  msToNextBucket,
  num,
  periodRange,
  perMinute,
  requestsUrl,
  rfc3339,
  selectionRange,
  seriesKey,
  windowFrom,
  windowSpan,
} from './stats';

// 2026-11-28T18:00:00Z
const T0 = 1_795_888_800;

/** A 24h-style answer shrunk to three 15-minute buckets. */
function stats(over: Partial<Stats> = {}): Stats {
  return {
    window: '24h',
    step: 900,
    timestamps: [T0, T0 + 900, T0 + 1800],
    incoming: [],
    refused: [],
    deliveries: [],
    latency: [],
    retry_backlog: [null, null, null],
    periods: [],
    recording: true,
    ...over,
  };
}

test('the window comes from the URL, 1h otherwise', () => {
  expect(windowFrom('7d')).toBe('7d');
  expect(windowFrom('15m')).toBe('15m');
  expect(windowFrom(null)).toBe('1h');
  expect(windowFrom('2h')).toBe('1h');
});

test('numbers for people', () => {
  expect(perMinute(30, 900)).toBe(2);
  expect(perMinute(5, 60)).toBe(5);
  expect(num(0)).toBe('0');
  expect(num(2)).toBe('2');
  expect(num(1 / 15)).toBe('0.067');
  expect(num(12.34)).toBe('12.3');
  expect(num(345.6)).toBe('346');
  expect(ms(null)).toBe('—');
  expect(ms(undefined)).toBe('—');
  expect(ms(0)).toBe('0 ms');
  expect(ms(0.42)).toBe('0.4 ms');
  expect(ms(48.6)).toBe('49 ms');
  expect(ms(1520)).toBe('1.5 s');
});

test('incoming: one line per endpoint, counts as a rate per minute, totals in the legend', () => {
  const c = incomingChart(
    stats({
      incoming: [
        { label: 'shop', total: 45, counts: [0, 15, 30] },
        { label: 'default', total: 3, counts: [3, 0, 0] },
      ],
    }),
  );
  expect(c.series.map((s) => [s.label, s.summary])).toEqual([
    ['default', '3 requests'],
    ['shop', '45 requests'],
  ]);
  expect(c.data).toEqual([
    [T0, T0 + 900, T0 + 1800],
    [0.2, 0, 0],
    [0, 1, 2],
  ]);
  expect(c.series[0].color).not.toBe(c.series[1].color);
  expect(c.series.some((s) => s.points)).toBe(false);
});

test('deliveries: ok and failed per target, the failed share in the legend', () => {
  const one = deliveryChart(
    stats({ step: 60, deliveries: [{ target: 'http://127.0.0.1:3000', succeeded: [2, 0, 6], failed: [1, 0, 3] }] }),
  );
  expect(one.series.map((s) => [s.label, s.color, s.summary])).toEqual([
    ['http://127.0.0.1:3000 ok', '--good', '8 attempts'],
    ['http://127.0.0.1:3000 failed', '--bad', '4 attempts (33 %)'],
  ]);
  expect(one.data.slice(1)).toEqual([
    [2, 0, 6],
    [1, 0, 3],
  ]);

  const two = deliveryChart(
    stats({
      deliveries: [
        { target: 'http://a', succeeded: [1, 0, 0], failed: [0, 0, 0] },
        { target: 'http://b', succeeded: [0, 0, 0], failed: [0, 0, 1] },
      ],
    }),
  );
  expect(two.series.map((s) => s.summary)).toEqual(['1 attempt', '0 attempts (0 %)', '0 attempts', '1 attempt (100 %)']);
  // Several targets: a hue each, the failures dashed.
  expect(two.series[0].color).toBe(two.series[1].color);
  expect(two.series[0].color).not.toBe(two.series[2].color);
  expect(two.series[1].dash).toBeDefined();
  expect(two.series[0].dash).toBeUndefined();
});

test('latency: p50/p95/p99 per target, gaps kept, window percentiles in the legend', () => {
  const c = latencyChart(
    stats({
      latency: [
        {
          target: 'http://t',
          p50_ms: [null, 12, 14],
          p95_ms: [null, 40, 45],
          p99_ms: [null, 90, 95.5],
          attempts: [0, 10, 10],
          window_p50_ms: 13,
          window_p95_ms: 44,
          window_p99_ms: null,
        },
      ],
    }),
  );
  expect(c.series.map((s) => [s.label, s.summary])).toEqual([
    ['http://t p50', '13 ms'],
    ['http://t p95', '44 ms'],
    ['http://t p99', '—'],
  ]);
  expect(c.data[1]).toEqual([null, 12, 14]);
  expect(c.data[3]).toEqual([null, 90, 95.5]);
  expect(new Set(c.series.map((s) => JSON.stringify(s.dash))).size).toBe(3);
  // A lone measured bucket between gaps has no line: dots show it.
  expect(c.series.every((s) => s.points)).toBe(true);
});

test('backlog: the latest sample in the legend', () => {
  expect(backlogChart(stats({ retry_backlog: [4, 2, null] })).series[0].summary).toBe('2 now');
  expect(backlogChart(stats()).series[0].summary).toBe('—');
  expect(backlogChart(stats({ retry_backlog: [4, 2, null] })).data[1]).toEqual([4, 2, null]);
});

test('a chart is rebuilt only when its lines change, not when their values do', () => {
  const a = incomingChart(stats({ incoming: [{ label: 'shop', total: 1, counts: [0, 0, 1] }] }));
  const b = incomingChart(stats({ incoming: [{ label: 'shop', total: 9, counts: [4, 4, 1] }] }));
  const c = incomingChart(
    stats({
      incoming: [
        { label: 'shop', total: 9, counts: [4, 4, 1] },
        { label: 'github', total: 1, counts: [0, 0, 1] },
      ],
    }),
  );
  expect(seriesKey(a)).toBe(seriesKey(b));
  expect(seriesKey(a)).not.toBe(seriesKey(c));
  // The API ranks endpoints by total; another ranking is the same chart.
  const d = incomingChart(
    stats({
      incoming: [
        { label: 'github', total: 20, counts: [0, 0, 20] },
        { label: 'shop', total: 9, counts: [4, 4, 1] },
      ],
    }),
  );
  expect(seriesKey(d)).toBe(seriesKey(c));
});

test('empty: nothing received, attempted, waiting or down', () => {
  expect(isEmpty(stats())).toBe(true);
  expect(isEmpty(stats({ retry_backlog: [0, 0, null] }))).toBe(true);
  expect(isEmpty(stats({ retry_backlog: [0, 1, null] }))).toBe(false);
  expect(isEmpty(stats({ incoming: [{ label: 'x', total: 1, counts: [1, 0, 0] }] }))).toBe(false);
  expect(isEmpty(stats({ periods: [{ kind: 'tunnel_down', subject: 'bore', from: T0, to: null, reason: 'r' }] }))).toBe(false);
});

describe('down-period lanes', () => {
  const from = T0;
  const to = T0 + 1000;
  const now = T0 + 900;

  test('the tunnel first, then targets by name; clipped to the window; an open period runs to now', () => {
    const lanes = downLanes(
      [
        { kind: 'target_down', subject: 'http://b', from: T0 - 500, to: T0 + 100, reason: 'refused' },
        { kind: 'target_down', subject: 'http://a', from: T0 + 200, to: T0 + 300, reason: '503' },
        { kind: 'tunnel_down', subject: 'bore', from: T0 + 500, to: null, reason: 'offline' },
        { kind: 'target_down', subject: 'http://b', from: T0 + 600, to: T0 + 650, reason: 'timeout' },
      ],
      from,
      to,
      now,
    );
    expect(lanes.map((l) => l.title)).toEqual(['tunnel (bore)', 'http://a', 'http://b']);
    const [tunnel, a, b] = lanes;
    expect(tunnel.segments).toEqual([{ from: T0 + 500, to: now, open: true, reason: 'offline', left: 50, width: 40 }]);
    expect(a.segments[0]).toMatchObject({ from: T0 + 200, to: T0 + 300, open: false, left: 20, width: 10 });
    expect(b.segments.map((s) => [s.from, s.to, s.reason])).toEqual([
      [T0, T0 + 100, 'refused'],
      [T0 + 600, T0 + 650, 'timeout'],
    ]);
  });

  test('a blip stays visible; a period outside the window is left out', () => {
    const lanes = downLanes(
      [
        { kind: 'target_down', subject: 'http://a', from: T0 + 999.9, to: T0 + 1000, reason: 'r' },
        { kind: 'target_down', subject: 'http://old', from: T0 - 90, to: T0 - 10, reason: 'r' },
      ],
      from,
      to,
      now,
    );
    expect(lanes.map((l) => l.subject)).toEqual(['http://a']);
    const seg = lanes[0].segments[0];
    expect(seg.width).toBeGreaterThan(0);
    expect(seg.left + seg.width).toBeLessThanOrEqual(100);
    expect(downLanes([{ kind: 'target_down', subject: 'x', from: T0 + 10, to: T0 + 10, reason: 'r' }], from, to, now)[0].segments[0].width).toBe(MIN_WIDTH_PCT);
  });
});

test('ranges: a bucket, a selection widened to whole buckets, a period', () => {
  const ts = [T0, T0 + 60, T0 + 120];
  expect(bucketRange(ts, 60, 1)).toEqual({ since: T0 + 60, until: T0 + 120 });
  expect(bucketRange(ts, 60, null)).toBeNull();
  expect(bucketRange(ts, 60, 3)).toBeNull();
  expect(selectionRange(T0 + 70.5, T0 + 130, 60)).toEqual({ since: T0 + 60, until: T0 + 180 });
  expect(selectionRange(T0 + 130, T0 + 70.5, 60)).toEqual({ since: T0 + 60, until: T0 + 180 });
  expect(selectionRange(T0 + 60, T0 + 60, 60)).toEqual({ since: T0 + 60, until: T0 + 120 });
  // Up to the newest point, at the start of the bucket in progress: that bucket is in.
  expect(selectionRange(T0 + 30, T0 + 120, 60)).toEqual({ since: T0, until: T0 + 180 });
  expect(periodRange({ from: T0 + 1.4, to: T0 + 7.2 })).toEqual({ since: T0 + 1, until: T0 + 8 });
  expect(windowSpan(stats())).toEqual({ from: T0, to: T0 + 2700 });
});

test('the request list URL carries the range as RFC 3339, which the list API takes', () => {
  expect(rfc3339(T0)).toBe('2026-11-28T18:00:00Z');
  const url = requestsUrl({ since: T0, until: T0 + 60 });
  expect(url).toBe('/requests?since=2026-11-28T18%3A00%3A00Z&until=2026-11-28T18%3A01%3A00Z');
  const q = new URL(url, 'http://x').searchParams;
  expect(Date.parse(q.get('since')!) / 1000).toBe(T0);
  expect(Date.parse(q.get('until')!) / 1000).toBe(T0 + 60);
});

test('the next refresh is at the end of the bucket in progress', () => {
  expect(msToNextBucket(T0 * 1000, 60)).toBe(60_000);
  expect(msToNextBucket(T0 * 1000 + 59_500, 60)).toBe(500);
});
