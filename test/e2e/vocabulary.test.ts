import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium } from '../helpers/chromium';
import { serveStudio, type ServedStudio } from '../helpers/serve';

const missing = browserSkipReason('vocabulary end-to-end tests');

describe.skipIf(missing !== null)('vocabulary view in the web studio (Chromium, real engine)', () => {
  let browser: Browser;
  let studio: ServedStudio;
  let work: string;
  let page: Page;

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-e2e-vocab-'));
    studio = await serveStudio(path.join(work, 'studio.db'));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    await page.goto(`${studio.studioUrl}`);
    await page.waitForSelector('[data-testid=status-connection][data-state=open]');
    await page.keyboard.press('3');
    // The reading's settings and its vocabulary sit under Advanced.
    await page.getByTestId('train-advanced').locator(':scope > summary').click();
    await page.getByTestId('vocabulary-panel').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('encodes the starter corpus and shows size, coverage and round trip as the engine reports them', async () => {
    await expect.poll(() => page.getByTestId('vocab-corpus').locator('option:checked').textContent()).toMatch(/Starter tunes/);
    await page.getByTestId('vocab-encoding').selectOption('events');
    await page.getByTestId('vocab-build').click();
    await page.getByTestId('vocab-report').waitFor();
    const vocabularies = await (
      await fetch(`${studio.base}/api/vocabularies.list`, { method: 'POST', body: '{}', headers: { Authorization: `Bearer ${studio.token}` } })
    ).json();
    const built = (vocabularies.value as { id: number; encoding: string; size: number; roundTrip: { notes: number } }[]).filter((v) => v.encoding === 'events').sort((a, b) => b.id - a.id)[0]!;
    expect(await page.getByTestId('vocab-size').textContent()).toBe(`${built.size} tokens`);
    expect(await page.getByTestId('vocab-coverage').textContent()).toBe('100.0%');
    expect(await page.getByTestId('vocab-roundtrip').textContent()).toContain(`of ${built.roundTrip.notes.toLocaleString('en')} notes exact`);
    expect(await page.getByTestId('token-table').locator('tbody tr').count()).toBe(built.size);
  });

  it('plays a token', async () => {
    await page.getByTestId('vocab-report').locator('details.tokens summary').click();
    await page.getByPlaceholder('Find a token').fill('Pitch_6');
    await expect.poll(() => page.getByTestId('token-table').locator('tbody tr').count()).toBeLessThan(20);
    await page.getByTestId('play-token').first().click();
    await expect.poll(() => page.getByTestId('play-token').first().textContent(), { timeout: 20_000 }).toBe('♪');
  });

  it('switches to the seed-000 variant through its choices', async () => {
    await page.getByTestId('vocab-encoding').selectOption('notes-chords');
    await page.getByTestId('param-variant').selectOption('octaves-durations');
    await page.getByTestId('vocab-build').click();
    await expect.poll(() => page.getByTestId('vocab-report').textContent()).toMatch(/notes-chords/);
    await expect.poll(() => page.getByTestId('token-table').locator('tbody tr').nth(4).textContent()).toMatch(/:\d/); // "A4:0.5"-like tokens
  });
});
