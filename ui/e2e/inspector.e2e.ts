// The inspector with real-world content (e2e/fixtures.ts) at the desktop window's sizes:
// geometry, not pixels — every key and header name one line high, the actions and tabs near
// the top of the detail, nothing past the viewport's right edge; the resizable split; find
// within a body; a JSON field's path copied and turned into a rule; quiet signature verdicts.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEEP, LONG_KEY, LONG_QUERY, LONG_STRING, sendFixture } from './fixtures';
import { openBrowser, startEngine, type Browser, type Engine } from './harness';

let engine: Engine;
let fixture: string;

beforeAll(async () => {
  engine = await startEngine();
  for (let i = 0; i < 30; i++) {
    await engine.send(`/orders/${i}?page=${i}`, { method: 'POST', body: JSON.stringify({ n: i }), headers: { 'content-type': 'application/json' } });
  }
  fixture = await sendFixture(engine);
});
afterAll(async () => {
  await engine?.stop();
});

interface Geometry {
  /** Elements whose box ends past the viewport's right edge (or starts before its left). */
  overflowing: string[];
  pageScrollsSideways: boolean;
  /** Texts whose box is taller than one line, among `selector`. */
  multiLine: string[];
  measured: number;
}

/** Measures the page: what sticks out sideways, and which `selector` boxes are over a line high. */
function geometry(page: Page, selector: string): Promise<Geometry> {
  return page.evaluate((sel) => {
    const describe = (el: Element) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${(el.textContent ?? '').slice(0, 40)}"`;
    const overflowing: string[] = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      if (r.right > innerWidth + 0.5 || r.left < -0.5) overflowing.push(describe(el));
    }
    const boxes = [...document.querySelectorAll(sel)];
    const multiLine = boxes
      .filter((el) => el.getBoundingClientRect().height > 1.5 * parseFloat(getComputedStyle(el).lineHeight))
      .map(describe);
    return {
      overflowing: overflowing.slice(0, 10),
      pageScrollsSideways: document.documentElement.scrollWidth > innerWidth,
      multiLine: multiLine.slice(0, 10),
      measured: boxes.length,
    };
  }, selector);
}

/** The bottom of the action bar and of the tabs, from the top of the detail pane. */
async function headerDepth(page: Page): Promise<{ actions: number; tabs: number }> {
  const top = (await page.getByTestId('request-detail').boundingBox())!.y;
  const actions = (await page.getByTestId('detail-actions').boundingBox())!;
  const tabs = (await page.getByTestId('tab-body').boundingBox())!;
  return { actions: actions.y + actions.height - top, tabs: tabs.y + tabs.height - top };
}

/** Opens every closed node of the tree, and each level too deep to open in place, down to the bottom. */
async function expandAll(page: Page) {
  const tree = page.getByTestId('json-tree');
  for (let i = 0; i < 4 * DEEP; i++) {
    const expand = tree.getByRole('button', { name: 'Expand' });
    if ((await expand.count()) > 0) await expand.first().click();
    else if ((await tree.getByTestId('json-focus').count()) > 0) await tree.getByTestId('json-focus').first().click();
    else return;
  }
  throw new Error('the tree kept offering nodes to open');
}

