import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { actAs, cardForms, e2eUrl, openSqlEditor, runAndWait, seededRawValues, typeSql } from '../support/sql-editor.js';

/**
 * Invariants 1 and 2 (BRIEF §3), checked from the outside: after driving the SQL editor through
 * its result, error, preview, history and export paths, neither a connection password nor a raw
 * seeded card number, email or SSN may appear in the page's DOM, its JS-visible state or heap,
 * the WebSocket traffic, the downloaded export, or the host's log files.
 */

interface Needle {
  kind: string;
  value: string;
}

function needles(): Needle[] {
  const secrets = JSON.parse(process.env.GATEHOUSE_E2E_SECRETS ?? '[]') as string[];
  const raw = seededRawValues(200);
  return [
    ...secrets.map((value) => ({ kind: 'connection password', value })),
    ...raw.emails.map((value) => ({ kind: 'seeded email', value })),
    ...raw.cards.flatMap((pan) => cardForms(pan).map((value) => ({ kind: 'seeded card number', value }))),
    ...raw.ssns.map((value) => ({ kind: 'seeded SSN', value })),
  ];
}

/** Where each needle was found, naming its kind and index only: the report itself must not leak. */
function findIn(source: string, text: string, list: Needle[]): string[] {
  const found: string[] = [];
  list.forEach((n, i) => {
    if (text.includes(n.value)) found.push(`${n.kind} #${i} in ${source}`);
  });
  return found;
}

/** Every string reachable from React's fiber tree (props and hook state) and from window. */
async function jsVisibleState(page: Page): Promise<string> {
  return page.evaluate(() => {
    const out: string[] = [];
    const seen = new WeakSet<object>();
    const walk = (value: unknown, depth: number): void => {
      if (typeof value === 'string') {
        out.push(value);
        return;
      }
      if (depth > 8 || value === null || typeof value !== 'object' || value instanceof Node || seen.has(value)) return;
      seen.add(value);
      if (value instanceof Map || value instanceof Set) {
        for (const v of value) walk(v, depth + 1);
        return;
      }
      for (const key of Object.keys(value)) {
        if (key === '_owner' || key === 'return') continue;
        try {
          walk((value as Record<string, unknown>)[key], depth + 1);
        } catch {
          // getters that throw are not state
        }
      }
    };
    const root = document.getElementById('root') as (HTMLElement & Record<string, unknown>) | null;
    const containerKey = root ? Object.keys(root).find((k) => k.startsWith('__reactContainer$')) : undefined;
    type Fiber = { child: Fiber | null; sibling: Fiber | null; memoizedProps: unknown; memoizedState: unknown };
    const stack: Fiber[] = [];
    const first = containerKey ? (root?.[containerKey] as Fiber | undefined) : undefined;
    if (first) stack.push(first);
    while (stack.length > 0) {
      const fiber = stack.pop() as Fiber;
      walk(fiber.memoizedProps, 0);
      walk(fiber.memoizedState, 0);
      if (fiber.sibling) stack.push(fiber.sibling);
      if (fiber.child) stack.push(fiber.child);
    }
    for (const key of Object.keys(window)) {
      try {
        walk((window as unknown as Record<string, unknown>)[key], 6);
      } catch {
        // cross-origin or throwing properties
      }
    }
    for (const storage of [localStorage, sessionStorage]) {
      for (let i = 0; i < storage.length; i++) {
        const key = storage.key(i) ?? '';
        out.push(key, storage.getItem(key) ?? '');
      }
    }
    out.push(document.cookie);
    return out.join('\n');
  });
}

/** Every string in the page's V8 heap, after a GC: what any script in the page could still read. */
async function heapStrings(page: Page): Promise<string> {
  const cdp = await page.context().newCDPSession(page);
  const chunks: string[] = [];
  cdp.on('HeapProfiler.addHeapSnapshotChunk', (e: { chunk: string }) => chunks.push(e.chunk));
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  await cdp.detach();
  return chunks.join('');
}

