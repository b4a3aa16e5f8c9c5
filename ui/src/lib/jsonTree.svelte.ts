// The JSON tree's view state, held for the whole tree (not in each node) so that find can open
// the way to a hit: which nodes are open, how many entries a container shows, which long
// strings and keys are shown in full, and which node is the root (deep trees).
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import { FOLD, MAX_DEPTH, PAGE, SHORT, defaultOpen, isContainer, pathKey, type JsonHit, type Path } from './jsonTree';

export class TreeState {
  /** Nodes opened or closed by hand (or by find), by path key; the others follow defaultOpen. */
  readonly toggled = new SvelteMap<string, boolean>();
  /** Entries shown by containers that show more than the first PAGE. */
  readonly counts = new SvelteMap<string, number>();
  /** Long strings (`v` + key) and long keys (`k` + key) shown in full. */
  readonly full = new SvelteSet<string>();
  /** The path of the node shown as the tree's root. */
  focus: Path = $state.raw([]);

  isOpen(key: string, depth: number, size: number): boolean {
    if (depth >= MAX_DEPTH) return false;
    return this.toggled.get(key) ?? defaultOpen(depth, size);
  }

  count(key: string): number {
    return this.counts.get(key) ?? PAGE;
  }

  /** Opens the way to a hit under `root`: the root, the containers above it, the page of
   * entries it is on, and its text in full when the hit lies past the fold. */
  reveal(root: unknown, hit: JsonHit): void {
    const { path } = hit;
    const under = this.focus.length <= path.length && this.focus.every((p, i) => p === path[i]);
    if (!under || path.length - this.focus.length > MAX_DEPTH) this.focus = path.slice(0, Math.max(0, path.length - MAX_DEPTH));
    let value: unknown = root;
    for (let i = 0; i < path.length; i++) {
      if (!isContainer(value)) return;
      const step = path[i]!;
      if (i >= this.focus.length) {
        const key = pathKey(path.slice(0, i));
        this.toggled.set(key, true);
        const index = Array.isArray(value) ? Number(step) : Object.keys(value).indexOf(String(step));
        if (index >= this.count(key)) this.counts.set(key, (Math.floor(index / PAGE) + 1) * PAGE);
      }
      value = (value as Record<string | number, unknown>)[step];
    }
    const key = pathKey(path);
    if (hit.part === 'value' && hit.end > FOLD) this.full.add('v' + key);
    if (hit.part === 'key' && hit.end > SHORT) this.full.add('k' + key);
  }
}

/** The node at `path` under `root` (undefined when there is none). */
export function nodeAt(root: unknown, path: Path): unknown {
  let value = root;
  for (const step of path) {
    if (!isContainer(value)) return undefined;
    value = (value as Record<string | number, unknown>)[step];
  }
  return value;
}
