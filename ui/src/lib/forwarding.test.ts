import { expect, test, vi } from 'vitest';
import type { TargetStatus } from './api';

vi.mock('./api', () => ({ api: {} }));
vi.mock('./live', () => ({ live: {} }));
const { activeTargets, forwarding, healthText } = await import('./forwarding.svelte');

const status = (extra: Partial<TargetStatus>): TargetStatus => ({ target: 't', state: 'up', failures: 0, pending: 0, ...extra });
const time = (rfc: string) => rfc.slice(11, 16);

test('a target health in a few words', () => {
  const cases: [TargetStatus | undefined, string][] = [
    [undefined, 'up'],
    [status({}), 'up'],
    [status({ pending: 3 }), 'up (3 waiting)'],
    [status({ state: 'down', down_since: '2026-11-28T14:02:00Z', pending: 12 }), 'down since 14:02 (12 waiting)'],
    [status({ state: 'down' }), 'down'],
  ];
  for (const [t, want] of cases) expect(healthText(t, time)).toBe(want);
});

test('where requests go now: the command line and, when on, the window, each once', () => {
  forwarding.commandLine = ['http://localhost:4000'];
  forwarding.targets = ['http://localhost:3000', 'http://localhost:4000'];
  forwarding.enabled = true;
  expect(activeTargets()).toEqual(['http://localhost:4000', 'http://localhost:3000']);
  forwarding.enabled = false;
  expect(activeTargets()).toEqual(['http://localhost:4000']);
});
