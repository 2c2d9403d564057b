/// <reference lib="dom" />
/**
 * The page's share of a long afternoon (issue: a day in the studio without a restart): the web
 * studio against a real `etude serve` on a fresh library, Compose asked for 4 takes of 4 bars from
 * bars 1–4 of a starter tune again and again with the folk base model, the first take of each
 * played for a moment. Prints the page's JS heap (after a forced collection), DOM nodes and event
 * listeners after 20 takes and after the last. For measuring, not a test:
 * `npx tsx scripts/page-soak.mts [GENERATIONS]` (default 50, i.e. 200 takes; needs Chromium).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchChromium } from '../test/helpers/chromium';
import { serveStudio } from '../test/helpers/serve';

const generations = Number(process.argv[2] ?? 50);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-page-soak-'));
const studio = await serveStudio(path.join(work, 'studio.db'));
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
const cdp = await page.context().newCDPSession(page);
const errors: string[] = [];
page.on('pageerror', (e) => errors.push(e.message));

async function measure(): Promise<{ heapMb: number; nodes: number; listeners: number }> {
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  const counters = (await cdp.send('Memory.getDOMCounters')) as { nodes: number; jsEventListeners: number };
  return { heapMb: Math.round((heap.usedSize / 2 ** 20) * 10) / 10, nodes: counters.nodes, listeners: counters.jsEventListeners };
}

try {
  await page.goto(studio.studioUrl);
  await page.waitForSelector('[data-testid=status-connection][data-state=open]');
  await page.keyboard.press('4');
  await page.getByTestId('compose-piece').waitFor();
  const model = page.getByTestId('compose-model');
  const folk = (await model.locator('option').allTextContents()).find((t) => /folk/i.test(t));
  if (!folk) throw new Error('the folk base model is not offered on Compose');
  await model.selectOption({ label: folk });
  await page.getByTestId('compose-bar-from').fill('1');
  await page.getByTestId('compose-bar-to').fill('4');
  await page.getByTestId('compose-length').fill('4');
  await page.getByTestId('compose-variations').fill('4');
  if (await page.getByTestId('compose-listen').isChecked()) await page.getByTestId('compose-listen').uncheck();
  const rows: string[] = [];
  let atTwenty: Awaited<ReturnType<typeof measure>> | null = null;
  for (let g = 1; g <= generations; g++) {
    await page.getByTestId('compose-generate').click();
    await page.getByTestId('generation-name').filter({ hasText: new RegExp(`generation ${g}\\b`) }).waitFor({ timeout: 120_000 });
    await page.getByTestId('take-play').first().click();
    await page.waitForFunction(() => document.querySelector('[data-testid=take-play]')?.getAttribute('aria-label')?.startsWith('Pause'), undefined, { timeout: 30_000 }).catch(() => undefined);
    await page.getByTestId('take-play').first().click();
    if (g === 5) atTwenty = await measure();
  }
  const last = await measure();
  rows.push(`after 20 takes: ${JSON.stringify(atTwenty)}`, `after ${generations * 4} takes: ${JSON.stringify(last)}`);
  console.log(rows.join('\n'));
  console.log(JSON.stringify({ takes: generations * 4, heap_mb_at_20: atTwenty?.heapMb, heap_mb_at_end: last.heapMb, nodes_at_20: atTwenty?.nodes, nodes_at_end: last.nodes, listeners_at_20: atTwenty?.listeners, listeners_at_end: last.listeners, page_errors: errors.length }));
} finally {
  await browser.close();
  await studio.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
