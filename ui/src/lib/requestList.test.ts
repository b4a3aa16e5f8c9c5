import { beforeEach, expect, test, vi } from 'vitest';
import type { RequestJson } from './api';

const listRequests = vi.fn();
vi.mock('./api', () => ({ api: { listRequests: (q: unknown) => listRequests(q) } }));
const { RequestList, WINDOW } = await import('./requestList.svelte');

// Frames run on the next macrotask here; `frame()` waits for one.
globalThis.requestAnimationFrame = ((cb: FrameRequestCallback) => setTimeout(() => cb(0), 0)) as unknown as typeof requestAnimationFrame;
globalThis.cancelAnimationFrame = ((id: ReturnType<typeof setTimeout>) => clearTimeout(id)) as unknown as typeof cancelAnimationFrame;
const frame = () => new Promise((r) => setTimeout(r, 0));

// The store's order follows the ids' last character here ('a' < 'b', '01A' < '01B').
const req = (id: string, extra: Partial<RequestJson> = {}) =>
  ({ id, seq: id.charCodeAt(id.length - 1), method: 'POST', path: '/' + id, endpoint: 'default', endpoint_id: null, tags: [], pinned: false, received_at_us: 0, ...extra }) as unknown as RequestJson;
/** Request number `n` in the store's order. */
const nth = (n: number) => req(`r${n}`, { seq: n });
/** Requests `from` down to `to`, newest first, as a page lists them. */
const span = (from: number, to: number) => Array.from({ length: from - to + 1 }, (_, i) => nth(from - i));
const ids = (rows: RequestJson[]) => rows.map((r) => r.id);

beforeEach(() => listRequests.mockReset());

test('loads a page, then older pages by cursor', async () => {
  listRequests.mockResolvedValueOnce({ items: [req('c'), req('b')], next: '2' }).mockResolvedValueOnce({ items: [req('a')], next: null });
  const list = new RequestList();
  await list.reset({ method: 'POST' });
  expect(ids(list.rows)).toEqual(['c', 'b']);
  expect(list.complete).toBe(false);
  await list.more();
  expect(listRequests.mock.calls[1][0]).toMatchObject({ method: 'POST', cursor: '2' });
  expect(ids(list.rows)).toEqual(['c', 'b', 'a']);
  expect(list.complete).toBe(true);
});

test('live rows that match are added newest first, once per frame, and reported as prepended', async () => {
  listRequests.mockResolvedValueOnce({ items: [req('a')], next: null });
  const list = new RequestList();
  const prepended: number[] = [];
  list.onprepend = (n) => prepended.push(n);
  await list.reset({ method: 'POST' });
  list.captured(req('b'));
  list.captured(req('x', { method: 'GET' })); // filtered out
  list.captured(req('c'));
  expect(ids(list.rows)).toEqual(['a']);
  await frame();
  expect(ids(list.rows)).toEqual(['c', 'b', 'a']);
  expect(prepended).toEqual([2]);
});

test('captures that stream in while a reset reads its page are kept, once', async () => {
  let answer: (page: unknown) => void = () => {};
  listRequests.mockReturnValueOnce(new Promise((r) => (answer = r)));
  const list = new RequestList();
  const loading = list.reset({});
  list.captured(req('01A')); // shown at the next frame, before the page arrives
  await frame();
  list.captured(req('01B')); // still waiting for a frame when the page arrives
  list.captured(req('01C'));
  answer({ items: [req('01B'), req('01A')], next: null }); // read before 01C was stored
  await loading;
  await frame();
  expect(ids(list.rows)).toEqual(['01C', '01B', '01A']);

  // A page read before any of the new ones was stored: they stay above it.
  listRequests.mockReturnValueOnce(new Promise((r) => (answer = r)));
  const again = list.reset({});
  list.captured(req('01D'));
  await frame();
  list.captured(req('01E'));
  answer({ items: [req('01C'), req('01B'), req('01A')], next: null });
  await again;
  await frame();
  expect(ids(list.rows)).toEqual(['01E', '01D', '01C', '01B', '01A']);
});

test('pause holds new rows and counts them; patches still apply', async () => {
  listRequests.mockResolvedValueOnce({ items: [req('a')], next: null });
  const list = new RequestList();
  await list.reset({});
  list.setPaused(true);
  list.captured(req('b'));
  list.patch('a', { pinned: true });
  await frame();
  expect(ids(list.rows)).toEqual(['a']);
  expect(list.rows[0].pinned).toBe(true);
  expect(list.waiting).toBe(1);
  list.setPaused(false);
  expect(ids(list.rows)).toEqual(['b', 'a']);
  expect(list.waiting).toBe(0);
});

