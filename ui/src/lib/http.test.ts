import { expect, test } from 'vitest';
import type { RequestJson } from './api';
import { asHttpRequest, bodyBytes, headerPairs, queryPairs, rawHttp } from './http';

const r = {
  method: 'POST',
  path: '/hooks/a%20b',
  query: 'x=1&y=%3Cz%3E',
  http_version: 'HTTP/1.1',
  headers: [['content-type', 'text/plain'], ['x-dup', '1'], ['x-dup', '2']],
  body_base64: btoa('hello'),
} as unknown as RequestJson;

test('raw HTTP keeps the request line, headers in order and a text body', () => {
  expect(rawHttp(r, bodyBytes(r))).toBe(
    'POST /hooks/a%20b?x=1&y=%3Cz%3E HTTP/1.1\ncontent-type: text/plain\nx-dup: 1\nx-dup: 2\n\nhello',
  );
  expect(rawHttp(r, new Uint8Array([0, 0xff, 1]))).toContain('[3 bytes of binary body');
  expect(rawHttp({ ...r, query: null } as unknown as RequestJson, new Uint8Array())).toMatch(/^POST \/hooks\/a%20b HTTP\/1\.1\n/);
});

test('query pairs are decoded; the URL for copying keeps the path as captured', () => {
  expect(queryPairs(r)).toEqual([['x', '1'], ['y', '<z>']]);
  const h = asHttpRequest(r, bodyBytes(r), 'http://127.0.0.1:4780/');
  expect(h.url).toBe('http://127.0.0.1:4780/hooks/a%20b?x=1&y=%3Cz%3E');
  expect(h.headers).toEqual(headerPairs(r.headers));
  expect(new TextDecoder().decode(h.body)).toBe('hello');
});
