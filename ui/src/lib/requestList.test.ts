import { beforeEach, expect, test, vi } from 'vitest';
import type { RequestJson } from './api';

const listRequests = vi.fn();
vi.mock('./api', () => ({ api: { listRequests: (q: unknown) => listRequests(q) } }));
const { RequestList } = await import('./requestList.svelte');

// Frames run on the next macrotask here; `frame()` waits for one.
globalThis.requestAnimationFrame = ((cb: FrameRequestCallback) => setTimeout(() => cb(0), 0)) as unknown as typeof requestAnimationFrame;
globalThis.cancelAnimationFrame = ((id: ReturnType<typeof setTimeout>) => clearTimeout(id)) as unknown as typeof cancelAnimationFrame;
const frame = () => new Promise((r) => setTimeout(r, 0));

const req = (id: string, extra: Partial<RequestJson> = {}) =>
  ({ id, method: 'POST', path: '/' + id, endpoint: 'default', endpoint_id: null, tags: [], pinned: false, received_at_us: 0, ...extra }) as unknown as RequestJson;
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
