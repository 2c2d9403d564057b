/// <reference lib="dom" />
/**
 * A musician's walk through the web studio, with a screenshot of every page at 1440×900 and at
 * 1024×700: a fresh database, a folder imported, a model trained within a budget, a passage
 * dragged on Compose and continued, a take listened to and exported. For looking at, not a test:
 * `npx tsx scripts/walkthrough.mts [OUT_DIR] [--budget MINUTES] [--folder DIR ...] [--personalise]`
 * (a few minutes; needs Chromium). Each `--folder` is imported in turn (each makes its own
 * corpus), the last one is trained on; `--personalise` takes the base the Train page suggests.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/helpers/chromium';
import { JIGS } from '../test/helpers/corpora';
import { serveStudio } from '../test/helpers/serve';

const out = path.resolve(process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : 'test-results/walkthrough');
const budget = process.argv.includes('--budget') ? process.argv[process.argv.indexOf('--budget') + 1]! : '2';
const personalise = process.argv.includes('--personalise');
fs.mkdirSync(out, { recursive: true });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-walk-'));
const given = process.argv.flatMap((a, i) => (a === '--folder' && process.argv[i + 1] ? [path.resolve(process.argv[i + 1]!)] : []));
/** Copies of the folders to import, under their own names (the corpus each makes is named after it). */
const folders: string[] = [];
for (const source of given.length > 0 ? given : [null]) {
  const folder = path.join(work, source ? path.basename(source) : 'Session jigs');
  fs.mkdirSync(folder);
  const from = source ?? JIGS;
  for (const f of fs.readdirSync(from).filter((f) => /\.(mid|midi|abc)$/i.test(f)).slice(0, 60)) fs.copyFileSync(path.join(from, f), path.join(folder, f));
  folders.push(folder);
}
const trainOn = path.basename(folders.at(-1)!);

const studio = await serveStudio(path.join(work, 'studio.db'));
const browser = await launchChromium();
const errors: string[] = [];
let shot = 0;

async function snap(page: Page, name: string): Promise<void> {
  const { width, height } = page.viewportSize()!;
  const file = path.join(out, `${String(++shot).padStart(2, '0')}-${name}-${width}x${height}.png`);
  await page.screenshot({ path: file, fullPage: false });
  console.log(file);
}

const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
try {
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(studio.studioUrl);
  await page.waitForSelector('[data-testid=status-connection][data-state=open]');
  await page.getByTestId('corpus-title').waitFor();
  await snap(page, 'library-first-run');
  for (const folder of folders) {
    await page.getByTestId('folder-input').setInputFiles(folder);
    await page.getByTestId('import-summary').filter({ hasText: `into “${path.basename(folder)}”` }).waitFor({ timeout: 120_000 });
    await page.getByTestId('piece-row').first().locator('td').nth(4).click();
    await page.getByTestId('piano-roll').waitFor();
    await snap(page, `library-imported-${path.basename(folder).replace(/\W+/g, '-')}`);
  }

  await page.keyboard.press('3');
  await page.getByTestId('reading-status').filter({ hasText: 'Read:' }).waitFor({ timeout: 60_000 });
  await page.getByTestId('vocab-corpus').selectOption({ label: (await page.getByTestId('vocab-corpus').locator('option').filter({ hasText: trainOn }).textContent())! });
  // The page may have chosen the new corpus already; either way its reading follows.
  await page.waitForTimeout(1000);
  await page.waitForFunction(() => document.querySelector('[data-testid=reading-status]')?.textContent?.trim().startsWith('Read:'), undefined, { timeout: 60_000 });
  if (personalise) {
    await page.getByTestId('base-suggestion-use').click({ timeout: 30_000 });
    await page.getByTestId('base-reading').waitFor({ timeout: 120_000 });
  }
  await page.getByTestId('train-budget').selectOption(budget);
  await page.getByTestId('estimate').waitFor({ timeout: 120_000 });
  await snap(page, 'train-setup');
  await page.getByTestId('train-start').click();
  await page.getByTestId('run-panel').waitFor();
  await page.waitForTimeout(8000);
  await snap(page, 'train-running');
  await page.keyboard.press('2');
  await snap(page, 'models-while-training');
  await page.keyboard.press('3');
  await page.getByTestId('run-status').filter({ hasText: /completed|stopped/ }).waitFor({ timeout: (Number(budget) + 3) * 60_000 });
  await snap(page, 'train-done');
  if (personalise) {
    await page.keyboard.press('2');
    await page.locator('[data-testid=model-row]:not([data-base])').first().click();
    await page.getByTestId('personal-gain').locator('strong').waitFor({ timeout: 120_000 });
    await snap(page, 'models-personal-gain');
    await page.keyboard.press('3');
    await page.getByTestId('compose-with-it').click({ timeout: 30_000 });
  }

  // Personalised: Compose with it has chosen the new model; else the first (the most trained).
  if (!personalise) await page.keyboard.press('4');
  await page.getByTestId('compose-piece').waitFor();
  if (!personalise) await page.getByTestId('compose-model').selectOption({ index: 0 });
  const roll = page.locator('.passage [data-testid=piano-roll]');
  const box = (await roll.boundingBox())!;
  await page.mouse.move(box.x + 60, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.45, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
  await page.getByTestId('compose-length').fill('4');
  await page.getByTestId('compose-variations').fill('3');
  await snap(page, 'compose-passage');
  await page.getByTestId('compose-generate').click();
  await page.getByTestId('generation-name').waitFor({ timeout: 120_000 });
  await page.getByTestId('take-play').first().click();
  await page.waitForTimeout(1500);
  await snap(page, 'compose-takes');
  await page.getByTestId('take-style-toggle').first().click({ timeout: 30_000 });
  await page.getByTestId('take-style').first().scrollIntoViewIfNeeded();
  await snap(page, 'compose-style');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('take-save').first().click()]);
  console.log(`exported ${download.suggestedFilename()}`);

  // The same pages on a small laptop screen.
  await page.setViewportSize({ width: 1024, height: 700 });
  for (const [key, name] of [
    ['1', 'library'],
    ['2', 'models'],
    ['3', 'train'],
    ['4', 'compose'],
  ] as const) {
    await page.keyboard.press(key);
    await page.waitForTimeout(800);
    await snap(page, name);
  }
  await page.keyboard.press('2');
  await page.getByTestId('model-row').first().click();
  await page.getByTestId('model-card').waitFor({ timeout: 30_000 });
  await snap(page, 'models-card');
  await page.setViewportSize({ width: 1440, height: 900 });
  await snap(page, 'models-card');
  console.log(errors.length ? `page errors:\n${errors.join('\n')}` : 'no page errors');
} catch (error) {
  await snap(page, 'where-it-stopped');
  throw error;
} finally {
  await browser.close();
  await studio.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
