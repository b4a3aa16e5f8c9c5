// The page registry: adding a page is one file in this folder plus one line here. `path` is
// the first URL segment (`/rules`, `/rules/…`); `nav` puts it in the navigation bar.
import type { Component } from 'svelte';
import Requests from './Requests.svelte';
import Endpoints from './Endpoints.svelte';
import Rules from './Rules.svelte';
import Notifications from './Notifications.svelte';
import Settings from './Settings.svelte';
import Diff from './Diff.svelte';

export interface PageDef {
  path: string;
  title: string;
  component: Component;
  nav: boolean;
}

export const pages: PageDef[] = [
  { path: 'requests', title: 'Requests', component: Requests, nav: true },
  { path: 'endpoints', title: 'Endpoints', component: Endpoints, nav: true },
  { path: 'rules', title: 'Rules', component: Rules, nav: true },
  { path: 'notifications', title: 'Notifications', component: Notifications, nav: true },
  { path: 'settings', title: 'Settings', component: Settings, nav: true },
  { path: 'diff', title: 'Compare', component: Diff, nav: false },
];

/** The page for a URL's first segment; `/` is the request list. */
export function pageFor(segment: string): PageDef | undefined {
  return pages.find((p) => p.path === (segment || 'requests'));
}
