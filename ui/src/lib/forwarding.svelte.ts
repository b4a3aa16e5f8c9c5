// Where captured requests are forwarded, as the window shows it everywhere (the status bar,
// the Forward to panel, the empty list): the window's targets (the settings' `forward`), the
// command line's (`--forward-to`, read only) and each target's health from /api/v1/targets,
// kept current from the live stream. One copy, loaded once, watched from App.svelte.
import { api, type ForwardSettings, type TargetStatus } from './api';
import { live } from './live';

export const forwarding = $state({
  loaded: false,
  enabled: true,
  /** The window's targets, as saved. */
  targets: [] as string[],
  /** `--forward-to`: always on, changed only by restarting with other flags. */
  commandLine: [] as string[],
  /** By target URL. */
  health: {} as Record<string, TargetStatus>,
});

/** The local service most people run: what the empty list offers to forward to. */
export const SUGGESTED = 'http://localhost:3000';

/** Every target requests go to now, each once: the command line's, then the window's. */
export function activeTargets(): string[] {
  const window = forwarding.enabled ? forwarding.targets : [];
  return [...new Set([...forwarding.commandLine, ...window])];
}

export async function loadForwarding(): Promise<void> {
  const s = await api.settings();
  forwarding.enabled = s.forward?.enabled ?? true;
  forwarding.targets = s.forward?.targets ?? [];
  forwarding.commandLine = s.forward_command_line;
  forwarding.loaded = true;
}

export async function loadHealth(): Promise<void> {
  const list = await api.targets();
  forwarding.health = Object.fromEntries(list.map((t) => [t.target, t]));
}

/** Saves the window's forwarding (either part); throws the engine's refusal (an
 * `ApiError` whose `field` is `forward.targets.N`). */
export async function saveForwarding(change: Partial<ForwardSettings>): Promise<void> {
  const s = await api.updateSettings({ forward: change });
  forwarding.enabled = s.forward?.enabled ?? true;
  forwarding.targets = s.forward?.targets ?? [];
  forwarding.commandLine = s.forward_command_line;
}

/** Loads and follows the live stream; returns the function that stops following. Pending
 * counts change with every delivery, so they are re-read at most once a second. */
export function watchForwarding(): () => void {
  const quietly = (p: Promise<void>) => void p.catch(() => {});
  let timer: ReturnType<typeof setTimeout> | null = null;
  const health = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      quietly(loadHealth());
    }, 1000);
  };
  quietly(loadForwarding());
  quietly(loadHealth());
  const offs = [
    live.on('settings.changed', () => quietly(loadForwarding())),
    live.on('target.changed', () => quietly(loadHealth())),
    live.on('delivery.updated', health),
    live.onReady((again) => {
      if (!again) return;
      quietly(loadForwarding());
      quietly(loadHealth());
    }),
  ];
  return () => {
    if (timer) clearTimeout(timer);
    offs.forEach((off) => off());
  };
}

/** A target's health in a few words: `up`, `down since 14:02 (3 waiting)`. */
export function healthText(t: TargetStatus | undefined, time: (rfc3339: string) => string): string {
  if (!t) return 'up';
  const waiting = t.pending > 0 ? ` (${t.pending} waiting)` : '';
  if (t.state === 'down') return `down${t.down_since ? ' since ' + time(t.down_since) : ''}${waiting}`;
  return `up${waiting}`;
}
