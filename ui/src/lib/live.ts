// Fan-out of the live stream to whichever views are open. App.svelte owns the one
// EventSource (through api.ts) and feeds it here; pages subscribe while mounted.
import type { LiveEvents, LiveName } from './api';

type Listener = (name: LiveName, data: unknown) => void;
type ReadyListener = (reconnected: boolean) => void;

const listeners = new Set<Listener>();
const readyListeners = new Set<ReadyListener>();

export const live = {
  emit(name: LiveName, data: unknown): void {
    for (const l of listeners) l(name, data);
  },
  ready(reconnected: boolean): void {
    for (const l of readyListeners) l(reconnected);
  },
  /** Calls `handler` for events named `name` until the returned function is called. */
  on<K extends LiveName>(name: K, handler: (data: LiveEvents[K]) => void): () => void {
    const l: Listener = (n, d) => {
      if (n === name) handler(d as LiveEvents[K]);
    };
    listeners.add(l);
    return () => listeners.delete(l);
  },
  /** Calls `handler` when the stream (re)connects; after a reconnect, views re-read. */
  onReady(handler: ReadyListener): () => void {
    readyListeners.add(handler);
    return () => readyListeners.delete(handler);
  },
};
