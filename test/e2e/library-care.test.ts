import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine';
import { browserSkipReason, launchChromium } from '../helpers/chromium';
import { serveStudio, type ServedStudio } from '../helpers/serve';

const missing = browserSkipReason('library care end-to-end tests');

describe.skipIf(missing !== null)('backups from the status bar (Chromium, real engine)', () => {
  let browser: Browser;
  let studio: ServedStudio | null = null;
  let work: string;
  let db: string;
  let page: Page;

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-e2e-care-'));
    db = path.join(work, 'studio.db');
    studio = await serveStudio(db);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(studio.studioUrl);
    await page.waitForSelector('[data-testid=status-connection][data-state=open]');
    // The first start's work (starter tunes, base models) done: the library page lists its corpus.
    await page.getByTestId('corpus-title').waitFor({ timeout: 120_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('backs up from the panel, asks before a restore, restores at the next start, and the status bar says when the last backup was', { timeout: 180_000 }, async () => {
    await page.getByTestId('status-backup').click();
    await page.getByTestId('dialog-library-care').waitFor();
    await page.getByTestId('backup-now').click();
    // The backup's row, or the sentence that says why there is none.
    await expect
      .poll(async () => ((await page.getByTestId('restore-backup').count()) > 0 ? 'listed' : await page.locator('[data-testid=dialog-library-care] .message').textContent().catch(() => null)), { timeout: 90_000 })
      .toBe('listed');
    await expect.poll(() => page.getByTestId('status-backup').textContent()).toMatch(/last backup (today|\d)/);

    // A restore asks first, can be called off, and waits for the next start.
    await page.getByTestId('restore-backup').first().click();
    await page.getByTestId('restore-confirm').waitFor();
    expect(await page.getByTestId('restore-confirm').textContent()).toMatch(/Everything made since then leaves the library/);
    await page.getByTestId('restore-yes').click();
    await expect.poll(() => page.getByTestId('restore-pending').textContent()).toMatch(/will be restored when\s+Etude next starts/);
    await page.getByTestId('restore-cancel').click();
    await expect.poll(() => page.getByTestId('restore-pending').count()).toBe(0);
    await page.getByTestId('restore-backup').first().click();
    await page.getByTestId('restore-yes').click();
    await page.getByTestId('restore-pending').waitFor();

    await studio!.stop();
    studio = null;
    // The next start carries it out: the library as it was is kept as a backup beside the others.
    const engine = await Engine.start({ dbPath: db, starterCorpus: false, baseModels: false });
    try {
      const status = await engine.call('library.status', {});
      expect(status.ok).toBe(true);
      if (status.ok) {
        const s = status.value as { pendingRestore: unknown; backups: { reason: string }[] };
        expect(s.pendingRestore).toBeNull();
        expect(s.backups.map((b) => b.reason)).toContain('restore');
      }
    } finally {
      await engine.close();
    }
  });
});
