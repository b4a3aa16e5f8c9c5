import { expect, test } from 'vitest';
import { shellQuote, toCurl, toFetch, toHttpie, type HttpRequest } from './snippets';

const enc = (s: string) => new TextEncoder().encode(s);
const req: HttpRequest = {
  method: 'POST',
  url: 'http://127.0.0.1:4780/hooks?a=1&b=2',
  headers: [
    ['host', '127.0.0.1:4780'],
    ['content-type', 'application/json'],
    ['x-dup', '1'],
    ['x-dup', "it's"],
    ['content-length', '9'],
  ],
  body: enc('{"a":"b"}'),
};

test('shellQuote', () => {
  expect(shellQuote('simple/path-1.0')).toBe('simple/path-1.0');
  expect(shellQuote("it's $HOME `x`")).toBe(`'it'\\''s $HOME \`x\`'`);
  expect(shellQuote('a\u0001b')).toBe("$'a\\x01b'");
});

test('cURL keeps duplicate headers in order, drops host and length, sends the body byte-exact', () => {
  expect(toCurl(req)).toBe(
    [
      "curl -X POST 'http://127.0.0.1:4780/hooks?a=1&b=2'",
      "  -H 'content-type: application/json'",
      "  -H 'x-dup: 1'",
      "  -H 'x-dup: it'\\''s'",
      `  --data-binary '{"a":"b"}'`,
    ].join(' \\\n'),
  );
});

test('cURL escapes binary bodies', () => {
  const bin = toCurl({ method: 'PUT', url: 'http://h/x', headers: [], body: new Uint8Array([0, 0xff, 0x27, 0x41, 0x0a]) });
  expect(bin).toBe("curl -X PUT http://h/x \\\n  --data-binary $'\\x00\\xff\\'A\\n'");
});

test('HTTPie', () => {
  expect(toHttpie({ ...req, headers: [['x-a', 'b c']] })).toBe(
    "http POST 'http://127.0.0.1:4780/hooks?a=1&b=2' \\\n  'x-a:b c' \\\n  --raw '{\"a\":\"b\"}'",
  );
});

test('fetch uses header pairs and a Uint8Array for binary', () => {
  const text = toFetch(req);
  expect(text).toContain('["x-dup", "it\'s"],');
  expect(text).not.toContain('content-length');
  expect(text).toContain('body: "{\\"a\\":\\"b\\"}",');
  expect(toFetch({ ...req, body: new Uint8Array([0xff, 1]) })).toContain('body: new Uint8Array([255, 1]),');
});
