import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium } from '../helpers/chromium';
import { JIGS } from '../helpers/corpora';
import { end, file, header, off, on, track } from '../helpers/midi-bytes';
import { serveStudio, type ServedStudio } from '../helpers/serve';

const missing = browserSkipReason('library end-to-end tests');

/** A piano piece of `count` notes: a rising and falling figure in sixteenths. */
function bigPiece(count: number): Uint8Array {
  const events: number[][] = [];
  for (let i = 0; i < count; i++) {
    const pitch = 40 + ((i * 7) % 48);
    events.push(on(0, 0, pitch, 40 + (i % 80)), off(120, 0, pitch));
  }
  events.push(end());
  return file(header(0, 1, 480), track(events));
}

describe.skipIf(missing !== null)('library in the web studio (Chromium, real engine)', () => {
  let browser: Browser;
  let studio: ServedStudio;
  let work: string;
  let page: Page;

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-e2e-lib-'));
    // A folder as a musician might have one: tunes in a subfolder, a stray text file, a broken MIDI file.
    const folder = path.join(work, 'My Jigs');
    fs.mkdirSync(path.join(folder, 'more'), { recursive: true });
    for (const name of ['jigs1.mid', 'jigs2.mid', 'jigs3.mid']) fs.copyFileSync(path.join(JIGS, name), path.join(folder, name));
    fs.copyFileSync(path.join(JIGS, 'jigs4.mid'), path.join(folder, 'more', 'jigs4.mid'));
    fs.writeFileSync(path.join(folder, 'notes.txt'), 'not music');
    fs.writeFileSync(path.join(folder, 'broken.mid'), 'MThd\0\0\0\x06\0\x01\0\x02');
    fs.writeFileSync(path.join(work, 'big.mid'), bigPiece(10_000));
    studio = await serveStudio(path.join(work, 'studio.db'));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(studio.studioUrl);
    await page.waitForSelector('[data-testid=status-connection][data-state=open]');
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('shows the bundled starter corpus on first run', async () => {
    await expect.poll(() => page.getByTestId('corpus-title').textContent()).toBe('Starter tunes');
    expect(Number(await page.getByTestId('piece-count').textContent().then((t) => t!.split(' ')[0]))).toBeGreaterThanOrEqual(40);
  });

  it('imports a folder into a new corpus and reports the file it could not read', async () => {
    await page.getByTestId('import-target').fill('My Jigs');
    await page.getByTestId('folder-input').setInputFiles(path.join(work, 'My Jigs'));
    const summary = page.getByTestId('import-summary');
    await summary.waitFor();
    expect(await summary.textContent()).toMatch(/4 imported into “My Jigs”, 1 failed/);
    await summary.getByText('What failed, and why').click();
    expect(await summary.textContent()).toMatch(/broken\.mid.*truncated header/);
    await expect.poll(() => page.getByTestId('corpus-title').textContent()).toBe('My Jigs');
    expect(await page.getByTestId('piece-row').count()).toBe(4);
    const stats = await page.getByTestId('corpus-stats').textContent();
    expect(stats).toMatch(/Pieces\s*4/);
  });

  it('opens a piece on the piano roll and plays it from where the playhead is put', async () => {
    await page.getByRole('button', { name: 'jigs2' }).click();
    await page.getByTestId('piano-roll').waitFor();
    expect(await page.getByTestId('piece-title').textContent()).toBe('jigs2');
    expect(Number(await page.getByTestId('piano-roll').getAttribute('data-visible-notes'))).toBeGreaterThan(10);
    // Put the playhead a third of the way across the roll, then play.
    const box = (await page.getByTestId('piano-roll').boundingBox())!;
    await page.mouse.click(box.x + box.width / 3, box.y + box.height / 2);
    const startAt = Number(await page.getByTestId('play').getAttribute('data-position'));
    expect(startAt).toBeGreaterThan(0);
    await page.getByTestId('play').click();
    await expect.poll(() => page.getByTestId('play').getAttribute('data-state'), { timeout: 20_000 }).toBe('playing');
    await expect.poll(async () => Number(await page.getByTestId('play').getAttribute('data-scheduled'))).toBeGreaterThan(0);
    await expect.poll(async () => Number(await page.getByTestId('play').getAttribute('data-position'))).toBeGreaterThan(startAt + 0.5);
    await page.keyboard.press('Space'); // pause
    await expect.poll(() => page.getByTestId('play').getAttribute('data-state')).toBe('paused');
    const pausedAt = Number(await page.getByTestId('play').getAttribute('data-position'));
    await page.waitForTimeout(300);
    expect(Number(await page.getByTestId('play').getAttribute('data-position'))).toBe(pausedAt);
  });

  it('imports a file dropped on the page, and keeps a 10,000-note piece responsive on the roll', async () => {
    await page.getByTestId('import-target').fill('Big');
    const bytes = [...fs.readFileSync(path.join(work, 'big.mid'))];
    await page.evaluate((data) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], 'big.mid', { type: 'audio/midi' }));
      document.querySelector('[data-testid=page-library]')!.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, bytes);
    await expect.poll(() => page.getByTestId('import-summary').textContent()).toMatch(/1 imported into “Big”/);
    await page.getByRole('button', { name: 'big', exact: true }).click();
    const roll = page.getByTestId('piano-roll');
    await roll.waitFor();
    await expect.poll(() => page.getByTestId('piece-title').textContent()).toBe('big');
    // Zoom all the way out (every note on screen), then scroll: the roll keeps drawing.
    for (let i = 0; i < 40; i++) await page.getByRole('button', { name: 'Zoom out' }).click();
    const allVisible = Number(await roll.getAttribute('data-visible-notes'));
    const drawMs = Number(await roll.getAttribute('data-draw-ms'));
    console.log(`piano roll, 10,000-note piece zoomed out: ${allVisible} notes drawn in ${drawMs} ms`);
    expect(allVisible).toBe(10_000);
    for (let i = 0; i < 45; i++) await page.getByRole('button', { name: 'Zoom in' }).click();
    const before = Number(await roll.getAttribute('data-scroll-tick'));
    await page.mouse.move((await roll.boundingBox())!.x + 300, (await roll.boundingBox())!.y + 100);
    await page.mouse.wheel(0, 2000);
    await expect.poll(async () => Number(await roll.getAttribute('data-scroll-tick'))).toBeGreaterThan(before);
    expect(Number(await roll.getAttribute('data-visible-notes'))).toBeLessThan(allVisible);
  });

  it('moves selected pieces to another corpus', async () => {
    await page.getByTestId('corpus-item').filter({ hasText: 'My Jigs' }).click();
    await expect.poll(() => page.getByTestId('piece-row').count()).toBe(4);
    await page.getByLabel('Select jigs1').check();
    await page.getByLabel('Select jigs3').check();
    await page.getByTestId('move-to').selectOption({ label: 'Big' });
    await page.getByTestId('move').click();
    await expect.poll(() => page.getByTestId('piece-row').count()).toBe(2);
    await page.getByTestId('corpus-item').filter({ hasText: 'Big' }).click();
    await expect.poll(() => page.getByTestId('piece-row').count()).toBe(3);
  });

  it('deletes a corpus only after confirmation', async () => {
    await page.getByTestId('corpus-item').filter({ hasText: 'Big' }).click();
    await page.getByTestId('corpus-delete').click();
    const dialog = page.getByTestId('dialog-delete-corpus');
    await dialog.waitFor();
    await dialog.getByText('Keep it').click();
    await expect.poll(() => page.getByTestId('corpus-item').filter({ hasText: 'Big' }).count()).toBe(1);
    await page.getByTestId('corpus-delete').click();
    await page.getByTestId('confirm-delete').click();
    await expect.poll(() => page.getByTestId('corpus-item').filter({ hasText: 'Big' }).count()).toBe(0);
  });
});
