// The request list's data: a window of at most WINDOW rows (newest stored first), older pages
// fetched on demand, and live captures merged in at most once per animation frame. While
// paused, new rows wait in a buffer. Rows are a raw (non-deep) state array.
//
// Memory stays level however long the window is open and whatever it has shown: past WINDOW
// rows the list lets go of the ones farthest from the view. Rows below it are read again by
// cursor when scrolled to; when the rows above it go, the list is *detached* from the live
// head: new captures are counted, not kept, and reaching the top re-reads the newest page.
// Rows are ordered and merged by `seq`, the store's order, so nothing is missed or shown
// twice across re-reads (after a reconnect, a lag, a sleep).
import { api, type RequestJson } from './api';
import { matches, toQuery, type Filter } from './filter';

const PAGE = 200;
/** Rows held at most. */
export const WINDOW = 2000;
/** Rows kept above the first one in view when rows above it go. */
const MARGIN = 40;

export class RequestList {
  rows = $state.raw<RequestJson[]>([]);
  loading = $state(false);
  loaded = $state(false);
  paused = $state(false);
  /** Live rows waiting while paused. */
  waiting = $state(0);
  /** Rows newer than the first one held are not held (see the module comment). */
  detached = $state(false);
  /** Captures that arrived while detached. */
  newer = $state(0);
  error: string | null = $state(null);

  #filter: Filter = {};
  #next: string | null = null;
  #generation = 0;
  #incoming: RequestJson[] = [];
  /** While paused, more arrived than the window holds: resuming re-reads the newest. */
  #overflowed = 0;
  /** Live captures since the current reset began (null when none is under way): its page
   * may have been read before they were stored. */
  #live: RequestJson[] | null = null;
  #frame = 0;
  #headTimer: ReturnType<typeof setTimeout> | null = null;
  #patches = new Map<string, Partial<RequestJson>>();
  /** Requests whose deliveries failed, as seen on the stream (a failure sticks). */
  #deliveries = new Map<string, RequestJson['delivery']>();
  /** The index of the first row in view, as the view last said. */
  #focus = 0;
  /** Called when rows were added (positive) or removed (negative) above the current ones. */
  onprepend: (added: number) => void = () => {};

  /** Loads the first page for a filter, replacing what is shown. */
  async reset(filter: Filter): Promise<void> {
    this.#filter = filter;
    const generation = ++this.#generation;
    this.#incoming = [];
    this.#overflowed = 0;
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
      const top = page.items[0]?.seq ?? 0;
      this.#incoming = this.#incoming.filter((r) => !listed.has(r.id));
      const waiting = new Set(this.#incoming.map((r) => r.id));
      const shown = (this.#live ?? []).filter((r) => r.seq > top && !waiting.has(r.id));
      this.rows = [...shown.reverse(), ...page.items];
      this.#next = page.next ?? null;
      this.detached = false;
      this.newer = 0;
      this.#focus = 0;
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
      const last = this.rows[this.rows.length - 1]?.seq ?? Infinity;
      this.rows = [...this.rows, ...page.items.filter((r) => r.seq < last)];
      this.#next = page.next ?? null;
      this.#fit(0);
    } catch (e) {
      if (generation === this.#generation) this.error = (e as Error).message;
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }

  get complete(): boolean {
    return this.loaded && this.#next === null;
  }

  /** The view shows rows from `index` on; the list keeps what is around it. */
  view(index: number): void {
    this.#focus = Math.max(0, index);
  }

  /** A request captured now: added if it matches (asking the server when only it can tell). */
  captured(r: RequestJson): void {
    const m = matches(this.#filter, r);
    if (m === false) return;
    if (this.detached) {
      if (m) this.newer += 1;
      return;
    }
    if (m === null) {
      this.#refreshHead();
      return;
    }
    this.#live?.push(r);
    if (this.paused && this.#incoming.length >= WINDOW) {
      // More than the window holds while paused: count them; resuming re-reads the newest.
      this.#overflowed += this.#incoming.length + 1;
      this.#incoming = [];
    } else {
      this.#incoming.push(r);
    }
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
        if (generation !== this.#generation || this.detached) return;
        const top = Math.max(this.rows[0]?.seq ?? 0, ...this.#incoming.map((r) => r.seq));
        const fresh = page.items.filter((r) => r.seq > top).reverse();
        this.#incoming.push(...fresh);
        this.#schedule();
      } catch {
        // the next capture tries again; the list stays as it is
      }
    }, 300);
  }

  #schedule(): void {
    if (this.paused && this.#patches.size === 0) {
      this.waiting = this.#incoming.length + this.#overflowed;
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
      this.waiting = this.#incoming.length + this.#overflowed;
      this.rows = rows;
      return;
    }
    const fresh = this.#incoming.reverse();
    this.#incoming = [];
    this.waiting = 0;
    this.rows = [...fresh, ...rows];
    // The view keeps its rows when it is below the top (the owner shifts it).
    if (this.#focus > 0) this.#focus += fresh.length;
    this.#fit(fresh.length);
  }

  /** Keeps at most WINDOW rows: drops those farthest from the view, below it first while
   * it is near the top, else above it (detaching from the live head). Then tells the owner
   * how many rows were added above (`added`) less those dropped above. */
  #fit(added: number): void {
    const excess = this.rows.length - WINDOW;
    let above = 0;
    if (excess > 0) {
      above = this.#focus < WINDOW / 2 ? 0 : Math.min(excess, Math.max(0, this.#focus - MARGIN));
      const below = excess - above;
      this.rows = this.rows.slice(above, this.rows.length - below);
      if (below > 0) this.#next = String(this.rows[this.rows.length - 1].seq);
      if (above > 0) {
        this.detached = true;
        this.#focus -= above;
      }
    }
    if (this.#deliveries.size > WINDOW) {
      const held = new Set(this.rows.map((r) => r.id));
      for (const id of this.#deliveries.keys()) if (!held.has(id)) this.#deliveries.delete(id);
    }
    if (added - above !== 0) this.onprepend(added - above);
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    if (paused) return;
    if (this.#overflowed > 0) void this.reset(this.#filter);
    else this.#flush();
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