for (const [width, height] of [
  [1400, 860],
  [820, 600],
] as const) {
  describe(`at ${width}×${height}`, () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await openBrowser(engine, { width, height });
    });
    afterAll(async () => {
      await browser?.close();
    });

    test('the list: one filter row, columns that fit, no sideways overflow', async () => {
      const { page } = browser;
      for (const url of ['/requests', `/requests/${fixture}`]) {
        await page.goto(engine.api + url);
        await page.getByTestId('request-row').first().waitFor();
        // One row: every control of the bar crosses one horizontal line.
        const row = await page.getByTestId('filters').evaluate((bar) => {
          const boxes = [...bar.querySelectorAll(':scope > *, :scope > .basic > *')]
            .map((c) => c.getBoundingClientRect())
            .filter((r) => r.height > 0);
          return { controls: boxes.length, lowestTop: Math.max(...boxes.map((r) => r.top)), highestBottom: Math.min(...boxes.map((r) => r.bottom)) };
        });
        expect(row.controls).toBeGreaterThanOrEqual(3);
        expect(row.lowestTop, `${url}: the filter bar wraps`).toBeLessThan(row.highestBottom);
        const g = await geometry(page, '[data-testid="request-row"] > span, .thead > span');
        expect(g.overflowing, url).toEqual([]);
        expect(g.pageScrollsSideways).toBe(false);
        expect(g.multiLine, url).toEqual([]);
      }
      expect(browser.problems).toEqual([]);
    });

    test('the JSON tree: keys and short values on one line, long values folded, deep levels reachable', async () => {
      const { page } = browser;
      await page.goto(`${engine.api}/requests/${fixture}`);
      const tree = page.getByTestId('json-tree');
      await tree.waitFor();
      const depth = await headerDepth(page);
      expect(depth.actions).toBeLessThanOrEqual(200);
      expect(depth.tabs).toBeLessThanOrEqual(200);
      // Big arrays and long strings start folded, with their size.
      expect(await tree.textContent()).toContain('1,000 items');
      expect(await tree.textContent()).toContain('show all 20,000 characters');
      expect(await tree.textContent()).not.toContain(LONG_STRING.slice(-40));

      await expandAll(page);
      await tree.getByText('bottom of the well').waitFor();
      await expect.poll(() => page.getByTestId('json-crumbs').textContent()).toContain('level');
      let g = await geometry(page, '[data-testid="json-key"], [data-testid="json-tree"] .line > .v');
      expect(g.overflowing).toEqual([]);
      expect(g.multiLine).toEqual([]);
      expect(g.measured).toBeGreaterThan(5);

      // Back to the root: the long key, the arrays' first pages, the long string in full.
      await page.getByTestId('json-crumbs').getByRole('button', { name: 'root' }).click();
      await page.getByTestId('json-unfold').first().click();
      await tree.getByText(LONG_STRING.slice(-40), { exact: false }).waitFor();
      g = await geometry(page, '[data-testid="json-key"]');
      expect(g.overflowing).toEqual([]);
      expect(g.pageScrollsSideways).toBe(false);
      expect(g.multiLine).toEqual([]);
      expect(g.measured).toBeGreaterThan(400);
      // The short value beside the 300-character key, at the root's level too: one line.
      const short = `[data-testid="json-tree"] .line:has(> [data-testid="json-key"][title="${LONG_KEY}"]) > .v`;
      expect(await page.locator(short).textContent()).toBe('"short"');
      g = await geometry(page, short);
      expect(g.measured).toBe(1);
      expect(g.multiLine).toEqual([]);
      expect(await headerDepth(page)).toEqual(depth);
      expect(browser.problems).toEqual([]);
    });

    test('headers and query: names on one line beside an 8 KiB value and a 4,000-character query', async () => {
      const { page } = browser;
      for (const [tab, table] of [
        ['headers', 'headers-table'],
        ['query', 'query-table'],
      ]) {
        await page.goto(`${engine.api}/requests/${fixture}?tab=${tab}`);
        await page.getByTestId(table).waitFor();
        const g = await geometry(page, `[data-testid="${table}"] [data-testid="kv-name"]`);
        expect(g.measured).toBeGreaterThanOrEqual(3);
        expect(g.multiLine, tab).toEqual([]);
        expect(g.overflowing, tab).toEqual([]);
        const depth = await headerDepth(page);
        expect(depth.actions).toBeLessThanOrEqual(200);
        expect(depth.tabs).toBeLessThanOrEqual(200);
      }
      // The long value folds, and unfolds whole.
      const unfold = page.getByTestId('query-table').getByTestId('unfold').first();
      expect(await unfold.textContent()).toMatch(/^show all [\d,]+ characters$/);
      await unfold.click();
      expect((await geometry(page, '[data-testid="kv-name"]')).overflowing).toEqual([]);
      expect(browser.problems).toEqual([]);
    });

    test('the long URL: two lines at most in the header, clamped with an ellipsis, whole in the page', async () => {
      const { page } = browser;
      await page.goto(`${engine.api}/requests/${fixture}`);
      const path = page.getByTestId('detail-path');
      await path.waitFor();
      const box = await path.evaluate((el) => {
        const s = getComputedStyle(el);
        return {
          lines: el.getBoundingClientRect().height / parseFloat(s.lineHeight),
          clamp: s.webkitLineClamp,
          overflow: s.overflow,
          hidden: el.scrollHeight - el.clientHeight,
          text: el.textContent,
        };
      });
      expect(box.lines).toBeGreaterThan(0.5);
      expect(box.lines).toBeLessThanOrEqual(2.05);
      // Chromium ends a clamped block with "…"; what is cut off is really there, only hidden.
      expect([box.clamp, box.overflow]).toEqual(['2', 'hidden']);
      expect(box.hidden).toBeGreaterThan(100);
      expect(box.text).toBe(`/fixtures/long?${LONG_QUERY}`);
      const depth = await headerDepth(page);
      expect(depth.actions).toBeLessThanOrEqual(200);
      expect(depth.tabs).toBeLessThanOrEqual(200);
    });

    test('the split moves at this size, and nothing overflows sideways however it is set', async () => {
      const { page } = browser;
      await page.goto(`${engine.api}/requests/${fixture}`);
      const list = page.locator('section.left');
      const detail = page.getByTestId('request-detail');
      const split = page.getByTestId('split');
      await split.waitFor();
      const sizes = async () => [(await list.boundingBox())!.width, (await detail.boundingBox())!.width];
      const [listBefore, detailBefore] = await sizes();
      const room = Number(await split.getAttribute('aria-valuemax')) - listBefore;
      expect(room, 'the split cannot move to the right').toBeGreaterThan(40);
      const drag = async (by: number) => {
        const bar = (await split.boundingBox())!;
        await page.mouse.move(bar.x + 2, bar.y + 200);
        await page.mouse.down();
        await page.mouse.move(bar.x + 2 + by, bar.y + 200, { steps: 5 });
        await page.mouse.up();
      };
      await drag(40);
      await expect.poll(async () => (await sizes())[0]).toBeCloseTo(listBefore + 40, 0);
      expect((await sizes())[1]).toBeCloseTo(detailBefore - 40, 0);
      // As far as it goes each way: both panes keep their room, nothing sticks out.
      for (const by of [width + 400, -width - 400]) {
        await drag(by);
        await expect.poll(async () => Number(await split.getAttribute('aria-valuenow'))).toBe(
          Number(await split.getAttribute(by > 0 ? 'aria-valuemax' : 'aria-valuemin')),
        );
        const g = await geometry(page, '[data-testid="request-row"] > span, [data-testid="kv-name"], [data-testid="json-key"]');
        expect(g.overflowing, `dragged by ${by}`).toEqual([]);
        expect(g.pageScrollsSideways).toBe(false);
        expect(g.multiLine, `dragged by ${by}`).toEqual([]);
        // Every tab whole and in sight (a scrolling tab bar used to hide Deliveries here).
        const tabs = await page.getByTestId('tab-body').locator('..').evaluate((bar) => {
          const edge = bar.getBoundingClientRect().right;
          return [...bar.querySelectorAll('[role="tab"]')]
            .filter((t) => t.getBoundingClientRect().right > edge + 0.5 || t.scrollWidth > t.clientWidth)
            .map((t) => t.textContent!.trim());
        });
        expect(tabs, `dragged by ${by}`).toEqual([]);
        const depth = await headerDepth(page);
        expect(depth.actions).toBeLessThanOrEqual(200);
        expect(depth.tabs).toBeLessThanOrEqual(200);
      }
      await split.dblclick();
      await expect.poll(async () => (await sizes())[0]).toBeCloseTo(listBefore, 0);
      expect(browser.problems).toEqual([]);
    });
  });
}

