import { describe, expect, test } from 'vitest';
import { ctParam, detectBody, fromBase64, hexLines, looksLikeText, parseForm, parseMultipart, prettyXml } from './body';

const enc = (s: string) => new TextEncoder().encode(s);

describe('detectBody', () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
  test.each([
    ['empty', 'application/json', new Uint8Array(), 'empty'],
    ['json by type', 'application/json; charset=utf-8', enc('{"a":1}'), 'json'],
    ['json vendor type', 'application/vnd.api+json', enc('[1,2]'), 'json'],
    ['json sniffed without a type', null, enc('  {"a":[1]}'), 'json'],
    ['broken json is text', 'application/json', enc('{"a":'), 'text'],
    ['xml by type', 'application/xml', enc('<a><b>1</b></a>'), 'xml'],
    ['xml sniffed', 'text/plain', enc('<?xml version="1.0"?><a/>'), 'xml'],
    ['form', 'application/x-www-form-urlencoded', enc('a=1&b=2'), 'form'],
    ['multipart', 'multipart/form-data; boundary=XyZ', enc('--XyZ\r\n\r\nx\r\n--XyZ--'), 'multipart'],
    ['multipart without boundary is text', 'multipart/form-data', enc('hello'), 'text'],
    ['png by magic, any type', 'application/octet-stream', png, 'image'],
    ['image type with non-image bytes is binary', 'image/png', new Uint8Array([0, 1, 2, 3]), 'binary'],
    ['binary', 'application/octet-stream', new Uint8Array([0, 0xff, 1, 2, 0x80]), 'binary'],
    ['plain text', 'text/plain', enc('hello there'), 'text'],
  ])('%s', (_, type, bytes, kind) => {
    expect(detectBody(type, bytes)).toBe(kind);
  });
});

test('looksLikeText accepts UTF-8 cut inside a character at the sample end', () => {
  const s = 'é'.repeat(3000); // 2-byte characters: the 4096-byte sample ends between two
  expect(looksLikeText(enc(s))).toBe(true);
  const odd = 'a' + 'é'.repeat(3000); // shifted by one: the sample ends inside a character
  expect(looksLikeText(enc(odd))).toBe(true);
  expect(looksLikeText(new Uint8Array([0xc3, 0x28]))).toBe(false);
});

test('ctParam reads quoted and bare parameters', () => {
  expect(ctParam('multipart/form-data; boundary="a b"', 'boundary')).toBe('a b');
  expect(ctParam('text/plain;charset=UTF-8', 'charset')).toBe('UTF-8');
  expect(ctParam('text/plain', 'charset')).toBeNull();
});

test('parseForm decodes and keeps repeats and bad escapes', () => {
  expect(parseForm('a=1&a=2&b=x+y%21&c&d=%E0%A4%A&=v')).toEqual([
    ['a', '1'],
    ['a', '2'],
    ['b', 'x y!'],
    ['c', ''],
    ['d', '%E0%A4%A'],
    ['', 'v'],
  ]);
});

test('parseMultipart splits parts with headers, names, filenames and raw bytes', () => {
  const body = enc(
    '--B\r\nContent-Disposition: form-data; name="field"\r\n\r\nvalue 1\r\n' +
      '--B\r\nContent-Disposition: form-data; name="file"; filename="a \\"q\\".bin"\r\nContent-Type: application/octet-stream\r\n\r\n\x00\x01\r\n' +
      '--B--\r\n',
  );
  const parts = parseMultipart(body, 'B');
  expect(parts).toHaveLength(2);
  expect(parts[0].name).toBe('field');
  expect(new TextDecoder().decode(parts[0].body)).toBe('value 1');
  expect(parts[1].filename).toBe('a "q".bin');
  expect(parts[1].contentType).toBe('application/octet-stream');
  expect(Array.from(parts[1].body)).toEqual([0, 1]);
  expect(parts[1].headers.map(([k]) => k)).toEqual(['Content-Disposition', 'Content-Type']);
});

test('hexLines', () => {
  const bytes = enc('Hello, hex dump!\x00\x7f');
  expect(hexLines(bytes)).toEqual([
    '00000000  48 65 6c 6c 6f 2c 20 68  65 78 20 64 75 6d 70 21  |Hello, hex dump!|',
    '00000010  00 7f                                             |..|',
  ]);
  expect(hexLines(bytes, 1, 1)).toHaveLength(1);
});

test('prettyXml indents elements and keeps short text inline', () => {
  expect(prettyXml('<?xml version="1.0"?><a><b>1</b><c x="y"/><d><e>t</e></d></a>')).toBe(
    ['<?xml version="1.0"?>', '<a>', '  <b>1</b>', '  <c x="y"/>', '  <d>', '    <e>t</e>', '  </d>', '</a>'].join('\n'),
  );
});

test('fromBase64', () => {
  expect(Array.from(fromBase64('AAH/'))).toEqual([0, 1, 255]);
});
