// WebKitGTK reports the POSIX locale (LANG=C or C.UTF-8) as `navigator.language` "C", which is
// not a BCP 47 tag: Intl constructors given it throw, and uPlot builds one as it loads, so the
// whole bundle would stop before the app mounts. Imported first by main.ts, this replaces such
// a language with the one Intl picks by default.

/** Whether Intl accepts `tag` as a locale. */
export function usableLocale(tag: string | undefined): boolean {
  if (!tag) return false;
  try {
    new Intl.NumberFormat(tag);
    return true;
  } catch {
    return false;
  }
}

/** The language to report instead of an unusable one. */
export function fallbackLocale(): string {
  try {
    return new Intl.NumberFormat().resolvedOptions().locale;
  } catch {
    return 'en-US';
  }
}

if (typeof navigator !== 'undefined' && !usableLocale(navigator.language)) {
  const language = fallbackLocale();
  Object.defineProperty(navigator, 'language', { value: language, configurable: true });
  Object.defineProperty(navigator, 'languages', { value: [language], configurable: true });
}
