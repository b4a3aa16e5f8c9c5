// What a request is beyond its bytes, in words for the list and the detail: a repeated
// delivery of a provider's event ("second delivery of evt_…, first at 12:03:11") and a
// verification handshake Hooklens answered or refused. Pure, tested in marks.test.ts.
import type { RequestJson } from './api';
import { clock } from './format';

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];

/** 2 → "second", 11 → "11th", 22 → "22nd". */
export function ordinal(n: number): string {
  if (n >= 1 && n <= ORDINALS.length) return ORDINALS[n - 1]!;
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** An event id for a line of text: long ones keep their start and end. */
export function shortId(id: string): string {
  return id.length > 28 ? `${id.slice(0, 16)}…${id.slice(-8)}` : id;
}

/** "second delivery of evt_…, first at 12:03:11", or null when it is no repeat. */
export function duplicateNote(r: Pick<RequestJson, 'duplicate_of' | 'event_id' | 'occurrence' | 'first_received_at_us'>): string | null {
  if (r.duplicate_of == null || r.event_id == null) return null;
  const which = r.occurrence != null ? ordinal(r.occurrence) : 'repeated';
  const first = r.first_received_at_us != null ? `, first at ${clock(r.first_received_at_us).slice(0, 8)}` : '';
  return `${which} delivery of ${shortId(r.event_id)}${first}`;
}

/** The badge for a repeat in the list: "×2", "×3". */
export const duplicateBadge = (r: Pick<RequestJson, 'occurrence'>): string => `×${r.occurrence ?? 2}`;

const HANDSHAKE_NAMES: Record<string, string> = {
  slack: 'Slack',
  meta: 'Meta',
  zoom: 'Zoom',
  x: 'X',
  msgraph: 'Microsoft Graph',
  dropbox: 'Dropbox',
  twitch: 'Twitch',
  discord: 'Discord',
};

/** "Slack handshake answered by Hooklens: …" / "Meta handshake refused (403): …"; null when none. */
export function handshakeNote(r: Pick<RequestJson, 'handshake' | 'response_status'>): string | null {
  const h = r.handshake;
  if (!h) return null;
  const who = HANDSHAKE_NAMES[h.provider] ?? h.provider;
  return h.answered
    ? `${who} handshake answered by Hooklens: ${h.reason}`
    : `${who} handshake refused (${r.response_status}): ${h.reason}`;
}
