// The items of a list page (endpoints, rules): read from the API, and read again when the
// engine says they changed or the live stream reconnects.
import { ApiError, type LiveName } from '../../lib/api';
import { live } from '../../lib/live';

export class Collection<T> {
  items: T[] = $state([]);
  /** The first read has finished (items or an error). */
  loaded = $state(false);
  /** Why the last read failed, or ''. */
  error = $state('');

  constructor(
    private readonly read: () => Promise<T[]>,
    private readonly changed: LiveName,
  ) {}

  async load(): Promise<void> {
    try {
      this.items = await this.read();
      this.error = '';
    } catch (e) {
      this.error = e instanceof ApiError ? e.message : String(e);
    }
    this.loaded = true;
  }

  /** Reads now and whenever the items change; returns the function that stops (for onMount). */
  watch(): () => void {
    void this.load();
    const offs = [live.on(this.changed, () => void this.load()), live.onReady((again) => again && void this.load())];
    return () => offs.forEach((off) => off());
  }
}
