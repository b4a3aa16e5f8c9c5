// The request list's data: the rows loaded so far (newest first), older pages fetched on
// demand, and live captures merged in at most once per animation frame. While paused, new
// rows wait in a buffer. Rows are a raw (non-deep) state array: 100,000 rows cost one array.
import { api, type RequestJson } from './api';
import { matches, toQuery, type Filter } from './filter';

const PAGE = 200;

export class RequestList {
  rows = $state.raw<RequestJson[]>([]);
  loading = $state(false);
  loaded = $state(false);
  paused = $state(false);
  /** Live rows waiting while paused. */
  waiting = $state(0);
  error: string | null = $state(null);

  #filter: Filter = {};
  #next: string | null = null;
  #generation = 0;
  #incoming: RequestJson[] = [];
  /** Live captures since the current reset began (null when none is under way): its page
   * may have been read before they were stored. */
  #live: RequestJson[] | null = null;
  #frame = 0;
  #headTimer: ReturnType<typeof setTimeout> | null = null;
  #patches = new Map<string, Partial<RequestJson>>();
  /** Requests whose deliveries failed, as seen on the stream (a failure sticks). */
  #deliveries = new Map<string, RequestJson['delivery']>();
  /** Called after rows were added above the current ones, with how many. */
  onprepend: (added: number) => void = () => {};

  /** Loads the first page for a filter, replacing what is shown. */
  async reset(filter: Filter): Promise<void> {
    this.#filter = filter;
    const generation = ++this.#generation;
    this.#incoming = [];
    this.#live = [];
    this.#deliveries.clear();
    this.waiting = 0;
    this.loading = true;
    this.error = null;
    try {
      const page = await api.listRequests({ ...toQuery(filter), limit: PAGE });
      if (generation !== this.#generation) return;
      // Captures that streamed in meanwhile stay: those the page holds once, the newer ones
      // above it (already shown, or waiting for the next frame).
      const listed = new Set(page.items.map((r) => r.id));
      const newest = page.items[0]?.id ?? '';
      this.#incoming = this.#incoming.filter((r) => !listed.has(r.id));
      const waiting = new Set(this.#incoming.map((r) => r.id));
      const shown = (this.#live ?? []).filter((r) => r.id > newest && !waiting.has(r.id));
      this.rows = [...shown.reverse(), ...page.items];
      this.#next = page.next ?? null;
      this.loaded = true;
    } catch (e) {
      if (generation === this.#generation) this.error = (e as Error).message;
    } finally {
      if (generation === this.#generation) {
        this.loading = false;
        this.#live = null;
      }
    }
  }

  /** Fetches the next older page, if any and none is on its way. */
  async more(): Promise<void> {
    if (this.loading || !this.#next) return;
    const generation = this.#generation;
    this.loading = true;
    try {
      const page = await api.listRequests({ ...toQuery(this.#filter), limit: PAGE, cursor: this.#next });
      if (generation !== this.#generation) return;
      const known = new Set(this.rows.map((r) => r.id));
      this.rows = [...this.rows, ...page.items.filter((r) => !known.has(r.id))];
      this.#next = page.next ?? null;
    } catch (e) {
      if (generation === this.#generation) this.error = (e as Error).message;
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }

  get complete(): boolean {
    return this.loaded && this.#next === null;
  }

  /** A request captured now: added if it matches (asking the server when only it can tell). */
  captured(r: RequestJson): void {
    const m = matches(this.#filter, r);
    if (m === false) return;
    if (m === null) {
      this.#refreshHead();
      return;
    }
    this.#incoming.push(r);
    this.#live?.push(r);
    this.#schedule();
  }

  /** Full-text filters: re-read the newest page (at most every 300 ms) and add what is new. */
  #refreshHead(): void {
    if (this.#headTimer) return;
    this.#headTimer = setTimeout(async () => {
      this.#headTimer = null;
      const generation = this.#generation;
      try {
        const page = await api.listRequests({ ...toQuery(this.#filter), limit: PAGE });
        if (generation !== this.#generation) return;
        const newest = this.rows[0]?.id ?? '';
        const waiting = new Set(this.#incoming.map((r) => r.id));
        const fresh = page.items.filter((r) => r.id > newest && !waiting.has(r.id)).reverse();
        this.#incoming.push(...fresh);
        this.#schedule();
      } catch {
        // the next capture tries again; the list stays as it is
      }
    }, 300);
  }

  #schedule(): void {
    if (this.paused && this.#patches.size === 0) {
      this.waiting = this.#incoming.length;
      return;
    }
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#flush();
    });
  }

  #flush(): void {
    let rows = this.rows;
    if (this.#patches.size > 0) {
      const patches = this.#patches;
      this.#patches = new Map();
      const patched = (r: RequestJson) => {
        const change = patches.get(r.id);
        return change ? { ...r, ...change } : r;
      };
      rows = rows.map(patched);
      this.#incoming = this.#incoming.map(patched);
    }
    if (this.paused || this.#incoming.length === 0) {
      this.waiting = this.#incoming.length;
      this.rows = rows;
      return;
    }
    const fresh = this.#incoming.reverse();
    this.#incoming = [];
    this.waiting = 0;
    this.rows = [...fresh, ...rows];
    this.onprepend(fresh.length);
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    if (!paused) this.#flush();
  }

  removed(id: string): void {
    this.#incoming = this.#incoming.filter((r) => r.id !== id);
    if (this.rows.some((r) => r.id === id)) this.rows = this.rows.filter((r) => r.id !== id);
  }

  /** Changes a row's fields (pin, tags); applied with the next frame's flush. */
  patch(id: string, change: Partial<RequestJson>): void {
    this.#patches.set(id, { ...this.#patches.get(id), ...change });
    this.#schedule();
  }

  /** A delivery of request `id` changed state: fold it into the row's summary as the server
   * does (any failed → failed; else any pending → pending; else succeeded). */
  delivery(id: string, state: 'pending' | 'succeeded' | 'failed'): void {
    const before = this.#patches.get(id)?.delivery ?? this.#deliveries.get(id);
    const summary = before === 'failed' ? 'failed' : state;
    if (summary === 'failed') this.#deliveries.set(id, summary);
    else this.#deliveries.delete(id);
    this.patch(id, { delivery: summary });
  }

  dispose(): void {
    this.#generation++;
    if (this.#frame) cancelAnimationFrame(this.#frame);
    if (this.#headTimer) clearTimeout(this.#headTimer);
  }
}