function hostFiles(dataDir: string): Array<{ name: string; text: string }> {
  const files: Array<{ name: string; text: string }> = [];
  const visit = (dir: string, match: RegExp): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir)) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) visit(full, match);
      else if (match.test(entry)) files.push({ name: full.slice(dataDir.length + 1), text: readFileSync(full, 'utf8') });
    }
  };
  visit(join(dataDir, 'logs'), /\.log$/);
  // Recordings are held to the same rule (invariant 2), when this build writes any.
  visit(join(dataDir, 'recordings'), /\.(jsonl|cast|log)$/);
  return files;
}

test('no password or raw seeded value reaches the page, the socket or the logs', async ({ page }) => {
  test.setTimeout(180_000);
  const frames: string[] = [];
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => frames.push(String(f.payload)));
    ws.on('framereceived', (f) => frames.push(String(f.payload)));
  });
  await page.goto(e2eUrl());
  await actAs(page, 'engineer');

  // Results, with the sensitive columns of the first seeded rows.
  const tab = await openSqlEditor(page, 'demo-postgres');
  await typeSql(page, tab, 'SELECT * FROM customers ORDER BY id LIMIT 200');
  await runAndWait(page, tab);
  await expect(tab.getByTestId('sql-row-count')).toHaveText('200 rows');
  await typeSql(page, tab, 'SELECT * FROM payment_cards ORDER BY id LIMIT 200');
  await runAndWait(page, tab);
  await expect(tab.getByTestId('sql-row-count')).toHaveText('200 rows');
  // Errors whose message echoes a value: PostgreSQL quotes the offending input.
  await typeSql(page, tab, 'SELECT email::int FROM customers ORDER BY id LIMIT 1');
  await runAndWait(page, tab);
  await expect(tab.getByTestId('sql-error')).toBeVisible();
  await typeSql(page, tab, 'SELECT card_number::int FROM payment_cards ORDER BY id LIMIT 1');
  await runAndWait(page, tab);
  await expect(tab.getByTestId('sql-error')).toBeVisible();
  // A refusal, a preview, the history and an export.
  await typeSql(page, tab, 'DROP TABLE customers');
  await runAndWait(page, tab);
  await page.locator('[data-testid="schema-item"][data-name="public.customers"]').click();
  await expect(tab.getByTestId('sql-status')).toContainText('Preview of public.customers');
  await expect(tab.getByTestId('sql-status')).toHaveAttribute('data-phase', 'done');
  await tab.getByTestId('sql-history-toggle').click();
  await expect(tab.getByTestId('history-item').first()).toBeVisible();
  const download = page.waitForEvent('download');
  await tab.getByTestId('sql-export').click();
  const exported = readFileSync(await (await download).path(), 'utf8');

  // The real PostgreSQL connection's password is used on this path (admin sees e2e-* connections).
  await actAs(page, 'admin');
  const pgTab = await openSqlEditor(page, 'e2e-postgres');
  await typeSql(page, pgTab, 'SELECT email FROM customers ORDER BY id LIMIT 50');
  await runAndWait(page, pgTab);
  await expect(pgTab.getByTestId('sql-row-count')).toHaveText('50 rows');

  const list = needles();
  expect(list.filter((n) => n.kind === 'connection password').length, 'global setup exposes the passwords to the test').toBeGreaterThan(0);
  const dataDir = process.env.GATEHOUSE_E2E_DATA_DIR ?? '';
  const logs = hostFiles(dataDir);
  expect(logs.length, 'the host writes a log').toBeGreaterThan(0);

  const found = [
    ...findIn('the DOM', await page.evaluate(() => document.documentElement.outerHTML), list),
    ...findIn('JS-visible state', await jsVisibleState(page), list),
    ...findIn('the JS heap', await heapStrings(page), list),
    ...findIn('WebSocket frames', frames.join('\n'), list),
    ...findIn('the CSV export', exported, list),
    ...logs.flatMap((f) => findIn(f.name, f.text, list)),
  ];
  expect(frames.length, 'the bridge traffic was captured').toBeGreaterThan(10);
  expect(found).toEqual([]);
});