test('a failed delivery sticks in the row summary, as the server sums it up', async () => {
  listRequests.mockResolvedValueOnce({ items: [req('a')], next: null });
  const list = new RequestList();
  await list.reset({});
  list.delivery('a', 'pending');
  await frame();
  expect(list.rows[0].delivery).toBe('pending');
  list.delivery('a', 'failed');
  list.delivery('a', 'succeeded');
  await frame();
  expect(list.rows[0].delivery).toBe('failed');
});

test('with a full-text filter, a capture re-reads the newest page and adds only what is new', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  try {
    listRequests.mockResolvedValueOnce({ items: [req('01B')], next: null });
    const list = new RequestList();
    await list.reset({ q: 'stripe' });
    listRequests.mockResolvedValueOnce({ items: [req('01D'), req('01C'), req('01B')], next: null });
    list.captured(req('01C'));
    list.captured(req('01D'));
    await vi.advanceTimersByTimeAsync(300); // one re-read for both
    await vi.advanceTimersByTimeAsync(1);
    expect(listRequests).toHaveBeenCalledTimes(2);
    expect(ids(list.rows)).toEqual(['01D', '01C', '01B']);
  } finally {
    vi.useRealTimers();
  }
});

test('removal drops the row, and a newer reset wins over an older one still loading', async () => {
  let slow: (v: unknown) => void = () => {};
  listRequests.mockReturnValueOnce(new Promise((r) => (slow = r))).mockResolvedValueOnce({ items: [req('new')], next: null });
  const list = new RequestList();
  const first = list.reset({ q: 'old' });
  await list.reset({ q: 'new' });
  slow({ items: [req('old')], next: null });
  await first;
  expect(ids(list.rows)).toEqual(['new']);
  list.removed('new');
  expect(list.rows).toEqual([]);
});

test('live rows push the oldest out below the window; they are read again by cursor', async () => {
  listRequests.mockResolvedValueOnce({ items: span(200, 1), next: null });
  const list = new RequestList();
  const moves: number[] = [];
  list.onprepend = (n) => moves.push(n);
  await list.reset({});
  for (let n = 201; n <= 200 + WINDOW; n++) list.captured(nth(n));
  await frame();
  expect(list.rows.length).toBe(WINDOW);
  expect(list.rows[0].seq).toBe(200 + WINDOW);
  expect(list.rows[WINDOW - 1].seq).toBe(201);
  expect(moves).toEqual([WINDOW]);
  expect(list.complete).toBe(false);
  listRequests.mockResolvedValueOnce({ items: span(200, 1), next: null });
  list.view(WINDOW - 50); // scrolled to the bottom: older rows come back, the top ones go
  await list.more();
  expect(listRequests.mock.calls[1][0]).toMatchObject({ cursor: '201' });
  expect(list.rows.length).toBe(WINDOW);
  expect(list.rows[WINDOW - 1].seq).toBe(1);
  expect(list.detached).toBe(true);
  expect(moves).toEqual([WINDOW, -200]);
});

test('detached from the head, new captures are counted, not held, until the top re-reads', async () => {
  listRequests.mockResolvedValueOnce({ items: span(5000, 4801), next: '4801' });
  const list = new RequestList();
  await list.reset({});
  for (let top = 4800; list.rows.length < WINDOW || !list.detached; top -= 200) {
    list.view(list.rows.length - 20);
    listRequests.mockResolvedValueOnce({ items: span(top, top - 199), next: String(top - 199) });
    await list.more();
  }
  expect(list.rows.length).toBe(WINDOW);
  const held = list.rows;
  list.captured(nth(5001));
  list.captured(nth(5002));
  await frame();
  expect(list.newer).toBe(2);
  expect(list.rows).toBe(held);
  listRequests.mockResolvedValueOnce({ items: span(5002, 4803), next: '4803' });
  await list.reset({});
  expect([list.detached, list.newer, list.rows[0].seq]).toEqual([false, 0, 5002]);
});

test('paused past the window, arrivals are counted and resuming re-reads the newest', async () => {
  listRequests.mockResolvedValueOnce({ items: span(10, 1), next: null });
  const list = new RequestList();
  await list.reset({});
  list.setPaused(true);
  for (let n = 11; n <= 10 + WINDOW + 5; n++) list.captured(nth(n));
  await frame();
  expect(list.waiting).toBe(WINDOW + 5);
  expect(list.rows.length).toBe(10);
  listRequests.mockResolvedValueOnce({ items: span(10 + WINDOW + 5, WINDOW - 184), next: String(WINDOW - 184) });
  list.setPaused(false);
  await frame();
  await frame();
  expect(list.rows[0].seq).toBe(10 + WINDOW + 5);
  expect(list.waiting).toBe(0);
});
