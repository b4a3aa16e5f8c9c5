// Find within a body: where a query occurs in text, case-insensitively. Pure; the viewers map
// each hit to the text node that shows it (see highlight.ts).

/** One occurrence: in the text segment `seg` (a viewer's `data-find` id), at [start, end). */
export interface Hit {
  seg: string;
  start: number;
  end: number;
}

/** More hits than this are not collected: the count says "10000+". */
export const FIND_LIMIT = 10_000;

/** A case-insensitive matcher for a literal query, or null for an empty one. */
export function matcher(query: string): RegExp | null {
  if (!query) return null;
  return new RegExp(query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
}

/** Appends the hits of `re` in `text` to `out` (made by `hit`), up to FIND_LIMIT in all; false once full. */
export function collect<H extends Hit>(text: string, re: RegExp, hit: (start: number, end: number) => H, out: H[]): boolean {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (out.length >= FIND_LIMIT) return false;
    out.push(hit(m.index, m.index + m[0].length));
    // a zero-length match cannot happen with a non-empty literal, but never loop on one
    if (m[0].length === 0) re.lastIndex++;
  }
  return out.length < FIND_LIMIT;
}

/** "3 of 17", "0 of 0", "3 of 10000+". */
export function countText(current: number, total: number): string {
  if (total === 0) return 'no matches';
  return `${current + 1} of ${total}${total >= FIND_LIMIT ? '+' : ''}`;
}

/** The next index, wrapping around, `by` +1 or -1. */
export function step(current: number, total: number, by: 1 | -1): number {
  if (total === 0) return 0;
  return (current + by + total) % total;
}
