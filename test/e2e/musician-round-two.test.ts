import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunInfo } from '../../src/shared/training';
import { browserSkipReason, launchChromium } from '../helpers/chromium';
import { JIGS, PIANO } from '../helpers/corpora';
import { end, file, header, meter, off, on, tempo, track } from '../helpers/midi-bytes';
import { serveStudio, type ServedStudio } from '../helpers/serve';
import { Midi } from '../helpers/tonejs';

const missing = browserSkipReason('musician round-two end-to-end tests');

/** Multi-track piano pieces (two staves each, chords in the left hand). */
const PIANO_PIECES = ['TheEntertainer.mid', 'bach_846.mid', 'bach_847.mid', 'symphony_7_2.mid'];

/**
 * The second round of a musician's session, in Chromium against the real engine: an import that
 * never merges silently and can be undone, the Library's rows and banners, the Train page's
 * honest budget and base suggestion, Compose's side-by-side and take names.
 */
describe.skipIf(missing !== null)('a musician’s second session (Chromium, real engine)', () => {
  let browser: Browser;
  let studio: ServedStudio;
  let work: string;
  let page: Page;
  const pageErrors: string[] = [];

  async function api<T>(method: string, input: unknown): Promise<T> {
    const reply = await fetch(`${studio.base}/api/${method}`, { method: 'POST', body: JSON.stringify(input), headers: { Authorization: `Bearer ${studio.token}`, 'Content-Type': 'application/json' } });
    const body = (await reply.json()) as { ok: boolean; value: T; error?: { message: string } };
    if (!body.ok) throw new Error(body.error?.message);
    return body.value;
  }
  const corpusItem = (name: string) => page.getByTestId('corpus-item').filter({ has: page.locator('.name', { hasText: new RegExp(`^${name}$`) }) });

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-e2e-round-two-'));
    const waltzes = path.join(work, 'Waltzes');
    const piano = path.join(work, 'Piano');
    fs.mkdirSync(waltzes);
    fs.mkdirSync(piano);
    for (const name of ['jigs1.mid', 'jigs2.mid', 'jigs3.mid', 'jigs4.mid']) fs.copyFileSync(path.join(JIGS, name), path.join(waltzes, name));
    for (const name of PIANO_PIECES) fs.copyFileSync(path.join(PIANO, name), path.join(piano, name));
    // A note no piano plays (F♯-1, MIDI 6): written by a sequencer an octave or more too low.
    fs.writeFileSync(path.join(work, 'low.mid'), file(header(0, 1, 96), track([tempo(0, 500_000), meter(0, 4, 2), on(0, 0, 6), off(96, 0, 6), on(0, 0, 60), off(96, 0, 60), end()])));
    // A bigger piano corpus (the same pieces, each copy under its own name, so none is a duplicate):
    // one pass over it takes longer than two minutes on any machine these tests run on.
    const copies = path.join(work, 'Piano copies');
    fs.mkdirSync(copies);
    for (const name of PIANO_PIECES) {
      const midi = new Midi(fs.readFileSync(path.join(PIANO, name)));
      for (let k = 1; k <= 40; k++) {
        midi.header.name = `${name} copy ${k}`;
        fs.writeFileSync(path.join(copies, `${k}-${name}`), midi.toArray());
      }
    }
    studio = await serveStudio(path.join(work, 'studio.db'));
    await api('corpora.import', { corpus: 'Piano copies', paths: [copies] });
    // One barely trained model of the musician's own, to compose and compare with.
    const [starter] = await api<{ id: number; name: string }[]>('corpora.list', {});
    const vocab = await api<{ id: number }>('vocabularies.build', { corpusId: starter!.id, encoding: 'events' });
    const spec = { arch: 'lstm', embedding: 16, units: 32, layers: 1, dropout: 0, dense: 0 };
    const sketch = await api<RunInfo>('training.start', { vocabularyId: vocab.id, model: 'sketch', spec, hyperparams: { epochs: 2, batchSize: 32, sequenceLength: 32, learningRate: 0.01, seed: 4 } });
    for (;;) {
      const runs = await api<RunInfo[]>('runs.list', {});
      if (runs.find((r) => r.id === sketch.id)?.status === 'completed') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(studio.studioUrl);
    await page.waitForSelector('[data-testid=status-connection][data-state=open]');
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await studio?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('a folder never lands in the corpus on screen: it makes its own, and Undo takes the import back', async () => {
    await page.getByTestId('folder-input').setInputFiles(path.join(work, 'Waltzes'));
    await expect.poll(() => page.getByTestId('corpus-title').textContent()).toBe('Waltzes');
    // The waltzes on screen, the piano folder imported with no corpus named: a corpus of its own.
    await page.getByTestId('folder-input').setInputFiles(path.join(work, 'Piano'));
    await expect.poll(() => page.getByTestId('import-summary').textContent()).toMatch(/4 imported into “Piano”/);
    await expect.poll(() => page.getByTestId('corpus-title').textContent()).toBe('Piano');
    expect(await corpusItem('Waltzes').textContent()).toMatch(/4 pieces/);
    await page.getByTestId('import-undo').click();
    await expect.poll(() => page.getByTestId('import-undone').textContent()).toMatch(/Import undone: 4 pieces taken out of “Piano”, and the corpus removed/);
    expect(await corpusItem('Piano').count()).toBe(0);
    // Imported again, for the pages that follow.
    await page.getByTestId('folder-input').setInputFiles(path.join(work, 'Piano'));
    await expect.poll(() => page.getByTestId('corpus-title').textContent()).toBe('Piano');
    expect(await page.getByTestId('import-undone').count()).toBe(0);
  });

  it('Select all under a search ticks and unticks only the rows shown; a tick on a hidden row stays', async () => {
    await corpusItem('Waltzes').click();
    await expect.poll(() => page.getByTestId('piece-row').count()).toBe(4);
    await page.getByLabel('Select jigs1').check();
    await page.getByTestId('piece-search').fill('jigs2');
    await expect.poll(() => page.getByTestId('piece-row').count()).toBe(1);
    const all = page.getByLabel('Select all pieces');
    await all.check();
    await expect.poll(() => page.getByTestId('bulk-actions').textContent()).toMatch(/^\s*2 selected/);
    await all.uncheck();
    await expect.poll(() => page.getByTestId('bulk-actions').textContent()).toMatch(/^\s*1 selected/);
    await page.getByTestId('piece-search').fill('');
    await expect.poll(() => page.getByTestId('piece-row').count()).toBe(4);
    await page.getByLabel('Select jigs1').uncheck();
  });

  it('a piece opens from anywhere on its row with its roll in view; a note no piano plays is flagged; a stale banner goes', async () => {
    await page.getByTestId('piece-row').nth(2).locator('td').nth(4).click();
    await expect.poll(() => page.getByTestId('piece-title').textContent()).toBe('jigs3');
    const roll = page.getByTestId('piano-roll');
    await expect
      .poll(async () => {
        const box = await roll.boundingBox();
        return box !== null && box.y >= 0 && box.y + 60 <= 800;
      })
      .toBe(true);
    expect(await page.getByTestId('piece-range-flag').count()).toBe(0);
    // A loose file joins the corpus on screen (the drop overlay names it), and its F♯-1 is flagged.
    await page.getByTestId('file-input').setInputFiles(path.join(work, 'low.mid'));
    await expect.poll(() => page.getByTestId('import-summary').textContent()).toMatch(/1 imported into “Waltzes”/);
    await page.getByTestId('piece-row').filter({ hasText: 'low' }).locator('td').nth(3).click();
    await expect.poll(() => page.getByTestId('piece-range-flag').textContent()).toMatch(/F♯-1 is below the piano's lowest note, A0/);
    await page.evaluate(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['notes'], 'setlist.txt', { type: 'text/plain' }));
      document.querySelector('[data-testid=page-library]')!.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    });
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'setlist.txt' }).count()).toBe(1);
    await corpusItem('Piano').click();
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'setlist.txt' }).count()).toBe(0);
  });

  it('Train suggests the keyboard base for polyphonic piano, says what its reading loses in words, and the choice survives a reload', async () => {
    await page.keyboard.press('3');
    const corpusSelect = page.getByTestId('vocab-corpus');
    await corpusSelect.selectOption({ label: 'Piano (4 pieces)' });
    const suggestion = page.getByTestId('base-suggestion');
    await expect.poll(() => suggestion.textContent(), { timeout: 30_000 }).toMatch(/^\s*Start from Chorales and keyboard \(base\)/);
    await page.getByTestId('base-suggestion-use').click();
    const chosen = () => page.getByTestId('train-from-base').locator('option:checked').textContent();
    await expect.poll(chosen).toBe('Chorales and keyboard (base): personalise it (recommended)');
    await expect.poll(() => page.getByTestId('base-reading').textContent(), { timeout: 60_000 }).toMatch(/^Read the way Chorales and keyboard \(base\) hears music, \d+% of your notes come back exactly.*\. It hears /);
    await page.reload();
    await page.waitForSelector('[data-testid=status-connection][data-state=open]');
    await page.getByTestId('vocab-corpus').selectOption({ label: 'Piano (4 pieces)' });
    await expect.poll(chosen, { timeout: 30_000 }).toBe('Chorales and keyboard (base): personalise it (recommended)');
    // The melodies keep the melody base's suggestion.
    await page.getByTestId('vocab-corpus').selectOption({ label: 'Waltzes (5 pieces)' });
    await expect.poll(() => suggestion.textContent(), { timeout: 30_000 }).toMatch(/^\s*Start from Folk melodies \(base\)/);
  });

  it('a budget that cannot finish one pass is named beside Start, with the budget that would, and the estimate does not claim an epoch', async () => {
    const copies = (await page.getByTestId('vocab-corpus').locator('option').filter({ hasText: 'Piano copies' }).textContent())!;
    expect(copies).toMatch(/^Piano copies \(1\d\d pieces\)$/);
    await page.getByTestId('vocab-corpus').selectOption({ label: copies });
    await page.getByTestId('train-from-base').selectOption({ label: 'Chorales and keyboard (base): personalise it (recommended)' });
    await page.getByTestId('train-budget').selectOption({ label: 'about 2 minutes' });
    const warning = page.getByTestId('budget-warning');
    await expect.poll(() => warning.textContent(), { timeout: 120_000 }).toMatch(/2 minutes cannot finish one pass over this corpus here \(a pass takes about \d+ min\): .*Give it (\d+|an?) /);
    expect(await warning.getAttribute('data-kind')).toBe('no-pass');
    expect(await page.getByTestId('estimate').textContent()).toMatch(/not one epoch fits/);
    const offer = page.getByTestId('budget-warning-use');
    const minutes = /Give it (\d+) minutes/.exec((await offer.textContent())!)![1]!;
    await offer.click();
    expect(await page.getByTestId('train-budget').inputValue()).toBe(minutes);
    // Timed again for the new budget: the 2-minute warning is gone (a busy machine may time a pass
    // longer this time, and then names a larger budget, never the same one).
    await expect.poll(async () => ((await warning.count()) === 0 ? 'none' : await warning.textContent()), { timeout: 120_000 }).not.toMatch(/^(⚠ )?2 minutes|^\s*⚠ 2 minutes/);
  });

  it('a finished run offers Compose with it, which opens Compose on that model', async () => {
    await expect.poll(() => page.getByTestId('run-panel').locator('h2').textContent(), { timeout: 20_000 }).toMatch(/^sketch/);
    await page.getByTestId('compose-with-it').click();
    await page.getByTestId('page-compose').waitFor();
    await expect.poll(() => page.getByTestId('compose-model').locator('option:checked').textContent()).toMatch(/^sketch/);
  });

  it('side by side, every take’s play button can be clicked (no roll covers it), and the wheel over a take roll scrolls the page', async () => {
    await page.getByTestId('compose-length').fill('2');
    await page.getByTestId('compose-variations').fill('3');
    await page.getByTestId('compose-listen').uncheck();
    await page.getByTestId('compare-with').locator('summary').click();
    await page.locator('[data-testid=compare-model][data-model="Folk melodies (base)"]').check();
    await page.getByTestId('compose-generate').click();
    await expect.poll(() => page.getByTestId('compare-take').count(), { timeout: 120_000 }).toBe(6);
    const buttons = page.getByTestId('compare-play');
    for (let i = 0; i < 6; i++) {
      const button = buttons.nth(i);
      await button.scrollIntoViewIfNeeded();
      // What the pointer would hit at the button's centre is the button itself.
      const hit = await button.evaluate((el) => {
        const r = el.getBoundingClientRect();
        const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return top === el || el.contains(top);
      });
      expect(hit, `compare play button ${i + 1}`).toBe(true);
    }
    // The wheel over a take's roll moves the page, not the roll.
    const roll = page.getByTestId('take').first().getByTestId('piano-roll');
    await roll.scrollIntoViewIfNeeded();
    const scrolled = () => page.evaluate(() => [...document.querySelectorAll('*')].reduce((sum, el) => sum + el.scrollTop, window.scrollY));
    const before = await scrolled();
    const rollTick = await roll.getAttribute('data-scroll-tick');
    const box = (await roll.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, 300);
    await expect.poll(scrolled).toBeGreaterThan(before);
    expect(await roll.getAttribute('data-scroll-tick')).toBe(rollTick);
  });

  it('a generation is named as a generation, take 2’s MIDI names take 2, and a double click downloads once', async () => {
    await expect.poll(() => page.getByTestId('generations').locator('li').first().textContent()).toMatch(/sketch generation 1/);
    expect(await page.getByTestId('generations').textContent()).not.toMatch(/take \d/);
    const downloads: string[] = [];
    page.on('download', (d) => downloads.push(d.suggestedFilename()));
    const save = page.getByTestId('take').nth(1).getByTestId('take-save');
    // Each save brings its MIDI file and, beside it, the take's provenance as JSON.
    const midiDownload = () => page.waitForEvent('download', { predicate: (d) => d.suggestedFilename().endsWith('.mid') });
    const first = midiDownload();
    // Two clicks in one task: the second must not start a second download.
    await save.evaluate((el) => {
      (el as HTMLButtonElement).click();
      (el as HTMLButtonElement).click();
    });
    const download = await first;
    expect(download.suggestedFilename()).toMatch(/ - take 2\.mid$/);
    const midi = new Midi(fs.readFileSync(await download.path()));
    expect(midi.tracks.map((t) => t.name).every((n) => / - take 2$/.test(n))).toBe(true);
    const later = midiDownload();
    await page.getByTestId('take').nth(2).getByTestId('take-save-continuation').click();
    expect((await later).suggestedFilename()).toMatch(/take 3 \(continuation\)\.mid$/);
    await expect.poll(() => downloads.filter((n) => n.endsWith('.json')).length).toBe(2);
    // One MIDI file and one sidecar a save: the double click made nothing more.
    expect(downloads.filter((n) => n.endsWith('.mid'))).toHaveLength(2);
    expect(downloads).toHaveLength(4);
  });

  it('raised no page error anywhere in the session', () => {
    expect(pageErrors).toEqual([]);
  });
});
