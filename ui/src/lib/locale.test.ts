import { describe, expect, test } from 'vitest';
import { fallbackLocale, usableLocale } from './locale';

describe('locale', () => {
  test.each([
    ['en-US', true],
    ['de', true],
    ['C', false],
    ['C.UTF-8', false],
    ['', false],
    [undefined, false],
  ])('usableLocale(%j) is %s', (tag, want) => {
    expect(usableLocale(tag)).toBe(want);
  });

  test('the fallback is a locale Intl accepts', () => {
    expect(usableLocale(fallbackLocale())).toBe(true);
  });
});
