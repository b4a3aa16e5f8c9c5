// Client-side routing on real paths (`/requests/01J…?q=stripe`), so every view is a URL that
// can be shared, bookmarked and reloaded (the engine answers unknown page paths with the app).
// Route state lives here; pages read `route` and change it with `navigate`/`setQuery`.

import { parseLocation, type Route } from './url';

export { href, type Route } from './url';

export const route: Route = $state(parseLocation(location.pathname, location.search));

function sync() {
  const next = parseLocation(location.pathname, location.search);
  route.page = next.page;
  route.rest = next.rest;
  route.query = next.query;
}

/** Goes to a URL inside the app; `replace` for changes that should not add history (typing). */
export function navigate(url: string, replace = false): void {
  if (url === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  sync();
}

/** Changes some query parameters of the current route (empty removes one). */
export function setQuery(changes: Record<string, string | undefined | null>, replace = true): void {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(changes)) {
    if (v) q.set(k, v);
    else q.delete(k);
  }
  const s = q.toString();
  navigate(location.pathname + (s ? '?' + s : ''), replace);
}

/** Follows the browser's back/forward, and turns clicks on same-origin links into navigation. */
export function startRouter(): () => void {
  const onPop = () => sync();
  const onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/api/') || url.pathname === '/login') return;
    e.preventDefault();
    navigate(url.pathname + url.search);
  };
  addEventListener('popstate', onPop);
  document.addEventListener('click', onClick);
  return () => {
    removeEventListener('popstate', onPop);
    document.removeEventListener('click', onClick);
  };
}
