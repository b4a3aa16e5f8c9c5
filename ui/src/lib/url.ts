// Parsing and building the app's URLs (pure; the router state lives in router.svelte.ts).

export interface Route {
  /** First path segment: the page (`requests`, `rules`, …); `''` for `/`. */
  page: string;
  /** Further path segments, decoded (e.g. a request id). */
  rest: string[];
  /** The query string. */
  query: URLSearchParams;
}

export function parseLocation(pathname: string, search: string): Route {
  const parts = pathname.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  return { page: parts[0] ?? '', rest: parts.slice(1), query: new URLSearchParams(search) };
}

/** A path from segments and query parameters, leaving out empty parameters. */
export function href(segments: string[], query: Record<string, string | undefined | null> = {}): string {
  const path = '/' + segments.map(encodeURIComponent).join('/');
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
