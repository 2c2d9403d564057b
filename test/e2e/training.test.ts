import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium } from '../helpers/chromium';
import { serveStudio, type ServedStudio } from '../helpers/serve';
import { parseMidi } from '../../src/engine/midi/smf';
import { notesFingerprint } from '../../src/shared/music/fingerprint';
import { unzipSync } from 'fflate';

const missing = browserSkipReason('training end-to-end tests');

describe.skipIf(missing !== null)('training from the web studio (Chromium, real engine and worker)', () => {
  let browser: Browser;
  let studio: ServedStudio;
  let work: string;
  let page: Page;
  /** The musician's own models (the shipped base models are listed too). */
  const ownRows = () => page.locator('[data-testid=model-row]:not([data-base])');
  /** Opens Advanced on the Train page unless it is open (it stays as it was left). */
  const openAdvanced = async () => {
    if ((await page.getByTestId('train-advanced').getAttribute('open')) === null) await page.getByTestId('train-advanced').locator(':scope > summary').click();
  };

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-e2e-train-'));
    studio = await serveStudio(path.join(work, 'studio.db'));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1300, height: 1200 } });
    await page.goto(studio.studioUrl);
    await page.waitForSelector('[data-testid=status-connection][data-state=open]');
    await page.keyboard.press('3');
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('leads the Train page with musical choices: the corpus read by itself (a reading built before is reused), every setting in words under Advanced', async () => {
    const api = async (method: string, input: unknown) =>
      ((await (await fetch(`${studio.base}/api/${method}`, { method: 'POST', body: JSON.stringify(input), headers: { Authorization: `Bearer ${studio.token}`, 'Content-Type': 'application/json' } })).json()) as { value: never }).value;
    // No encode step: the recommended reading of the starter corpus is read as soon as the page opens.
    await expect.poll(() => page.getByTestId('reading-status').textContent(), { timeout: 30_000 }).toMatch(/^Read: \d+ pieces/);
    expect(await page.getByTestId('recommendation').textContent()).toMatch(/^Why this is recommended: [A-Z][^]*\.$/);
    const setup = page.getByTestId('model-form');
    const outsideAdvanced = await setup.evaluate((el) => {
      const copy = el.cloneNode(true) as HTMLElement;
      copy.querySelector('[data-testid=train-advanced]')?.remove();
      return copy.innerText;
    });
    // Musical words, not code names or origins.
    expect(outsideAdvanced).not.toMatch(/seed 00\d|positionsPerBeat|batchSize|learningRate|sequenceLength|hyperparam/i);
    for (const option of await page.getByTestId('vocab-encoding').locator('option').allTextContents()) expect(option).not.toMatch(/seed|REMI/);
    await openAdvanced();
    expect(await page.getByTestId('model-advanced').innerText()).toMatch(/Passes over the corpus \(epochs\)[\s\S]*Passage length \(steps\)/);
    expect(await page.getByTestId('vocabulary-panel').innerText()).not.toMatch(/positionsPerBeat|maxDurationBeats/);
    // Another reading is read by itself; coming back to the first finds the vocabulary built before.
    const before = ((await api('vocabularies.list', {})) as unknown[]).length;
    const first = await page.getByTestId('vocab-report').textContent();
    await page.getByTestId('vocab-encoding').selectOption('frames');
    await expect.poll(() => page.getByTestId('vocab-report').textContent(), { timeout: 30_000 }).toMatch(/frames/);
    await page.getByTestId('vocab-encoding').selectOption('events');
    await expect.poll(() => page.getByTestId('vocab-report').textContent(), { timeout: 30_000 }).toMatch(/events/);
    expect(((await api('vocabularies.list', {})) as unknown[]).length).toBe(before + (first?.includes('events') ? 1 : 2));
    // A wrong setting is named beside its field in words, blocks Start, and clears once fixed.
    await page.getByTestId('hp-batchSize').fill('0');
    await expect.poll(() => page.getByTestId('error-batchSize').textContent()).toBe('Passages a step must be at least 1');
    expect(await page.getByTestId('train-start').isDisabled()).toBe(true);
    await page.getByTestId('hp-batchSize').fill('32');
    await expect.poll(() => page.getByTestId('error-batchSize').count()).toBe(0);
    expect(await page.getByTestId('train-start').isDisabled()).toBe(false);
    // What a round trip loses, in a sentence.
    expect(await page.getByTestId('vocab-roundtrip').textContent()).toMatch(/notes exact \([\d.]+%\) when read back\.( The others change because this reading loses .+\.)?/);
  });

  it('trains a small model, drawing the loss live, with an estimate before it starts', async () => {
    await page.getByTestId('vocab-encoding').selectOption('notes-chords');
    await expect.poll(() => page.getByTestId('vocab-report').textContent(), { timeout: 30_000 }).toMatch(/notes-chords/);
    await page.getByTestId('train-budget').selectOption('');
    await openAdvanced();
    for (const [id, value] of [
      ['spec-units', '48'],
      ['spec-dense', '0'],
      ['hp-epochs', '3'],
      ['hp-batchSize', '32'],
      ['hp-sequenceLength', '24'],
      ['hp-learningRate', '0.01'],
      // A window at every step, as the seeds trained: enough batches to pause in the middle of.
      ['hp-stride', '1'],
    ]) await page.getByTestId(id!).fill(value!);
    // The estimate before Start: a calibration of this model on this machine, in minutes and seconds.
    await expect.poll(() => page.getByTestId('estimate').textContent(), { timeout: 60_000 }).toMatch(/^about \d+ (s|min) an epoch · 3 epochs · about \d+ (s|min) in all · [\d,]+ parameters · \d+ MB while training$/);
    await page.getByTestId('model-name').fill('folk in the browser');
    await page.getByTestId('train-start').click();
    await page.getByTestId('run-panel').waitFor();
    // A model's first run is its run 1, whatever the studio ran before (the base models' runs).
    await expect.poll(() => page.locator('#run-title').textContent()).toBe('folk in the browser · run 1');
    // The run shows where the musician is looking; Start says it is training and cannot start another.
    await expect.poll(() => page.getByTestId('train-start').textContent()).toBe('Training…');
    expect(await page.getByTestId('train-start').isDisabled()).toBe(true);
    await expect.poll(() => page.getByTestId('run-panel').evaluate((el) => el.getBoundingClientRect().top >= 0 && el.getBoundingClientRect().top < innerHeight)).toBe(true);
    // On every page, the status bar says a model is training, how far and how long to go.
    await expect.poll(() => page.getByTestId('status-training').textContent(), { timeout: 20_000 }).toMatch(/^\s*Training “folk in the browser” · \d+ %/);
    // No estimate is timed while it trains (it would slow the run, and come out wrong).
    await expect.poll(() => page.getByTestId('estimate-waits').textContent()).toMatch(/follows when “folk in the browser” is done/);
    await page.keyboard.press('1');
    expect(await page.getByTestId('status-training').textContent()).toMatch(/folk in the browser/);
    await page.getByTestId('status-training').click();
    await page.getByTestId('run-panel').waitFor();
    // Points arrive while it trains.
    await expect.poll(async () => Number(await page.getByTestId('loss-chart').getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThan(20);
    await page.getByTestId('train-pause').click();
    await expect.poll(() => page.getByTestId('run-status').textContent()).toBe('paused');
    await page.getByTestId('train-resume').click();
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 }).toBe('completed');
    expect(await page.getByTestId('run-epoch').textContent()).toBe('3 / 3');
    await expect.poll(() => page.getByTestId('status-training').count()).toBe(0);
    expect(await page.getByTestId('train-start').textContent()).toBe('Start training');
    // Audition by checkpoint: one per epoch, pinned to the curve, each playable.
    await expect.poll(() => page.getByTestId('audition').count()).toBe(3);
    expect(await page.getByTestId('loss-chart').getAttribute('data-pins')).toBe('3');
    await page.getByTestId('audition').last().click();
    await expect.poll(() => page.getByTestId('audition').last().getAttribute('aria-pressed'), { timeout: 20_000 }).toBe('true');
    await page.getByTestId('audition').last().click();
  });

  it('keeps the curve after a reload, and exports it as CSV', async () => {
    await page.reload();
    await page.waitForSelector('[data-testid=status-connection][data-state=open]');
    await page.getByTestId('run-panel').waitFor();
    // The panel comes up first, its metrics follow over the socket.
    await expect.poll(async () => Number(await page.getByTestId('loss-chart').getAttribute('data-points')), { timeout: 10_000 }).toBeGreaterThan(20);
    const points = Number(await page.getByTestId('loss-chart').getAttribute('data-points'));
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const file = path.join(work, 'loss.csv');
    await download.saveAs(file);
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('kind,step,epoch,loss,val_loss,time');
    expect(lines.length - 1).toBe(points);
    expect(lines.filter((l) => l.startsWith('epoch,'))).toHaveLength(3);
  });

  it('offers the seed-004 model for a pitch-step-duration corpus and plots each head', async () => {
    await page.getByTestId('vocab-encoding').selectOption('pitch-step-duration');
    await expect.poll(() => page.getByTestId('vocab-report').textContent(), { timeout: 30_000 }).toMatch(/pitch-step-duration/);
    await expect.poll(() => page.getByTestId('preset').locator('input:checked').getAttribute('value')).toBe('seed004');
    await page.getByTestId('train-budget').selectOption('');
    await openAdvanced();
    for (const [id, value] of [
      ['spec-units', '32'],
      ['hp-epochs', '2'],
      ['hp-batchSize', '32'],
      ['hp-sequenceLength', '16'],
    ]) await page.getByTestId(id!).fill(value!);
    await page.getByTestId('model-name').fill('timing');
    await page.getByTestId('train-start').click();
    await expect.poll(() => page.locator('#run-title').textContent()).toMatch(/^timing/);
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 }).toBe('completed');
    const legend = await page.getByTestId('loss-chart').textContent();
    expect(legend).toMatch(/validation pitch/);
    expect(legend).toMatch(/validation duration/);
  });

  it('lists the trained models on the Models page and opens their curves', async () => {
    await page.keyboard.press('2');
    await expect.poll(() => ownRows().count()).toBe(2);
    const row = page.getByTestId('model-row').filter({ hasText: 'folk in the browser' });
    expect(await row.textContent()).toMatch(/lstm.*completed/);
    // Validation scores by kind of token (notes and chords for this model).
    await row.click();
    const detail = page.getByTestId('model-detail');
    await detail.getByTestId('model-score').click();
    await expect.poll(() => page.getByTestId('score-row').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await page.getByTestId('model-scores').textContent()).toMatch(/perplexity \d/);
    expect(await page.getByTestId('score-row').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^note/)]));
    await detail.getByRole('button', { name: 'Curves' }).click();
    await expect.poll(() => page.locator('#run-title').textContent()).toMatch(/^folk in the browser/);
  });

  it('continues a passage on the Compose page: bars chosen by dragging, takes after the seam, starred and deleted', async () => {
    await page.keyboard.press('4');
    await page.getByTestId('compose-model').waitFor();
    await page.getByTestId('compose-model').selectOption({ label: 'folk in the browser · 3 epochs' });
    await expect.poll(() => page.getByTestId('compose-piece').inputValue()).not.toBe('');
    // Drag across the passage roll from the middle of bar 1 into bar 2: bars 1–2.
    const roll = page.getByTestId('piano-roll').first();
    const box = (await roll.boundingBox())!;
    const before = await roll.getAttribute('data-shade');
    await page.mouse.move(box.x + 60, box.y + 40);
    await page.mouse.down();
    await page.mouse.move(box.x + 160, box.y + 60, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => roll.getAttribute('data-shade')).not.toBe(before);
    expect(await page.getByTestId('compose-bar-from').inputValue()).toBe('1');
    await page.getByTestId('compose-variations').fill('2');
    await page.getByTestId('compose-length').fill('2');
    await page.getByTestId('compose-generate').click();
    await expect.poll(() => page.getByTestId('take').count(), { timeout: 30_000 }).toBe(2);
    await page.getByTestId('generation-name').waitFor();
    for (const take of await page.getByTestId('take').all()) expect(Number(await take.getAttribute('data-new-notes'))).toBeGreaterThan(0);
    // Originality and style against the corpus, for every take.
    await expect.poll(() => page.getByTestId('take-originality').count(), { timeout: 20_000 }).toBe(2);
    for (const badge of await page.getByTestId('take-originality').all()) {
      expect((await badge.getAttribute('data-copies')) === 'true').toBe(Number(await badge.getAttribute('data-longest')) >= 8);
    }
    await page.getByTestId('take-style-toggle').first().click();
    expect(await page.getByTestId('take-style').first().locator('figure').count()).toBe(3);
    // Listening while generating: take 1 started with the passage as soon as the worker had it.
    const heard = Number(await page.getByTestId('compose-first-audible').getAttribute('data-ms'));
    console.log(`Compose: first notes handed to the audio clock ${heard} ms after Generate`);
    expect(heard).toBeGreaterThan(0);
    // A/B: take 2 plays from where take 1 was.
    await page.getByTestId('take-play').nth(1).click();
    await expect.poll(() => page.getByTestId('take-play').nth(1).getAttribute('aria-label'), { timeout: 20_000 }).toBe('Pause take 2');
    expect(await page.getByTestId('take-play').first().getAttribute('aria-label')).toBe('Play take 1');
    await page.getByTestId('take-play').nth(1).click();
    // Save a take as MIDI; our own reader reads back what the studio wrote.
    const [download] = await Promise.all([page.waitForEvent('download', { predicate: (d) => d.suggestedFilename().endsWith('.mid') }), page.getByTestId('take-save').first().click()]);
    const saved = path.join(work, 'take.mid');
    await download.saveAs(saved);
    expect(download.suggestedFilename()).toMatch(/^folk in the browser - .+ - bars 1-\d+ - take 1\.mid$/);
    const midi = parseMidi(fs.readFileSync(saved));
    expect(midi.tracks.reduce((n, t) => n + t.notes.pitch.length, 0)).toBeGreaterThan(Number(await page.getByTestId('take').first().getAttribute('data-new-notes')));
    // Audio: a 24-bit WAV rendered offline with the studio's instrument, checked from its bytes.
    await page.getByTestId('wav-bits').selectOption('24');
    // By name: the sidecar .json of the MIDI saved before may still arrive first.
    const [wavDownload] = await Promise.all([page.waitForEvent('download', { timeout: 60_000, predicate: (d) => d.suggestedFilename().endsWith('.wav') }), page.getByTestId('take-wav').first().click()]);
    const wavFile = path.join(work, 'take.wav');
    await wavDownload.saveAs(wavFile);
    expect(wavDownload.suggestedFilename()).toMatch(/ - take 1\.wav$/);
    const wav = readWav(fs.readFileSync(wavFile));
    expect(wav).toMatchObject({ format: 1, channels: 2, sampleRate: 44_100, bits: 24 });
    const seconds = Math.max(...midi.tracks.flatMap((t) => Array.from(t.notes.endSec)));
    expect(wav.frames / 44_100).toBeGreaterThan(seconds + 1.4);
    expect(wav.frames / 44_100).toBeLessThan(seconds + 1.6);
    expect(wav.rms).toBeGreaterThan(0.001); // not silent
    await page.getByTestId('take-star').nth(1).click();
    await expect.poll(() => page.getByTestId('take-star').nth(1).getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => page.getByTestId('generations').textContent()).toMatch(/★ folk in the browser generation 1/);
    // Batch export from the web studio: the takes as files, quantised, in one zip.
    await page.getByRole('button', { name: 'Select all' }).click();
    await page.getByTestId('export-selected').click();
    await page.getByTestId('export-grid').selectOption('1/16');
    const [zipDownload] = await Promise.all([page.waitForEvent('download', { predicate: (d) => d.suggestedFilename().endsWith('.zip') }), page.getByTestId('export-go').click()]);
    expect(zipDownload.suggestedFilename()).toBe('Etude export (2 files).zip');
    const zipFile = path.join(work, 'export.zip');
    await zipDownload.saveAs(zipFile);
    const entries = unzipSync(fs.readFileSync(zipFile));
    const names = Object.keys(entries).filter((n) => n.endsWith('.mid')).sort();
    expect(names).toHaveLength(2);
    // Each file's provenance beside it.
    expect(Object.keys(entries).filter((n) => n.endsWith('.json')).sort()).toEqual(names.map((n) => n.replace(/\.mid$/, '.json')));
    expect(names[0]).toMatch(/^folk in the browser - .+ - bars 1-\d+ - take 1\.mid$/);
    for (const name of names) {
      const exported = parseMidi(entries[name]!);
      expect(exported.ppq).toBe(480);
      expect(exported.tracks.flatMap((t) => Array.from(t.notes.startTick)).every((tick) => tick % 120 === 0)).toBe(true);
    }
    await page.getByTestId('generation-delete').first().click();
    await page.getByTestId('confirm-delete-generation').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page.getByTestId('generations').locator('li').count()).toBe(0);
  });

  it('sorts, filters, duplicates, shares and compares models on the Models page, and continues one passage with two models side by side', async () => {
    await page.keyboard.press('2');
    await expect.poll(() => ownRows().count()).toBe(2);
    // Sorted by best validation loss, both ways.
    const bests = async () => (await page.getByTestId('model-best').allTextContents()).map(Number);
    await page.getByTestId('sort-best').click();
    const ascending = await bests();
    expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
    await page.getByTestId('sort-best').click();
    expect(await bests()).toEqual([...ascending].reverse());
    await page.getByTestId('models-filter').fill('timing');
    await expect.poll(() => ownRows().count()).toBe(1);
    await page.getByTestId('models-filter').fill('');

    // The card: corpus with its hash, one run with the machine it ran on.
    await page.getByTestId('model-row').filter({ hasText: 'folk in the browser' }).click();
    const card = page.getByTestId('model-card');
    await card.waitFor();
    expect(await card.getByTestId('card-corpus').textContent()).toMatch(/Starter tunes · \d+ pieces .*[0-9a-f]{64}/);
    expect(await card.getByTestId('card-run').count()).toBe(1);
    expect(await card.getByTestId('card-run').first().textContent()).toMatch(/wasm/);
    expect(await card.getByTestId('card-auditions').getByRole('button').count()).toBe(3);

    // Scored on a corpus (its own: the pieces it trained on are left out), as the engine scores it.
    await page.getByTestId('model-score-go').click();
    const result = page.getByTestId('model-score-result');
    await expect.poll(() => result.textContent(), { timeout: 30_000 }).toMatch(/^\d+ pieces it never trained on \(\d+ left out: .+?, the model trained on it[;)].*: [\d.]+ nats a note, [\d.]+ a token/);
    const api = async (method: string, input: unknown) =>
      ((await (await fetch(`${studio.base}/api/${method}`, { method: 'POST', body: JSON.stringify(input), headers: { Authorization: `Bearer ${studio.token}`, 'Content-Type': 'application/json' } })).json()) as { value: never }).value;
    const folk = (await api('models.list', {}) as { id: number; name: string; corpusId: number }[]).find((m) => m.name === 'folk in the browser')!;
    const scored = (await api('models.score', { id: folk.id, corpusId: folk.corpusId })) as { natsPerNote: number; pieces: number };
    expect(await result.textContent()).toContain(`${scored.pieces} pieces it never trained on`);
    expect(await result.textContent()).toContain(`${scored.natsPerNote.toFixed(3)} nats a note`);

    // Duplicate, then export the copy as one file and import it back under another name.
    await page.getByTestId('model-detail').getByTestId('model-duplicate').click();
    await expect.poll(() => ownRows().count()).toBe(3);
    await page.getByTestId('model-row').filter({ hasText: 'folk in the browser copy' }).click();
    await page.getByTestId('model-detail').getByTestId('model-export').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-model-go').click()]);
    expect(download.suggestedFilename()).toBe('folk in the browser copy.etude-model');
    const file = path.join(work, download.suggestedFilename());
    await download.saveAs(file);
    expect(Object.keys(unzipSync(fs.readFileSync(file))).sort()).toEqual(['etude-model.json', 'weights.bin']);
    await page.getByTestId('model-row').filter({ hasText: 'folk in the browser copy' }).click();
    await page.keyboard.press('Delete');
    await page.getByTestId('confirm-delete-model').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => ownRows().count()).toBe(2);
    await page.getByTestId('model-import-file').setInputFiles(file);
    await expect.poll(() => page.getByTestId('models-notice').textContent(), { timeout: 20_000 }).toBe('Imported "folk in the browser copy".');
    await expect.poll(() => ownRows().count()).toBe(3);
    expect(await page.getByTestId('card-origin').textContent()).toMatch(/imported from folk in the browser copy\.etude-model/);
    // A file that is not a model is refused by name, and nothing is added.
    const junk = path.join(work, 'junk.etude-model');
    fs.writeFileSync(junk, 'not a model');
    await page.getByTestId('model-import-file').setInputFiles(junk);
    await expect.poll(() => page.getByTestId('models-error').textContent()).toMatch(/^junk\.etude-model cannot be imported: it is not an Etude model file/);
    expect(await ownRows().count()).toBe(3);

    // Compare the original and the imported copy: curves overlaid, then the same passage and seed through both.
    for (const name of ['folk in the browser', 'folk in the browser copy']) {
      await page.locator(`[data-testid=model-row][data-model="${name}"]`).getByTestId('model-compare').check();
    }
    await expect.poll(() => page.getByTestId('compare-curves').getAttribute('data-models')).toBe('2');
    expect(await page.getByTestId('compare-curves').textContent()).toMatch(/folk in the browser copy validation/);
    await page.getByTestId('compare-in-compose').click();
    await page.getByTestId('compose-variations').fill('2');
    await page.getByTestId('compose-length').fill('2');
    await page.getByTestId('compose-generate').click();
    await expect.poll(() => page.getByTestId('compare-column').count(), { timeout: 30_000 }).toBe(2);
    await expect.poll(() => page.getByTestId('compare-take').count(), { timeout: 60_000 }).toBe(4);
    // Same weights, same passage, same seed: the two columns hold the same music.
    const columns = await page.getByTestId('compare-column').all();
    const newNotes = async (c: (typeof columns)[number]) => (await c.getByTestId('compare-take').allTextContents()).map((t) => t.match(/(\d+) new notes/)![1]);
    expect(await newNotes(columns[1]!)).toEqual(await newNotes(columns[0]!));
    await page.getByTestId('compare-play').first().click();
    await expect.poll(() => page.getByTestId('compare-play').first().getAttribute('aria-label'), { timeout: 20_000 }).toMatch(/^Pause/);
    await page.getByTestId('compare-play').first().click();

    // Two different models side by side: each card shows the music the engine stored for its model.
    await page.keyboard.press('2');
    await page.locator(`[data-testid=model-row][data-model="folk in the browser copy"]`).getByTestId('model-compare').uncheck();
    await page.locator(`[data-testid=model-row][data-model="timing"]`).getByTestId('model-compare').check();
    await page.getByTestId('compare-in-compose').click();
    await page.getByTestId('compose-generate').click();
    await expect.poll(() => page.getByTestId('compare-take').count(), { timeout: 60_000 }).toBe(4);
    await expect.poll(() => page.locator('[data-testid=compare-column][data-model="timing"] [data-testid=compare-take]').count(), { timeout: 60_000 }).toBe(2);
    const stored = async (modelName: string) => {
      const model = (await api('models.list', {}) as { id: number; name: string }[]).find((m) => m.name === modelName)!;
      const [latest] = (await api('generations.list', { modelId: model.id })) as { id: number }[];
      const g = (await api('generations.get', { id: latest!.id })) as { takes: { notes: { pitch: number; startTick: number; endTick: number }[] }[] };
      return g.takes.map((t) => notesFingerprint(t.notes));
    };
    const folkTakes = await stored('folk in the browser');
    const timingTakes = await stored('timing');
    expect(folkTakes).not.toEqual(timingTakes);
    expect(await page.getByTestId('take').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-fingerprint')))).toEqual(folkTakes);
    const column = (name: string) => page.locator(`[data-testid=compare-column][data-model="${name}"] [data-testid=compare-take]`);
    expect(await column('folk in the browser').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-fingerprint')))).toEqual(folkTakes);
    expect(await column('timing').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-fingerprint')))).toEqual(timingTakes);

    await page.keyboard.press('2');
    await page.getByTestId('model-row').filter({ hasText: 'folk in the browser copy' }).click();
    await page.keyboard.press('Delete');
    await page.getByTestId('confirm-delete-model').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => ownRows().count()).toBe(2);
  });

  it('renames a model and deletes one, with confirmation, on the Models page', async () => {
    await page.keyboard.press('2');
    await expect.poll(() => ownRows().count()).toBe(2);
    const rows = await ownRows().count();
    await page.getByTestId('model-row').filter({ hasText: 'timing' }).click();
    await page.getByTestId('model-detail').getByTestId('model-rename').click();
    await page.getByTestId('model-rename-input').fill('timing, kept');
    await page.getByTestId('model-rename-go').click();
    await expect.poll(() => page.getByTestId('page-models').textContent()).toMatch(/timing, kept/);
    await page.getByTestId('model-detail').getByTestId('model-delete').click();
    await page.getByTestId('confirm-delete-model').getByRole('button', { name: 'Keep it' }).click();
    expect(await ownRows().count()).toBe(rows);
    // The keyboard: Delete on the selected model asks the same question.
    await page.getByTestId('models-filter').focus();
    await page.getByTestId('model-row').filter({ hasText: 'timing, kept' }).click();
    await page.keyboard.press('Delete');
    await page.getByTestId('confirm-delete-model').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => ownRows().count()).toBe(rows - 1);
    await expect.poll(() => page.getByTestId('models-notice').textContent()).toMatch(/Deleted "timing, kept": 1 runs, \d+ checkpoints/);
  });
});

