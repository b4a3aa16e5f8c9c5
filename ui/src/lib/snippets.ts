// "Copy as" for a captured request: cURL, HTTPie and JavaScript fetch. Bodies go byte-exact;
// bytes that are not printable UTF-8 are escaped (bash $'…\xHH' quoting, Uint8Array in JS).

export interface HttpRequest {
  method: string;
  url: string;
  headers: [string, string][];
  body: Uint8Array;
}

/** Headers the HTTP client sets itself (or that describe the old connection). */
const SKIP = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'keep-alive', 'te', 'upgrade', 'expect', 'proxy-connection']);

export function sendableHeaders(headers: [string, string][]): [string, string][] {
  return headers.filter(([k]) => !SKIP.has(k.toLowerCase()));
}

/** Quotes a string for a POSIX shell: safe for any content, `$'…'` when bytes need escapes. */
export function shellQuote(s: string): string {
  if (/^[A-Za-z0-9_\-.,:/=@%+]+$/.test(s)) return s;
  // eslint-disable-next-line no-control-regex
  if (!/[\x00-\x08\x0b-\x1f\x7f]/.test(s)) return `'${s.replace(/'/g, `'\\''`)}'`;
  return ansiC(new TextEncoder().encode(s));
}

/** bash ANSI-C quoting of raw bytes. */
function ansiC(bytes: Uint8Array): string {
  let out = "$'";
  for (const b of bytes) {
    if (b === 0x27) out += "\\'";
    else if (b === 0x5c) out += '\\\\';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x09) out += '\\t';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += '\\x' + b.toString(16).padStart(2, '0');
  }
  return out + "'";
}

/** The body as a shell word: plain quoting for UTF-8 text, byte escapes otherwise. */
function shellBody(body: Uint8Array): string {
  try {
    return shellQuote(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    return ansiC(body);
  }
}

export function toCurl(r: HttpRequest): string {
  const lines = [`curl -X ${r.method} ${shellQuote(r.url)}`];
  for (const [k, v] of sendableHeaders(r.headers)) lines.push(`  -H ${shellQuote(`${k}: ${v}`)}`);
  if (r.body.length > 0) lines.push(`  --data-binary ${shellBody(r.body)}`);
  return lines.join(' \\\n');
}

export function toHttpie(r: HttpRequest): string {
  const lines = [`http ${r.method} ${shellQuote(r.url)}`];
  for (const [k, v] of sendableHeaders(r.headers)) lines.push(`  ${shellQuote(`${k}:${v}`)}`);
  if (r.body.length > 0) lines.push(`  --raw ${shellBody(r.body)}`);
  return lines.join(' \\\n');
}

export function toFetch(r: HttpRequest): string {
  const headers = sendableHeaders(r.headers)
    .map(([k, v]) => `    [${JSON.stringify(k)}, ${JSON.stringify(v)}],`)
    .join('\n');
  let body = '';
  if (r.body.length > 0) {
    try {
      body = `\n  body: ${JSON.stringify(new TextDecoder('utf-8', { fatal: true }).decode(r.body))},`;
    } catch {
      body = `\n  body: new Uint8Array([${Array.from(r.body).join(', ')}]),`;
    }
  }
  return `await fetch(${JSON.stringify(r.url)}, {\n  method: ${JSON.stringify(r.method)},\n  headers: [\n${headers}\n  ],${body}\n});`;
}
