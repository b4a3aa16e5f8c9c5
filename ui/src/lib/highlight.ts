// Painting find hits: ranges over the text nodes that show them, highlighted through the CSS
// Custom Highlight API (`::highlight(...)` in app.css), so the page's DOM is never changed
// and no payload text is ever parsed. Where the API is missing, the current hit is selected.
import type { Hit } from './find';

const ALL = 'hooklens-find';
const CURRENT = 'hooklens-find-current';

const registry = (): HighlightRegistry | null => (typeof CSS !== 'undefined' && 'highlights' in CSS ? CSS.highlights : null);

/** The text node of each `data-find` element under `root` (its first child), by id. */
export function segments(root: Element): Map<string, Text> {
  const map = new Map<string, Text>();
  for (const el of root.querySelectorAll<HTMLElement>('[data-find]')) {
    const text = el.firstChild;
    if (text instanceof Text && el.dataset.find) map.set(el.dataset.find, text);
  }
  return map;
}

/**
 * For viewers without a model (tables, multipart parts, hex): the hits of `re` in the text
 * shown under `root` (not in buttons), each text node a segment of its own.
 */
export function domHits(root: Element, re: RegExp, limit: number): { hits: Hit[]; texts: Map<string, Text> } {
  const hits: Hit[] = [];
  const texts = new Map<string, Text>();
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node && hits.length < limit; node = walker.nextNode()) {
    const text = node as Text;
    if (text.parentElement?.closest('button')) continue;
    const seg = 't' + texts.size;
    texts.set(seg, text);
    re.lastIndex = 0;
    for (let m = re.exec(text.data); m && hits.length < limit; m = re.exec(text.data)) {
      hits.push({ seg, start: m.index, end: m.index + m[0].length });
    }
  }
  return { hits, texts };
}

/** The range a hit covers, when its text is in the page (a folded value may not show it yet). */
export function rangeOf(text: Text | undefined, hit: Hit): Range | null {
  if (!text || hit.end > text.length) return null;
  const range = document.createRange();
  range.setStart(text, hit.start);
  range.setEnd(text, hit.end);
  return range;
}

export function paint(ranges: Range[], current: Range | null): void {
  const highlights = registry();
  if (highlights) {
    const all = new Highlight();
    for (const r of ranges) all.add(r);
    highlights.set(ALL, all);
    highlights.set(CURRENT, current ? new Highlight(current) : new Highlight());
  } else if (current) {
    const selection = getSelection();
    selection?.removeAllRanges();
    selection?.addRange(current);
  }
}

export function unpaint(): void {
  const highlights = registry();
  highlights?.delete(ALL);
  highlights?.delete(CURRENT);
}

/** Scrolls every scrolling box around the range (innermost first) so that it shows. */
export function scrollToRange(range: Range): void {
  for (let el = range.startContainer.parentElement; el; el = el.parentElement) {
    const style = getComputedStyle(el);
    const scrollsY = /auto|scroll/.test(style.overflowY) && el.scrollHeight > el.clientHeight;
    const scrollsX = /auto|scroll/.test(style.overflowX) && el.scrollWidth > el.clientWidth;
    if (!scrollsY && !scrollsX) continue;
    const box = el.getBoundingClientRect();
    const at = range.getBoundingClientRect();
    if (scrollsY && (at.top < box.top + box.height / 6 || at.bottom > box.bottom)) el.scrollTop += at.top - box.top - box.height / 3;
    if (scrollsX && (at.left < box.left || at.right > box.right)) el.scrollLeft += at.left - box.left - box.width / 3;
  }
}