/** The header and loudness of a PCM WAV file, read from its bytes. */
function readWav(bytes: Buffer): { format: number; channels: number; sampleRate: number; bits: number; frames: number; rms: number } {
  expect(bytes.toString('latin1', 0, 4)).toBe('RIFF');
  expect(bytes.toString('latin1', 8, 12)).toBe('WAVE');
  expect(bytes.readUInt32LE(4)).toBe(bytes.length - 8);
  let at = 12;
  let fmt: { format: number; channels: number; sampleRate: number; bits: number } | null = null;
  while (at + 8 <= bytes.length) {
    const id = bytes.toString('latin1', at, at + 4);
    const size = bytes.readUInt32LE(at + 4);
    if (id === 'fmt ') fmt = { format: bytes.readUInt16LE(at + 8), channels: bytes.readUInt16LE(at + 10), sampleRate: bytes.readUInt32LE(at + 12), bits: bytes.readUInt16LE(at + 22) };
    if (id === 'data' && fmt) {
      const width = fmt.bits / 8;
      const samples = size / width;
      let sum = 0;
      for (let i = 0; i < samples; i++) {
        const o = at + 8 + i * width;
        const v = width === 2 ? bytes.readInt16LE(o) / 32768 : bytes.readIntLE(o, 3) / 8388608;
        sum += v * v;
      }
      return { ...fmt, frames: samples / fmt.channels, rms: Math.sqrt(sum / samples) };
    }
    at += 8 + size + (size % 2);
  }
  throw new Error('no data chunk');
}