describe('at 1400×860', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await openBrowser(engine, { width: 1400, height: 860 });
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  });
  afterAll(async () => {
    await browser?.close();
  });

  test('the split between list and detail moves, by mouse and keyboard, and is remembered', async () => {
    const { page } = browser;
    await page.goto(`${engine.api}/requests/${fixture}`);
    const list = page.locator('section.left');
    const split = page.getByTestId('split');
    await split.waitFor();
    const before = (await list.boundingBox())!.width;
    const bar = (await split.boundingBox())!;
    await page.mouse.move(bar.x + 2, bar.y + 200);
    await page.mouse.down();
    await page.mouse.move(bar.x + 2 + 180, bar.y + 200, { steps: 5 });
    await page.mouse.up();
    await expect.poll(async () => (await list.boundingBox())!.width).toBeCloseTo(before + 180, -1);
    await split.focus();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(async () => (await list.boundingBox())!.width).toBeCloseTo(before + 180 - 16, -1);
    const chosen = (await list.boundingBox())!.width;

    await page.reload();
    await split.waitFor();
    expect((await list.boundingBox())!.width).toBeCloseTo(chosen, 0);
    // The list drops columns rather than overflowing, however narrow it is made.
    await split.focus();
    await page.keyboard.press('Home');
    expect((await geometry(page, '[data-testid="request-row"] > span')).overflowing).toEqual([]);
    await split.dblclick();
    await expect.poll(async () => (await list.boundingBox())!.width).toBeCloseTo(before, -1);
  });

  test('find in the body: Ctrl+F, every hit counted, the way opened to the current one', async () => {
    const { page } = browser;
    await page.goto(`${engine.api}/requests/${fixture}`);
    await page.getByTestId('json-tree').waitFor();
    await page.keyboard.press('Control+f');
    const input = page.getByTestId('find-input');
    await expect.poll(() => input.evaluate((el) => el === document.activeElement)).toBe(true);

    const current = () =>
      page.evaluate(() => {
        const h = CSS.highlights.get('hooklens-find-current');
        const range = h ? ([...h][0] as Range | undefined) : undefined;
        if (!range) return null;
        const r = range.getBoundingClientRect();
        return { text: range.toString(), top: r.top, bottom: r.bottom, all: CSS.highlights.get('hooklens-find')?.size ?? 0 };
      });
    const pane = (await page.getByTestId('detail-content').boundingBox())!;

    // Past the fold of the 20,000-character string: unfolded, highlighted, scrolled to.
    const needle = LONG_STRING.slice(15_000, 15_014);
    await input.fill(needle.toLowerCase());
    await expect.poll(() => page.getByTestId('find-count').textContent()).toBe('1 of 1');
    await expect.poll(async () => (await current())?.text).toBe(needle);
    const at = (await current())!;
    expect(at.top).toBeGreaterThanOrEqual(pane.y);
    expect(at.bottom).toBeLessThanOrEqual(pane.y + pane.height);

    // Thirty keys, the deepest below what the tree shows at once: previous wraps to it.
    await input.fill('level');
    await expect.poll(() => page.getByTestId('find-count').textContent()).toBe(`1 of ${DEEP}`);
    await page.getByTestId('find-prev').click();
    await expect.poll(() => page.getByTestId('find-count').textContent()).toBe(`${DEEP} of ${DEEP}`);
    await expect.poll(async () => (await current())?.text).toBe('level');
    await expect.poll(() => page.getByTestId('json-crumbs').count()).toBe(1);
    expect(await page.getByTestId('json-tree').textContent()).toContain(`"level${DEEP}"`);
    expect((await current())!.all).toBeGreaterThan(1);
    await input.press('Enter');
    await expect.poll(() => page.getByTestId('find-count').textContent()).toBe(`1 of ${DEEP}`);
    await expect.poll(() => page.getByTestId('json-crumbs').count()).toBe(0);

    // The other viewers too; Escape closes and clears.
    await page.getByTestId('body-view').getByRole('tab', { name: 'raw' }).click();
    await input.fill('ord_42');
    await expect.poll(() => page.getByTestId('find-count').textContent()).toBe('1 of 1');
    await expect.poll(async () => (await current())?.text).toBe('ord_42');
    await input.press('Escape');
    await expect.poll(() => page.getByTestId('find-bar').count()).toBe(0);
    expect(await current()).toBeNull();
    expect(browser.problems).toEqual([]);
  });

  test('find in the body: Cmd+F opens it as Ctrl+F does', async () => {
    const { page } = browser;
    await page.goto(`${engine.api}/requests/${fixture}`);
    await page.getByTestId('json-tree').waitFor();
    expect(await page.getByTestId('find-bar').count()).toBe(0);
    await page.keyboard.press('Meta+f');
    const input = page.getByTestId('find-input');
    await expect.poll(() => input.evaluate((el) => el === document.activeElement)).toBe(true);
    await input.fill('ord_42');
    await expect.poll(() => page.getByTestId('find-count').textContent()).toBe('1 of 1');
    // Pressed again while open, it brings the focus back to the bar.
    await page.getByTestId('detail-path').click();
    await page.keyboard.press('Meta+f');
    await expect.poll(() => input.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await input.inputValue()).toBe('ord_42');
    await input.press('Escape');
    await expect.poll(() => page.getByTestId('find-bar').count()).toBe(0);
    expect(browser.problems).toEqual([]);
  });

  test('Copy URL puts the whole URL on the clipboard, receiver and 4,000-character query included', async () => {
    const { page } = browser;
    await page.goto(`${engine.api}/requests/${fixture}`);
    await page.evaluate(() => navigator.clipboard.writeText('nothing yet'));
    await page.getByTestId('copy-url').click();
    await page.getByTestId('toast').filter({ hasText: 'URL copied' }).first().waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(`${engine.receiver}/fixtures/long?${LONG_QUERY}`);
    expect(browser.problems).toEqual([]);
  });

  test('find reaches past the first 256 KiB of a large text', async () => {
    const { page } = browser;
    const big = Array.from({ length: 40_000 }, (_, i) => `line ${i}: item-${i}"`).join('\n');
    expect(big.length).toBeGreaterThan(3 * 256 * 1024);
    const r = await engine.send('/find/big', { method: 'POST', body: big, headers: { 'content-type': 'text/plain' } });
    await page.goto(`${engine.api}/requests/${r.headers.get('x-hooklens-request-id')}`);
    const raw = page.getByTestId('raw-text');
    await raw.waitFor();
    expect(await raw.evaluate((el) => el.textContent!.length)).toBe(256 * 1024);
    await page.getByTestId('find-open').click();
    await page.getByTestId('find-input').fill('item-39999"');
    await expect.poll(() => page.getByTestId('find-count').textContent()).toBe('1 of 1');
    await expect.poll(() => raw.evaluate((el) => el.textContent!.length)).toBe(big.length);
  });

  test('a JSON field: copy its path or value, or make a rule from it that then applies', async () => {
    const { page } = browser;
    await page.goto(`${engine.api}/requests/${fixture}`);
    const line = page.locator('[data-testid="json-tree"] .line', { has: page.getByText('"amount"', { exact: true }) }).first();
    await line.hover();
    await line.getByTestId('copy-path').click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe('data.object.amount');
    await line.getByTestId('copy-value').click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe('1200');

    await line.getByTestId('make-rule').click();
    await page.getByTestId('rule-editor').waitFor();
    expect(await page.getByTestId('condition-field').inputValue()).toBe('json');
    expect(await page.getByTestId('condition-arg').inputValue()).toBe('data.object.amount');
    expect(await page.getByTestId('condition-op').inputValue()).toBe('equals');
    expect(await page.getByTestId('condition-value').inputValue()).toBe('1200');
    await page.locator('input[name="tag"]').fill('from-a-field');
    await page.getByTestId('rule-save').click();
    await page.waitForURL(/\/rules\/[^/n]/);

    const id = await sendFixture(engine, '/fixtures/again');
    await expect.poll(async () => (await engine.call<{ tags: string[] }>('GET', `/api/v1/requests/${id}`)).tags).toContain('from-a-field');
    expect(browser.problems).toEqual([]);
  });

  test('a signature verdict shows only where a check exists; the filter stays', async () => {
    const { page } = browser;
    await engine.call('POST', '/api/v1/endpoints', { name: 'signed', path: '/signed', signature: { scheme: 'stripe', secrets: ['whsec_test'] } });
    await engine.send('/signed/hook', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    await engine.send('/unsigned/hook', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    await page.goto(`${engine.api}/requests`);
    const row = (path: string) => page.getByTestId('request-row').filter({ hasText: path });
    await row('/unsigned/hook').waitFor();
    await row('/signed/hook').waitFor();
    expect(await row('/unsigned/hook').getByTestId('row-signature').count()).toBe(0);
    expect(await row('/signed/hook').getByTestId('row-signature').textContent()).toBe('missing');

    await row('/unsigned/hook').click();
    await page.getByTestId('tab-overview').click();
    expect(await page.getByTestId('overview-signature').textContent()).toContain('not checked');
    expect(await page.getByTestId('overview').locator('.badge').count()).toBe(0);

    await page.getByTestId('filters-toggle').click();
    await page.getByTestId('filter-signature').selectOption('unconfigured');
    await page.waitForURL(/signature=unconfigured/);
    await expect.poll(() => row('/signed/hook').count()).toBe(0);
    await row('/unsigned/hook').waitFor();
  });
});
