// Body detection and parsers for the body viewers. Pure functions over bytes and strings;
// nothing here renders HTML: the viewers show every value as text.

export type BodyKind = 'empty' | 'json' | 'xml' | 'form' | 'multipart' | 'image' | 'text' | 'binary';

/** Base64 (the API's `body_base64`) to bytes. */
export function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The media type of a Content-Type value, lower-cased, without parameters. */
export function mediaType(contentType: string | null | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** One parameter of a Content-Type (`boundary`, `charset`), unquoted. */
export function ctParam(contentType: string | null | undefined, name: string): string | null {
  for (const part of (contentType ?? '').split(';').slice(1)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim().toLowerCase() !== name) continue;
    let v = part.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
    return v;
  }
  return null;
}

/** True when the bytes look like text: valid UTF-8 with few control characters. */
export function looksLikeText(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 4096);
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.length < bytes.length ? trimPartial(sample) : sample);
  } catch {
    return false;
  }
  let control = 0;
  for (const b of sample) if (b < 9 || (b > 13 && b < 32) || b === 127) control++;
  return control <= sample.length / 100;
}

/** Drops a UTF-8 sequence cut off at the end of a sample. */
function trimPartial(b: Uint8Array): Uint8Array {
  let end = b.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const c = b[end - back];
    if ((c & 0xc0) === 0x80) continue; // continuation byte
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    if (need > back) end -= back;
    break;
  }
  return b.subarray(0, end);
}

const IMAGE_MAGIC: [string, number[]][] = [
  ['image/png', [0x89, 0x50, 0x4e, 0x47]],
  ['image/jpeg', [0xff, 0xd8, 0xff]],
  ['image/gif', [0x47, 0x49, 0x46, 0x38]],
  ['image/webp', [0x52, 0x49, 0x46, 0x46]],
];

/** The image type the bytes start with, if any (PNG, JPEG, GIF, WebP). */
export function imageType(bytes: Uint8Array): string | null {
  for (const [type, magic] of IMAGE_MAGIC) {
    if (magic.every((m, i) => bytes[i] === m)) {
      if (type === 'image/webp' && String.fromCharCode(...bytes.subarray(8, 12)) !== 'WEBP') continue;
      return type;
    }
  }
  return null;
}

/** Which viewer suits a body: from its Content-Type first, then from its bytes. */
export function detectBody(contentType: string | null | undefined, bytes: Uint8Array): BodyKind {
  if (bytes.length === 0) return 'empty';
  const type = mediaType(contentType);
  const text = () => new TextDecoder().decode(bytes.subarray(0, 64)).trimStart();
  if (type === 'multipart/form-data' || type.startsWith('multipart/')) {
    if (ctParam(contentType, 'boundary')) return 'multipart';
  }
  if (type === 'application/x-www-form-urlencoded' && looksLikeText(bytes)) return 'form';
  if ((type === 'application/json' || type.endsWith('+json')) && parsesAsJson(bytes)) return 'json';
  if ((type.endsWith('/xml') || type.endsWith('+xml')) && looksLikeText(bytes)) return 'xml';
  if (type.startsWith('image/') || imageType(bytes)) {
    if (imageType(bytes)) return 'image';
  }
  if (!looksLikeText(bytes)) return 'binary';
  const start = text();
  if ((start.startsWith('{') || start.startsWith('[')) && parsesAsJson(bytes)) return 'json';
  if (start.startsWith('<?xml') || (start.startsWith('<') && type.includes('xml'))) return 'xml';
  return 'text';
}

function parsesAsJson(bytes: Uint8Array): boolean {
  try {
    JSON.parse(new TextDecoder().decode(bytes));
    return true;
  } catch {
    return false;
  }
}

/** `a=1&b=x+y` as ordered pairs, decoded; repeated keys kept. A bad escape stays as sent. */
export function parseForm(text: string): [string, string][] {
  if (!text) return [];
  return text.split('&').filter(Boolean).map((pair) => {
    const eq = pair.indexOf('=');
    const k = eq < 0 ? pair : pair.slice(0, eq);
    const v = eq < 0 ? '' : pair.slice(eq + 1);
    return [decodeForm(k), decodeForm(v)];
  });
}

function decodeForm(s: string): string {
  const plus = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus;
  }
}

