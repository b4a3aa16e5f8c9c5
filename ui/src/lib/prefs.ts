// Layout preferences of this browser (or desktop window), kept between visits: sizes only,
// never captured data. Storage may be missing, full or refused; then the default stands.

export function loadNumber(key: string): number | null {
  try {
    const raw = localStorage.getItem(key);
    const n = raw === null ? NaN : Number(raw);
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

export function saveNumber(key: string, value: number | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, String(value));
  } catch {
    // not kept: the layout works the same, from its default next time
  }
}
