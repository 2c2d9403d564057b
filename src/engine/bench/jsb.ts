/**
 * The JSB Chorales quality benchmark (test/fixtures/jsb-chorales, the split of Boulanger-Lewandowski
 * et al. 2012) run as a musician would: the chorales written as MIDI files, imported through the
 * studio's import, the recommended encoding and model trained with a 10-minute budget on the 229
 * training chorales, the 76 validation chorales choosing the checkpoint and stopping early (as the
 * published models did), the 77 test chorales scored with the code of `etude score`, and the figure
 * the literature reports: nats a frame over each test piece's frames after its first.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../engine';
import { framesAfterFirst } from '../encode/frame-pitches';
import type { MethodInput, MethodName, MethodResult } from '../../shared/api';
import { unwrapReply } from '../../shared/reply';
import type { BenchResult } from './workloads';
import { writeChorales } from '../corpus/frames-midi';

export const JSB_BUDGET_MINUTES = 10;

type Chorales = Record<'train' | 'valid' | 'test', number[][][]>;

/** The published split's test set: the figure is comparable only when all of it was scored. */
export const JSB_TEST_PIECES = 77;
export const JSB_TEST_FRAMES = 4_648;

export async function jsbChorales(benchmarksDir: string, budgetMinutes = JSB_BUDGET_MINUTES): Promise<BenchResult> {
  const file = path.join(benchmarksDir, 'jsb-chorales', 'jsb-chorales-quarter.json');
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as Chorales;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-bench-jsb-'));
  // No base model: the figure is of a model trained on the chorales alone.
  const engine = Engine.open({ dbPath: path.join(dir, 'bench.db'), starterCorpus: false, baseModels: false });
  const call = async <M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodResult<M>> => unwrapReply(await engine.call(method, input)) as MethodResult<M>;
  try {
    // The training and validation chorales are the musician's corpus, the validation ones held out by
    // name; the test chorales stay unseen.
    writeChorales(path.join(dir, 'corpus'), data.train, 'chorale');
    writeChorales(path.join(dir, 'corpus'), data.valid, 'valid');
    writeChorales(path.join(dir, 'test'), data.test, 'test');
    const validationTitles = data.valid.map((_, i) => `valid-${String(i).padStart(3, '0')}`);
    const imported = await call('corpora.import', { corpus: 'JSB chorales', paths: [path.join(dir, 'corpus')] });
    await call('corpora.import', { corpus: 'JSB test chorales', paths: [path.join(dir, 'test')] });
    const corpora = await call('corpora.list', {});
    const corpus = corpora.find((c) => c.name === 'JSB chorales')!;
    const test = corpora.find((c) => c.name === 'JSB test chorales')!;
    const titles = new Set((await call('pieces.list', { corpusId: corpus.id, limit: 1000 })).pieces.map((p) => p.title));
    const missing = validationTitles.filter((t) => !titles.has(t));
    if (missing.length > 0) throw new Error(`the validation chorales were not imported under their names (${missing.slice(0, 3).join(', ')} …)`);
    const advice = await call('training.recommend', { corpusId: corpus.id });
    const vocab = await call('vocabularies.build', { corpusId: corpus.id, encoding: advice.encoding as never, params: advice.params });
    const hyperparams = { ...advice.hyperparams, validationTitles };
    const started = await call('training.start', { vocabularyId: vocab.id, model: 'JSB', spec: advice.spec, hyperparams, budgetMinutes });
    const run = await engine.training.waitFor(started.id);
    const model = (await call('models.list', {})).find((m) => m.name === 'JSB')!;
    const score = await call('models.score', { id: model.id, corpusId: test.id, detail: true });
    const frames = advice.encoding === 'frame-pitches' ? (score.detail ?? []).map((p) => framesAfterFirst(p.tokens, p.nats)) : [];
    const testFrames = frames.reduce((n, f) => n + f.frames, 0);
    if (score.pieces !== JSB_TEST_PIECES || (frames.length > 0 && testFrames !== JSB_TEST_FRAMES)) {
      throw new Error(`the JSB figure is comparable only over the whole test split: ${score.pieces} of ${JSB_TEST_PIECES} chorales and ${testFrames} of ${JSB_TEST_FRAMES} frames were scored`);
    }
    const curve = await call('models.curve', { id: model.id });
    return {
      workload: 'jsb-chorales',
      test_nats_per_frame: testFrames > 0 ? frames.reduce((n, f) => n + f.nats, 0) / testFrames : null,
      test_frames: testFrames,
      test_pieces: score.pieces,
      train_pieces: data.train.length,
      validation_pieces: data.valid.length,
      exact: score.exact,
      budget_seconds: budgetMinutes * 60,
      train_seconds: Math.round(run.seconds),
      status: run.status,
      epochs: run.epoch,
      best_val_loss: run.bestValLoss,
      model: `${model.architecture} ${JSON.stringify(model.spec)}`,
      encoding: `${advice.encoding} ${JSON.stringify(vocab.params)}`,
      parameters: model.parameters,
      imported: imported.imported,
      validation_curve: JSON.stringify(curve.map((p) => [p.epoch, p.valLoss === null ? null : Math.round(p.valLoss * 10_000) / 10_000])),
    };
  } finally {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
