/**
 * Time to a good model, through the engine as the studio and the CLI use it: the recommendation
 * for a corpus, the estimate before Start, a run fitted to a time budget, and scoring on a corpus
 * the model never saw.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { choraleMidi } from '../../src/engine/corpus/frames-midi';
import { epochsWanted } from '../../src/engine/train/planner';
import { Engine } from '../../src/engine/engine';
import type { MethodInput, MethodName, MethodResult } from '../../src/shared/api';
import { unwrapReply } from '../../src/shared/reply';
import { JIGS, JSB_CHORALES, midiFiles } from '../helpers/corpora';
import { ETUDE_BIN } from '../helpers/repo';
import { tempDir } from '../helpers/tmp';

const CHORALES = JSB_CHORALES;
const TINY = { arch: 'lstm', embedding: 16, units: 32, layers: 1, dropout: 0, dense: 0 };

let engine: Engine;
let dir: string;
const call = async <M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodResult<M>> => unwrapReply(await engine.call(method, input)) as MethodResult<M>;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(path.dirname(tempDir()), 'etude-scoring-'));
  engine = Engine.open({ dbPath: path.join(dir, 'scoring.db') });
  // A small chorale book (the benchmark's first 40 training chorales) and a handful of jigs.
  const chorales = (JSON.parse(fs.readFileSync(CHORALES, 'utf8')) as { train: number[][][] }).train.slice(0, 40);
  fs.mkdirSync(path.join(dir, 'chorales'));
  chorales.forEach((frames, i) => fs.writeFileSync(path.join(dir, 'chorales', `c${i}.mid`), choraleMidi(frames)));
  await call('corpora.import', { corpus: 'Chorales', paths: [path.join(dir, 'chorales')] });
  await call('corpora.import', { corpus: 'Jigs', paths: midiFiles(JIGS).slice(0, 30) });
}, 120_000);
afterAll(async () => {
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const corpus = async (name: string) => (await call('corpora.list', {})).find((c) => c.name === name)!;

async function trained(corpusName: string, encoding: string, params: Record<string, string | number | boolean>, name: string) {
  const c = await corpus(corpusName);
  const vocab = await call('vocabularies.build', { corpusId: c.id, encoding: encoding as never, params });
  const run = await call('training.start', { vocabularyId: vocab.id, model: name, spec: TINY, hyperparams: { epochs: 2, batchSize: 16, sequenceLength: 32, learningRate: 0.01 } });
  expect((await engine.training.waitFor(run.id)).status).toBe('completed');
  return { model: (await call('models.list', {})).find((m) => m.name === name)!, vocab, corpus: c };
}

describe('time to a good model', () => {
  it('recommends frames pitch by pitch for chorales on a beat grid, and events for jigs, saying why', async () => {
    const chorales = await call('training.recommend', { corpusId: (await corpus('Chorales')).id });
    expect(chorales).toMatchObject({ encoding: 'frame-pitches', params: { perBeat: 1, onsets: false }, spec: { arch: 'lstm' } });
    expect(chorales.reasons.join(' ')).toMatch(/^Every onset and length .* sits on a grid of a beat; .* written frame by frame, .* a round trip keeps every note/);
    const jigs = await call('training.recommend', { corpusId: (await corpus('Jigs')).id });
    expect(jigs.encoding).toBe('events');
    expect(jigs.reasons.join(' ')).toMatch(/single notes/);
  });

  it('scores a corpus the model never saw as a true likelihood: unknown tokens through the escape, the pieces it trained on left out', async () => {
    const { model, corpus: own } = await trained('Jigs', 'events', {}, 'jig events');
    const self = await call('models.score', { id: model.id, corpusId: own.id, detail: true });
    expect(self.excluded).toBeGreaterThan(0);
    expect(self.pieces + self.excluded + self.unscored).toBe(own.pieces);
    expect(self.exact).toBe(true);
    const perPiece = self.detail!.map((p) => p.nats.reduce((a, b) => a + b, 0));
    expect(perPiece.reduce((a, b) => a + b, 0)).toBeCloseTo(self.natsTotal!, 6);
    expect(self.natsPerNote!).toBeCloseTo(self.natsTotal! / self.notes, 9);
    expect(self.detail!.every((p) => p.nats.every((n) => n > 0 && Number.isFinite(n)))).toBe(true);
    // The chorales hold events the jigs never had (other meters, pitches): each one costs p(<unk>) and its text.
    const other = await call('models.score', { id: model.id, corpusId: (await corpus('Chorales')).id });
    expect(other.excluded).toBe(0);
    expect(other.escaped).toBeGreaterThan(0);
    expect(other.natsPerToken!).toBeGreaterThan(self.natsPerToken!);
  });

  it('a closed alphabet needs no escape, and the RBM is refused with the reason', async () => {
    const { model } = await trained('Chorales', 'frame-pitches', { perBeat: 1, onsets: false }, 'chorale frames');
    const jigs = await call('models.score', { id: model.id, corpusId: (await corpus('Jigs')).id });
    expect(jigs.escaped).toBe(0);
    expect(jigs.natsTotal).toBeGreaterThan(0);
    const c = await corpus('Chorales');
    const roll = await call('vocabularies.build', { corpusId: c.id, encoding: 'piano-roll' });
    const run = await call('training.start', { vocabularyId: roll.id, model: 'chorale rbm', spec: { arch: 'rbm', hidden: 8, cdK: 1 }, hyperparams: { epochs: 1, batchSize: 16, sequenceLength: 8 } });
    await engine.training.waitFor(run.id);
    expect(await engine.call('models.score', { id: run.modelId, corpusId: c.id })).toMatchObject({ ok: false, error: { kind: 'invalid_input', message: expect.stringMatching(/RBM: it gives no likelihood/) } });
  });

  it('estimates a run from a calibration here, and fits a run to a time budget that it then keeps', async () => {
    const c = await corpus('Chorales');
    const vocab = await call('vocabularies.build', { corpusId: c.id, encoding: 'frame-pitches', params: { perBeat: 1, onsets: false } });
    const lstm = (await call('architectures.list', {})).find((a) => a.name === 'lstm')!.presets.find((p) => p.name === 'lstm-small')!;
    const e = await call('training.estimate', { vocabularyId: vocab.id, spec: lstm.spec, hyperparams: { ...lstm.hyperparams, epochs: 7 } });
    expect(e.epochs).toBe(7);
    expect(e.windowsPerEpoch).toBeGreaterThan(0);
    expect(e.secondsPerEpoch).toBeGreaterThan(e.batchesPerEpoch * e.secondsPerStep);
    expect(e.totalSeconds).toBeCloseTo(e.secondsPerEpoch * 7, 6);
    expect(e.peakMemoryMb).toBeGreaterThan(50);
    // Half a minute: the planner gives the corpus the epochs it wants, or the smallest size what fits.
    const plan = await call('training.estimate', { vocabularyId: vocab.id, spec: lstm.spec, hyperparams: lstm.hyperparams, budgetMinutes: 0.5 });
    expect(plan.hyperparams.maxSeconds).toBe(30);
    expect(plan.epochs * plan.secondsPerEpoch).toBeLessThanOrEqual(30);
    expect([512, 384, 256, 192, 128]).toContain(plan.spec.units);
    if (plan.spec.units !== 128) expect(plan.epochs).toBeGreaterThanOrEqual(epochsWanted(vocab.steps));
    const run = await call('training.start', { vocabularyId: vocab.id, model: 'budget', spec: lstm.spec, hyperparams: lstm.hyperparams, budgetMinutes: 0.5 });
    const done = await engine.training.waitFor(run.id);
    expect(['completed', 'stopped']).toContain(done.status);
    expect(done.seconds).toBeLessThanOrEqual(30 * 1.1);
    // Start calibrates again (the machine may have sped up or slowed down since): about the same plan.
    expect(done.hyperparams.maxSeconds).toBe(30);
    expect(Math.abs(done.hyperparams.epochs - plan.epochs)).toBeLessThanOrEqual(Math.max(2, plan.epochs * 0.3));
  }, 180_000);

  it('asks for fewer epochs of a larger corpus', () => {
    expect(epochsWanted(70_000)).toBe(40);
    expect(epochsWanted(300_000)).toBeLessThan(25);
    expect(epochsWanted(50_000_000)).toBe(8);
  });
});

describe('etude train and etude score from the command line', () => {
  it('estimates with no encoding or architecture named (the recommendation), then trains and scores', () => {
    const db = path.join(tempDir(), 'cli.db');
    const run = (args: string[]) => spawnSync(process.execPath, [ETUDE_BIN, ...args, '--db', db], { encoding: 'utf8', timeout: 120_000 });
    expect(run(['import', JIGS, '--corpus', 'Jigs']).status).toBe(0);
    const estimate = run(['train', '--corpus', 'Jigs', '--estimate', '--json', '--epochs', '3']);
    expect(estimate.status, estimate.stderr).toBe(0);
    const e = JSON.parse(estimate.stdout);
    expect(Object.keys(e)).toEqual(expect.arrayContaining(['windows_per_epoch', 'seconds_per_epoch', 'epochs', 'total_seconds', 'peak_memory_mb']));
    expect(e).toMatchObject({ epochs: 3, encoding: 'events' });
    const trainedRun = run(['train', '--corpus', 'Jigs', '--model', 'cli jigs', '--epochs', '1', '--set', 'units=32', '--set', 'dense=0', '--json']);
    expect(trainedRun.status, trainedRun.stderr).toBe(0);
    const scored = run(['score', '--model', 'cli jigs', '--corpus', 'Jigs', '--json']);
    expect(scored.status, scored.stderr).toBe(0);
    const s = JSON.parse(scored.stdout);
    expect(Object.keys(s)).toEqual(expect.arrayContaining(['pieces', 'notes', 'tokens', 'nats_total', 'nats_per_note', 'nats_per_token', 'exact', 'unscored']));
    expect(s.excluded).toBeGreaterThan(0);
    expect(s.nats_per_token).toBeGreaterThan(0);
    expect(s.left_out).toHaveLength(s.excluded + s.unscored);
    // A test corpus holding copies of training pieces under other names: the human output names each one left out, and why.
    const copies = path.join(tempDir(), 'copies');
    fs.mkdirSync(copies);
    const files = midiFiles(JIGS).slice(0, 6);
    files.forEach((f, i) => fs.copyFileSync(f, path.join(copies, `test-${i}.mid`)));
    expect(run(['import', copies, '--corpus', 'Jig tests']).status).toBe(0);
    const human = run(['score', '--model', 'cli jigs', '--corpus', 'Jig tests']);
    expect(human.status, human.stderr).toBe(0);
    const left = [...human.stdout.matchAll(/^ {2}(test-\d): identical to "(jigs\d+)", a piece the model trained on$/gm)];
    expect(left.length).toBeGreaterThan(0);
    for (const [, copy, original] of left) expect(path.basename(files[Number(copy!.slice(5))]!, '.mid')).toBe(original);
    expect(human.stdout).toContain(`cli jigs on Jig tests: ${6 - left.length} of 6 pieces scored`);
    expect(human.stdout).toMatch(new RegExp(`^${left.length} left out:$`, 'm'));
  }, 240_000);
});