export interface Part {
  headers: [string, string][];
  /** From Content-Disposition. */
  name: string | null;
  filename: string | null;
  contentType: string | null;
  body: Uint8Array;
}

/** Splits a multipart body on its boundary; each part keeps its headers and raw bytes. */
export function parseMultipart(bytes: Uint8Array, boundary: string): Part[] {
  const delim = new TextEncoder().encode('--' + boundary);
  const parts: Part[] = [];
  let pos = indexOf(bytes, delim, 0);
  while (pos >= 0) {
    let start = pos + delim.length;
    if (bytes[start] === 0x2d && bytes[start + 1] === 0x2d) break; // closing "--"
    if (bytes[start] === 0x0d) start++;
    if (bytes[start] === 0x0a) start++;
    const next = indexOf(bytes, delim, start);
    if (next < 0) break;
    let end = next;
    if (bytes[end - 1] === 0x0a) end--;
    if (bytes[end - 1] === 0x0d) end--;
    parts.push(parsePart(bytes.subarray(start, Math.max(start, end))));
    pos = next;
  }
  return parts;
}

function parsePart(raw: Uint8Array): Part {
  let split = indexOf(raw, new Uint8Array([13, 10, 13, 10]), 0);
  let skip = 4;
  if (split < 0) {
    split = indexOf(raw, new Uint8Array([10, 10]), 0);
    skip = 2;
  }
  const head = split < 0 ? '' : new TextDecoder().decode(raw.subarray(0, split));
  const body = split < 0 ? raw : raw.subarray(split + skip);
  const headers: [string, string][] = head
    .split(/\r?\n/)
    .filter(Boolean)
    .map((line) => {
      const c = line.indexOf(':');
      return c < 0 ? [line, ''] : [line.slice(0, c).trim(), line.slice(c + 1).trim()];
    });
  const get = (n: string) => headers.find(([k]) => k.toLowerCase() === n)?.[1] ?? null;
  const disposition = get('content-disposition');
  return {
    headers,
    name: dispositionParam(disposition, 'name'),
    filename: dispositionParam(disposition, 'filename'),
    contentType: get('content-type'),
    body,
  };
}

function dispositionParam(value: string | null, name: string): string | null {
  if (!value) return null;
  const re = new RegExp(`(?:^|;)\\s*${name}="((?:[^"\\\\]|\\\\.)*)"|(?:^|;)\\s*${name}=([^;]*)`, 'i');
  const m = re.exec(value);
  if (!m) return null;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2].trim();
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = from; i <= hay.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Lines of a classic hex dump: offset, 16 bytes in hex, and their printable characters. */
export function hexLines(bytes: Uint8Array, from = 0, count = Math.ceil(bytes.length / 16)): string[] {
  const lines: string[] = [];
  for (let line = from; line < Math.min(from + count, Math.ceil(bytes.length / 16)); line++) {
    const off = line * 16;
    const row = bytes.subarray(off, off + 16);
    let hex = '';
    let ascii = '';
    for (let i = 0; i < 16; i++) {
      if (i < row.length) {
        hex += row[i].toString(16).padStart(2, '0') + ' ';
        ascii += row[i] >= 32 && row[i] < 127 ? String.fromCharCode(row[i]) : '.';
      } else hex += '   ';
      if (i === 7) hex += ' ';
    }
    lines.push(`${off.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`);
  }
  return lines;
}

/** Indents XML for reading (tags on their own lines); text content is kept as is. */
export function prettyXml(xml: string): string {
  const tokens = xml.replace(/>\s+</g, '><').match(/<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|<[^>]+>|[^<]+/g) ?? [];
  let depth = 0;
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.startsWith('</')) {
      depth = Math.max(0, depth - 1);
      out.push('  '.repeat(depth) + t);
    } else if (t.startsWith('<') && !t.startsWith('<?') && !t.startsWith('<!') && !t.endsWith('/>')) {
      // <a>text</a> stays on one line
      if (tokens[i + 1] !== undefined && !tokens[i + 1].startsWith('<') && tokens[i + 2]?.startsWith('</')) {
        out.push('  '.repeat(depth) + t + tokens[i + 1] + tokens[i + 2]);
        i += 2;
      } else {
        out.push('  '.repeat(depth) + t);
        depth++;
      }
    } else {
      out.push('  '.repeat(depth) + t.trim());
    }
  }
  return out.filter((l) => l.trim()).join('\n');
}
