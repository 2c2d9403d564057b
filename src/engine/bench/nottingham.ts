/**
 * The two-part folk check (test/fixtures/nottingham-two-part): Nottingham tunes, melody over
 * chords held for bars, on an eighth-note grid, in the form of the two-part Nottingham benchmark
 * of Boulanger-Lewandowski et al. (2012), run as a musician would: the training and validation
 * tunes written as MIDI and imported, the recommended reading and model trained with a 10-minute
 * budget, the test tunes scored with the code of `etude score`, in nats a frame (a frame is one
 * step of the reading's grid; each piece's first frame is not counted, as the benchmarks do).
 * The recommendation was not tuned on it; its published neighbours are trigram 2.66, RNN-RBM 2.39,
 * RNN-NADE 2.31 on the real split, which this stand-in resembles and does not equal.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../engine';
import { writeChorales } from '../corpus/frames-midi';
import type { MethodInput, MethodName, MethodResult } from '../../shared/api';
import { unwrapReply } from '../../shared/reply';
import type { BenchResult } from './workloads';

export const NOTTINGHAM_BUDGET_MINUTES = 10;

interface TwoPart {
  perBeat: number;
  train: number[][][];
  valid: number[][][];
  test: number[][][];
}

export async function nottinghamTwoPart(benchmarksDir: string, budgetMinutes = NOTTINGHAM_BUDGET_MINUTES): Promise<BenchResult> {
  const data = JSON.parse(fs.readFileSync(path.join(benchmarksDir, 'nottingham-two-part', 'nottingham-two-part-eighth.json'), 'utf8')) as TwoPart;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-bench-nottingham-'));
  const engine = Engine.open({ dbPath: path.join(dir, 'bench.db'), starterCorpus: false });
  const call = async <M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodResult<M>> => unwrapReply(await engine.call(method, input)) as MethodResult<M>;
  try {
    writeChorales(path.join(dir, 'corpus'), [...data.train, ...data.valid], 'tune', data.perBeat);
    writeChorales(path.join(dir, 'test'), data.test, 'test', data.perBeat);
    const imported = await call('corpora.import', { corpus: 'Two-part folk', paths: [path.join(dir, 'corpus')] });
    await call('corpora.import', { corpus: 'Two-part folk tests', paths: [path.join(dir, 'test')] });
    const corpora = await call('corpora.list', {});
    const corpus = corpora.find((c) => c.name === 'Two-part folk')!;
    const test = corpora.find((c) => c.name === 'Two-part folk tests')!;
    const advice = await call('training.recommend', { corpusId: corpus.id });
    const vocab = await call('vocabularies.build', { corpusId: corpus.id, encoding: advice.encoding as never, params: advice.params });
    const started = await call('training.start', { vocabularyId: vocab.id, model: 'Two-part folk', spec: advice.spec, hyperparams: advice.hyperparams, budgetMinutes });
    const run = await engine.training.waitFor(started.id);
    const model = (await call('models.list', {})).find((m) => m.name === 'Two-part folk')!;
    const score = await call('models.score', { id: model.id, corpusId: test.id });
    const curve = await call('models.curve', { id: model.id });
    return {
      workload: 'nottingham-two-part',
      test_nats_per_frame: score.natsPerFrame,
      test_frames: score.frames,
      test_pieces: score.pieces,
      left_out: score.leftOut.length,
      exact: score.exact,
      recommendation_lossless: advice.roundTrip.exact === advice.roundTrip.notes,
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
