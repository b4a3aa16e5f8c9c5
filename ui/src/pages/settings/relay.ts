// What the relay subscription's state reads as, in the status bar and Settings → Relay, and
// the check a relay URL passes before it is sent.
import type { RelayStatus } from '../../lib/api';

/** The status in a few words: `online`, `catching up (120 behind)`, `reconnecting`… */
export function relayLine(status: RelayStatus | null): string {
  if (!status || status.state === 'off') return 'off';
  switch (status.state) {
    case 'catching_up':
      return status.behind > 0 ? `catching up (${status.behind} behind)` : 'catching up';
    case 'online':
      return 'online';
    case 'connecting':
      return 'connecting…';
    case 'reconnecting':
      return 'reconnecting…';
    case 'error':
      return 'stopped';
  }
}

/** The badge's colour for a state. */
export const RELAY_TONE: Record<RelayStatus['state'], string> = {
  off: '',
  connecting: 'warn',
  catching_up: 'warn',
  online: 'good',
  reconnecting: 'warn',
  error: 'bad',
};

/** What is wrong with a relay URL, or '' when it will do. */
export function relayUrlProblem(url: string): string {
  const text = url.trim();
  if (!text) return 'The relay’s URL: the address of its --relay-listen, e.g. https://relay.example.com';
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return 'Not a URL: e.g. https://relay.example.com or http://127.0.0.1:4782';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'Use http:// or https://';
  return '';
}
