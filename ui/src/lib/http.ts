// Views of a captured request as HTTP: its raw form, its query pairs, its full URL.
import type { RequestJson } from './api';
import { fromBase64, looksLikeText, parseForm } from './body';
import type { HttpRequest } from './snippets';

/** The API's header lists (`[[name, value], …]`) as typed pairs. */
export function headerPairs(headers: string[][]): [string, string][] {
  return headers.map(([k, v]) => [k ?? '', v ?? '']);
}

/** The body's bytes (empty when the request was listed without it). */
export function bodyBytes(r: RequestJson): Uint8Array {
  return r.body_base64 ? fromBase64(r.body_base64) : new Uint8Array();
}

export function queryPairs(r: RequestJson): [string, string][] {
  return parseForm(r.query ?? '');
}

/** The request line, headers and body as they arrived; a binary body is summarised. */
export function rawHttp(r: RequestJson, body: Uint8Array): string {
  const head = [`${r.method} ${r.path}${r.query != null ? '?' + r.query : ''} ${r.http_version}`, ...r.headers.map(([k, v]) => `${k}: ${v}`)];
  let text = head.join('\n') + '\n\n';
  if (body.length > 0) {
    text += looksLikeText(body) ? new TextDecoder().decode(body) : `[${body.length} bytes of binary body: see Body → hex]`;
  }
  return text;
}

/** The request as sent to `base` (the receiver by default), for "copy as". */
export function asHttpRequest(r: RequestJson, body: Uint8Array, base: string): HttpRequest {
  return { method: r.method, url: base.replace(/\/$/, '') + r.path + (r.query != null ? '?' + r.query : ''), headers: headerPairs(r.headers), body };
}
