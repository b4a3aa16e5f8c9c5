// The JSON tree's model: how keys and values are shown (and folded), which nodes start open,
// the path of a node as a rule's `json:` field, and where a find query occurs, in the order the
// tree shows it. Pure, tested in jsonTree.test.ts; the open/closed state is in jsonTree.svelte.ts.
import { collect, type Hit } from './find';

export type Path = (string | number)[];

/** Values up to this many characters stay on their key's line and never break. */
export const SHORT = 48;
/** Longer strings fold to this many characters, with "show all N characters". */
export const FOLD = 300;
/** Containers with more entries start closed, showing their count. */
export const BIG = 100;
/** Entries shown at a time in an open container. */
export const PAGE = 200;
/** Levels shown below the tree's root; deeper levels open as the new root (breadcrumbs). */
export const MAX_DEPTH = 12;

/** A node's identity in the tree state and in `data-find` ids. */
export const pathKey = (path: Path): string => JSON.stringify(path);

/** How a key is shown: object keys quoted, array indexes bare. */
export const keyText = (name: string | number): string => (typeof name === 'number' ? String(name) : JSON.stringify(name));

/** How a scalar is shown: as JSON (strings quoted and escaped). */
export const scalarText = (value: unknown): string => JSON.stringify(value) ?? String(value);

/** What "copy value" copies: a string as it is, anything else as (indented) JSON. */
export const copyText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value, null, 2));

export const isContainer = (value: unknown): value is object => typeof value === 'object' && value !== null;

/** A container's entries in the order the tree shows them. */
export function entries(value: object): [string | number, unknown][] {
  return Array.isArray(value) ? value.map((v, i) => [i, v] as [number, unknown]) : Object.entries(value);
}

/** Whether a container starts open: the first levels, unless it is big. */
export const defaultOpen = (depth: number, size: number): boolean => depth < 3 && size <= BIG;

/**
 * The node's path as a rule's `json:` field: `data.object.amount`, `items.0.id`; a JSON
 * pointer (`/a.b/c`) when a key could not be written dotted (a dot, an empty key, spaces at
 * the ends, a leading `/`). Null for the root, which no rule can name.
 */
export function rulePath(path: Path): string | null {
  if (path.length === 0) return null;
  const plain = (p: string | number, i: number) =>
    typeof p === 'number' || (p !== '' && !p.includes('.') && p.trim() === p && !(i === 0 && p.startsWith('/')));
  if (path.every(plain)) return path.join('.');
  return '/' + path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

/** The rule condition "this field is this value": `exists` for containers, `missing` for null. */
export function fieldCondition(path: Path, value: unknown): { field: string; op: string; value: string } | null {
  const at = rulePath(path);
  if (at === null) return null;
  const field = `json:${at}`;
  if (value === null) return { field, op: 'missing', value: '' };
  if (isContainer(value)) return { field, op: 'exists', value: '' };
  return { field, op: 'equals', value: typeof value === 'string' ? value : JSON.stringify(value) };
}

/** A hit in the tree: in the key or in the (scalar) value of the node at `path`. */
export interface JsonHit extends Hit {
  path: Path;
  part: 'key' | 'value';
}

/** The `data-find` id of a node's key or value text. */
export const segId = (part: 'key' | 'value', path: Path): string => (part === 'key' ? 'k' : 'v') + pathKey(path);

/**
 * Every occurrence of `re` in the keys and scalar values under `root`, in the order the tree
 * shows them (depth first, entries in order), up to FIND_LIMIT.
 */
export function findInJson(root: unknown, re: RegExp): JsonHit[] {
  const out: JsonHit[] = [];
  // Nodes link to their parent, and a path is spelled out only for a node with hits: a deep
  // body costs time in its size, not in its size times its depth.
  type At = { value: unknown; step: string | number | null; parent: At | null };
  const pathOf = (at: At): Path => {
    const path: Path = [];
    for (let a: At | null = at; a && a.step !== null; a = a.parent) path.push(a.step);
    return path.reverse();
  };
  const take = (text: string, part: 'key' | 'value', at: At) => {
    let path: Path | null = null;
    return collect(text, re, (start, end) => {
      path ??= pathOf(at);
      return { seg: segId(part, path), start, end, path, part };
    }, out);
  };
  // An explicit stack (children pushed in reverse, so they come out in order): any depth.
  const stack: At[] = [{ value: root, step: null, parent: null }];
  while (stack.length > 0) {
    const at = stack.pop()!;
    if (typeof at.step === 'string' && !take(keyText(at.step), 'key', at)) break;
    if (isContainer(at.value)) {
      const es = entries(at.value);
      for (let i = es.length - 1; i >= 0; i--) stack.push({ value: es[i]![1], step: es[i]![0], parent: at });
    } else if (!take(scalarText(at.value), 'value', at)) break;
  }
  return out;
}
