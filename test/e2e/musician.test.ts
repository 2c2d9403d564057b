import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunInfo } from '../../src/shared/training';
import { browserSkipReason, launchChromium } from '../helpers/chromium';
import { JIGS } from '../helpers/corpora';
import { serveStudio, type ServedStudio } from '../helpers/serve';

const missing = browserSkipReason('musician end-to-end tests');

/**
 * The studio as a musician uses it, in Chromium against the real engine: a first import, the
 * keyboard, choosing a model and a passage on Compose, keeping or throwing away takes, readouts in
 * note names, and never a page error.
 */
describe.skipIf(missing !== null)('a musician’s session in the web studio (Chromium, real engine)', () => {
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
  const dialogOpen = () => page.evaluate(() => document.querySelector('dialog[open]') !== null);

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-e2e-musician-'));
    const folder = path.join(work, 'Reels');
    fs.mkdirSync(folder);
    for (const name of ['jigs5.mid', 'jigs6.mid']) fs.copyFileSync(path.join(JIGS, name), path.join(folder, name));
    fs.writeFileSync(path.join(folder, 'setlist.txt'), 'reels for Friday');
    studio = await serveStudio(path.join(work, 'studio.db'));
    // Two models: one barely trained (two epochs), one that never trained (cancelled while queued).
    const [starter] = await api<{ id: number; name: string }[]>('corpora.list', {});
    const vocab = await api<{ id: number }>('vocabularies.build', { corpusId: starter!.id, encoding: 'events' });
    const spec = { arch: 'lstm', embedding: 16, units: 32, layers: 1, dropout: 0, dense: 0 };
    const hyperparams = { epochs: 2, batchSize: 32, sequenceLength: 32, learningRate: 0.01, seed: 4 };
    const sketch = await api<RunInfo>('training.start', { vocabularyId: vocab.id, model: 'sketch', spec, hyperparams });
    const never = await api<RunInfo>('training.start', { vocabularyId: vocab.id, model: 'never trained', spec, hyperparams });
    await api('training.cancel', { runId: never.id });
    for (;;) {
      const runs = await api<RunInfo[]>('runs.list', {});
      if (runs.find((r) => r.id === sketch.id)?.status === 'completed') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    // An action that cannot happen (a covered or missing control) fails naming it, not at the test's limit.
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(studio.studioUrl);
    await page.waitForSelector('[data-testid=status-connection][data-state=open]');
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await studio?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('a first import makes a corpus named after its folder, says what it left out, and a drop of something else says why', async () => {
    await expect.poll(() => page.getByTestId('corpus-title').textContent()).toBe('Starter tunes');
    // Nothing typed as the target, the starter tunes on screen: the import does not land in them.
    await page.getByTestId('folder-input').setInputFiles(path.join(work, 'Reels'));
    await expect.poll(() => page.getByTestId('import-summary').textContent()).toMatch(/2 imported into “Reels”.* · 1 other file left out \(not MIDI or ABC\)/);
    await expect.poll(() => page.getByTestId('corpus-title').textContent()).toBe('Reels');
    await page.evaluate(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['reels for Friday'], 'setlist.txt', { type: 'text/plain' }));
      document.querySelector('[data-testid=page-library]')!.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    });
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'setlist.txt' }).textContent()).toMatch(/setlist\.txt is not music Etude reads: drop MIDI \(\.mid\) or ABC \(\.abc\) files/);
  });

  it('Space plays the piece just clicked (not the button again)', async () => {
    await page.getByRole('button', { name: 'jigs5' }).click();
    await page.getByTestId('piano-roll').waitFor();
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByTestId('play').getAttribute('data-state'), { timeout: 20_000 }).toBe('playing');
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByTestId('play').getAttribute('data-state')).toBe('paused');
  });

  it('on the Models page: Escape closes a dialog and the keys still work, Enter renames, the model file import is reachable by keyboard', async () => {
    await page.keyboard.press('2');
    await page.locator('[data-testid=model-row][data-model="sketch"]').click();
    await page.keyboard.press('F2');
    await expect.poll(dialogOpen).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(dialogOpen).toBe(false);
    await page.keyboard.press('Delete');
    await expect.poll(dialogOpen).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(dialogOpen).toBe(false);
    await page.keyboard.press('F2');
    await expect.poll(dialogOpen).toBe(true);
    await page.getByTestId('model-rename-input').fill('sketch in D');
    await page.keyboard.press('Enter');
    await expect.poll(dialogOpen).toBe(false);
    await expect.poll(() => page.locator('[data-testid=model-row][data-model="sketch in D"]').count()).toBe(1);
    await page.getByTestId('model-import-open').focus();
    // The closed dialog hands focus back on its own schedule: press Enter once the button holds it.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('model-import-open');
    // Playwright turns on file-chooser interception when the first listener is added, asynchronously;
    // a round trip to the page after listening makes sure it is on before the key opens one.
    const choosing = page.waitForEvent('filechooser');
    await page.evaluate(() => document.readyState);
    await page.keyboard.press('Enter');
    const chooser = await choosing;
    expect(chooser.isMultiple()).toBe(false);
  });

  it('a base model shows what it learned with the licences and its held-out score; deleting it takes a second yes, and Reinstall brings it back', async () => {
    await page.keyboard.press('2');
    const row = page.locator('[data-testid=model-row][data-base]').filter({ hasText: 'Folk melodies' });
    await row.click();
    const card = page.getByTestId('model-card');
    await expect.poll(() => card.getByTestId('card-sources').textContent(), { timeout: 20_000 }).toMatch(/O'Neill's Music of Ireland .*\(music in the public domain/);
    expect(await card.getByTestId('card-held-out').textContent()).toMatch(/^\d\.\d{3} nats a note on [\d,]+ pieces it never saw/);
    expect(await card.getByTestId('card-origin').textContent()).toMatch(/^a base model that ships with Etude/);
    await page.keyboard.press('Delete');
    await expect.poll(dialogOpen).toBe(true);
    const remove = page.getByTestId('confirm-delete-model').getByRole('button', { name: 'Delete', exact: true });
    expect(await remove.isDisabled()).toBe(true);
    await page.getByTestId('confirm-delete-base').check();
    await remove.click();
    await expect.poll(() => row.count()).toBe(0);
    await page.getByTestId('reinstall-base').click();
    await expect.poll(() => page.getByTestId('models-notice').textContent()).toMatch(/Reinstalled "Folk melodies \(base\)"/);
    await expect.poll(() => row.count()).toBe(1);
  });

  it('Compose offers the models that can generate, says which cannot, and warns before a barely trained one', async () => {
    await page.keyboard.press('4');
    const options = page.getByTestId('compose-model').locator('option');
    await expect.poll(() => options.count()).toBeGreaterThanOrEqual(3);
    const labels = await options.allTextContents();
    const disabled = await options.evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).disabled));
    // Usable first: every enabled model before any disabled one; the untrained one says why.
    expect(disabled.indexOf(true)).toBeGreaterThan(disabled.lastIndexOf(false));
    expect(labels[disabled.indexOf(true)]).toMatch(/never trained \(not trained yet\)/);
    await page.getByTestId('compose-model').selectOption({ label: labels.find((l) => l.startsWith('sketch in D'))! });
    await expect.poll(() => page.getByTestId('compose-model-warning').textContent()).toMatch(/sketch in D has only 2 epochs trained: expect something close to noise/);
  });

  it('Compose checks the bars beside the field, plays the passage before generating, and brings a passage typed off screen into view', async () => {
    await page.getByTestId('compose-bar-from').fill('0');
    await expect.poll(() => page.getByTestId('compose-bars-error').textContent()).toBe('Bars start at 1');
    expect(await page.getByTestId('compose-generate').isDisabled()).toBe(true);
    await page.getByTestId('compose-bar-from').fill('5');
    await page.getByTestId('compose-bar-to').fill('3');
    await expect.poll(() => page.getByTestId('compose-bars-error').textContent()).toMatch(/^Bar 5 comes after bar 3/);
    await page.getByTestId('compose-bar-from').fill('1');
    await page.getByTestId('compose-bar-to').fill('2');
    await expect.poll(() => page.getByTestId('compose-bars-error').count()).toBe(0);
    expect(await page.getByTestId('compose-generate').isDisabled()).toBe(false);
    await page.getByTestId('compose-play-passage').click();
    await expect.poll(() => page.getByTestId('compose-play-passage').getAttribute('aria-pressed'), { timeout: 20_000 }).toBe('true');
    await page.getByTestId('compose-play-passage').click();
    // A passage far along the piece: the roll scrolls to show it.
    const roll = page.locator('.passage [data-testid=piano-roll]');
    await page.getByTestId('compose-bar-to').fill('13');
    await page.getByTestId('compose-bar-from').fill('12');
    await expect.poll(async () => Number(await roll.getAttribute('data-scroll-tick'))).toBeGreaterThan(0);
    const [shadeStart] = (await roll.getAttribute('data-shade'))!.split('-').map(Number);
    const scroll = Number(await roll.getAttribute('data-scroll-tick'));
    const view = Number(await roll.getAttribute('data-view-ticks'));
    expect(shadeStart!).toBeGreaterThanOrEqual(scroll);
    expect(shadeStart!).toBeLessThan(scroll + view);
    await page.getByTestId('compose-bar-from').fill('1');
    await page.getByTestId('compose-bar-to').fill('2');
    // The range constraint in note names: written as a musician writes them, wrong ones marked, ↑ a semitone.
    await page.getByTestId('compose-range-on').check();
    const low = page.getByTestId('compose-range-low');
    const high = page.getByTestId('compose-range-high');
    expect([await low.inputValue(), await high.inputValue()]).toEqual(['C3', 'C6']);
    await high.fill('H5');
    await expect.poll(() => high.getAttribute('aria-invalid')).toBe('true');
    await high.fill('f#5');
    await expect.poll(() => high.getAttribute('aria-invalid')).toBe('false');
    await high.press('ArrowUp');
    await expect.poll(() => high.inputValue()).toBe('G5');
    await low.fill('55');
    await low.blur();
    await expect.poll(() => low.inputValue()).toBe('G3');
    await page.getByTestId('compose-range-on').uncheck();
  });

  it('Stop and keep stores the takes as far as they got; Cancel throws them away; a WAV shows it is rendering; readouts in note names with legends', async () => {
    const before = (await page.getByTestId('generations').locator('li').count());
    await page.getByTestId('compose-length').fill('400');
    await page.getByTestId('compose-variations').fill('2');
    await page.getByTestId('compose-listen').uncheck();
    await page.getByTestId('compose-generate').click();
    await expect.poll(() => page.getByTestId('take').count(), { timeout: 30_000 }).toBe(2);
    await page.getByTestId('compose-stop-keep').click();
    await expect.poll(() => page.getByTestId('generations').locator('li').count(), { timeout: 30_000 }).toBe(before + 1);
    await expect.poll(() => page.locator('.notice').allTextContents()).toContain('stopped early: the takes end where they had got to');
    const kept = await page.getByTestId('take').count();
    expect(kept).toBe(2);

    await page.getByTestId('compose-generate').click();
    await expect.poll(() => page.getByTestId('compose-cancel').count(), { timeout: 10_000 }).toBe(1);
    await page.getByTestId('compose-cancel').click();
    await expect.poll(() => page.getByTestId('compose-generate').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByTestId('generations').locator('li').count()).toBe(before + 1);
    await page.getByTestId('compose-length').fill('2');

    // The kept generation again: its WAV says it is rendering until the file arrives.
    await page.getByTestId('generations').locator('li').first().getByRole('button').first().click();
    await expect.poll(() => page.getByTestId('take').count()).toBe(2);
    const wav = page.getByTestId('take-wav').first();
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000, predicate: (d) => d.suggestedFilename().endsWith('.wav') }), wav.click(), expect.poll(() => wav.textContent()).toBe('Rendering…')]);
    expect(download.suggestedFilename()).toMatch(/\.wav$/);
    await expect.poll(() => wav.textContent()).toBe('Save WAV');

    // Style: legends on the charts, the range in note names.
    await expect.poll(() => page.getByTestId('take-style-toggle').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await page.getByTestId('take-style-toggle').first().click();
    const style = page.getByTestId('take-style').first();
    expect(await style.locator('figcaption').first().textContent()).toMatch(/corpus\s*this take/);
    expect(await style.getByTestId('take-range').textContent()).toMatch(/^[A-G][♯♭]?-?\d–[A-G][♯♭]?-?\d \(corpus [A-G][♯♭]?-?\d–[A-G][♯♭]?-?\d\)$/);
  });

  it('Train suggests starting from the base model that hears music as the corpus is best read, and one click takes it', async () => {
    await page.keyboard.press('3');
    const suggestion = page.getByTestId('base-suggestion');
    await expect.poll(() => suggestion.textContent(), { timeout: 30_000 }).toMatch(/^\s*Start from Folk melodies \(base\): it already knows music like this/);
    expect(await page.getByTestId('train-from-base').locator('option:checked').textContent()).toBe('nothing: a new model');
    await page.getByTestId('base-suggestion-use').click();
    await expect.poll(() => page.getByTestId('train-from-base').locator('option:checked').textContent()).toBe('Folk melodies (base): personalise it (recommended)');
    expect(await suggestion.count()).toBe(0);
    await page.getByTestId('train-from-base').selectOption({ label: 'nothing: a new model' });
  });

  it('raised no page error anywhere in the session', () => {
    expect(pageErrors).toEqual([]);
  });
});
