// Shared, live application state: the engine's status, the tunnel, the relay subscription, the
// stream's health and the toasts. Updated from the live stream in one place (App.svelte wires `connectLive`).
import type { Status, TunnelStatus, RelayStatus, LiveState } from './api';

export const app = $state({
  status: null as Status | null,
  tunnel: null as TunnelStatus | null,
  relay: null as RelayStatus | null,
  live: 'connecting' as LiveState,
  loggedOut: false,
});

export interface Toast {
  id: number;
  kind: 'info' | 'error';
  text: string;
}

export const toasts: Toast[] = $state([]);
let nextToast = 1;

/** Shows a short message; errors stay longer. */
export function toast(text: string, kind: Toast['kind'] = 'info'): void {
  const id = nextToast++;
  toasts.push({ id, kind, text });
  setTimeout(() => dismiss(id), kind === 'error' ? 8000 : 3000);
}

export function dismiss(id: number): void {
  const i = toasts.findIndex((t) => t.id === id);
  if (i >= 0) toasts.splice(i, 1);
}

/** Copies text and says so. */
export async function copy(text: string, what = 'Copied'): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    toast(what);
  } catch {
    toast('The browser refused clipboard access: select the text and copy it by hand', 'error');
  }
}
