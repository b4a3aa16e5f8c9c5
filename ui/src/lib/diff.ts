// Diffs for comparing two requests: lines (Myers), JSON by structure, and headers by name.

export interface LineOp {
  op: ' ' | '-' | '+';
  text: string;
}

/** Line diff (Myers' O(ND) algorithm). Past `maxEdits` changes it gives up and shows the
 * whole of `a` removed and `b` added, so huge unrelated bodies never hang the page. */
export function diffLines(a: string, b: string, maxEdits = 4000): LineOp[] {
  const x = a === '' ? [] : a.split('\n');
  const y = b === '' ? [] : b.split('\n');
  const n = x.length;
  const m = y.length;
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    trace.push(v.slice());
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      let px: number;
      if (k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1])) px = v[offset + k + 1];
      else px = v[offset + k - 1] + 1;
      let py = px - k;
      while (px < n && py < m && x[px] === y[py]) {
        px++;
        py++;
      }
      next[offset + k] = px;
      if (px >= n && py >= m) {
        found = d;
        break;
      }
    }
    v = next;
  }
  if (found < 0) {
    return [...x.map((text) => ({ op: '-' as const, text })), ...y.map((text) => ({ op: '+' as const, text }))];
  }
  // Walk back through the saved frontiers.
  const ops: LineOp[] = [];
  let px = n;
  let py = m;
  for (let d = found; d > 0; d--) {
    const vd = trace[d];
    const k = px - py;
    const prevK = k === -d || (k !== d && vd[offset + k - 1] < vd[offset + k + 1]) ? k + 1 : k - 1;
    const prevX = vd[offset + prevK];
    const prevY = prevX - prevK;
    while (px > prevX && py > prevY) ops.push({ op: ' ', text: x[--px] }), py--;
    if (px === prevX) ops.push({ op: '+', text: y[--py] });
    else ops.push({ op: '-', text: x[--px] });
  }
  while (px > 0 && py > 0) ops.push({ op: ' ', text: x[--px] }), py--;
  return ops.reverse();
}

export interface JsonChange {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

function key(path: string, k: string | number): string {
  if (typeof k === 'number') return `${path}[${k}]`;
  return /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What changed between two JSON values, by path; key order does not count. */
export function diffJson(a: unknown, b: unknown, path = '$'): JsonChange[] {
  if (isObject(a) && isObject(b)) {
    const out: JsonChange[] = [];
    for (const k of Object.keys(a)) {
      if (!(k in b)) out.push({ path: key(path, k), kind: 'removed', before: a[k] });
      else out.push(...diffJson(a[k], b[k], key(path, k)));
    }
    for (const k of Object.keys(b)) if (!(k in a)) out.push({ path: key(path, k), kind: 'added', after: b[k] });
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: JsonChange[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= b.length) out.push({ path: key(path, i), kind: 'removed', before: a[i] });
      else if (i >= a.length) out.push({ path: key(path, i), kind: 'added', after: b[i] });
      else out.push(...diffJson(a[i], b[i], key(path, i)));
    }
    return out;
  }
  if (a === b || (a !== a && b !== b)) return [];
  return [{ path, kind: 'changed', before: a, after: b }];
}

/** JSON with object keys sorted, two-space indented: equal values print equally. */
export function canonicalJson(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(sort) : isObject(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort(x[k])])) : x;
  return JSON.stringify(sort(v), null, 2);
}

export interface HeaderChange {
  name: string;
  kind: 'same' | 'added' | 'removed' | 'changed';
  before: string[];
  after: string[];
}

/** Headers compared by case-insensitive name; repeated headers compared as a list. */
export function diffHeaders(a: [string, string][], b: [string, string][]): HeaderChange[] {
  const group = (hs: [string, string][]) => {
    const m = new Map<string, string[]>();
    for (const [k, v] of hs) {
      const n = k.toLowerCase();
      m.set(n, [...(m.get(n) ?? []), v]);
    }
    return m;
  };
  const ga = group(a);
  const gb = group(b);
  const names = [...new Set([...ga.keys(), ...gb.keys()])].sort();
  return names.map((name) => {
    const before = ga.get(name) ?? [];
    const after = gb.get(name) ?? [];
    const kind = !ga.has(name) ? 'added' : !gb.has(name) ? 'removed' : before.join('\n') === after.join('\n') ? 'same' : 'changed';
    return { name, kind, before, after };
  });
}
