/**
 * A musician's long afternoon in one engine: the folk base model asked again and again for 4 takes
 * of 8 bars from bars 1–4 of a starter tune (a third of them deleted again, the model and
 * generation lists read in between), then 20 short training runs. The process's memory after the
 * 50th generation and after the last says whether anything is lost per generation; the workers'
 * tensors and heaps say where.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../engine';
import type { MethodInput, MethodName, MethodResult } from '../../shared/api';
import { unwrapReply } from '../../shared/reply';
import type { BenchResult } from './workloads';

export const SOAK_GENERATIONS = 500;
export const SOAK_TRAINING_RUNS = 20;
const MEASURED_FROM = 50;

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const rssMb = () => mb(process.memoryUsage().rss);

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export async function soak(generations = SOAK_GENERATIONS, trainingRuns = SOAK_TRAINING_RUNS): Promise<BenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-bench-soak-'));
  const engine = Engine.open({ dbPath: path.join(dir, 'soak.db') });
  const call = async <M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodResult<M>> => unwrapReply(await engine.call(method, input)) as MethodResult<M>;
  try {
    const folk = (await call('models.list', {})).find((m) => m.baseName === 'folk-melodies');
    if (!folk) throw new Error('the folk base model is not installed (resources/base-models/folk-melodies.etude-model)');
    const [starter] = await call('corpora.list', {});
    const { pieces } = await call('pieces.list', { corpusId: starter!.id, sort: 'title', limit: 1 });
    await engine.workerMemory(); // both workers started: their start is not a generation's time
    const input = { modelId: folk.id, primer: { kind: 'piece' as const, pieceId: pieces[0]!.id, bars: [1, 4] as [number, number] }, length: { unit: 'bars' as const, value: 8 }, variations: 4 };
    const seconds: number[] = [];
    let failures = 0;
    const failureReasons = new Set<string>();
    // A short soak (ETUDE_SOAK_GENERATIONS) is measured from its middle instead.
    const from = Math.min(MEASURED_FROM, Math.max(1, Math.floor(generations / 2)));
    let at50 = { rss: 0, heap: 0, tensors: 0 };
    for (let i = 1; i <= generations; i++) {
      const started = performance.now();
      const reply = await engine.call('generations.generate', { ...input, seed: i });
      seconds.push((performance.now() - started) / 1000);
      if (!reply.ok) {
        failures++;
        failureReasons.add(reply.error.message);
      } else if (i % 3 === 0) await call('generations.delete', { id: (reply.value as { id: number }).id, confirm: true });
      await call('models.list', {});
      await call('generations.list', {});
      if (i === from) {
        const m = (await engine.workerMemory()).generation;
        at50 = { rss: rssMb(), heap: mb(m.wasmHeapBytes ?? 0), tensors: m.numTensors };
      }
    }
    const last = (await engine.workerMemory()).generation;
    const rssLast = rssMb();
    const sorted = [...seconds].sort((a, b) => a - b);
    const span = Math.max(1, generations - from);

    // Short training runs in the same engine: the training worker's heap should level off.
    const vocab = await call('vocabularies.build', { corpusId: starter!.id, encoding: 'events' });
    const heaps: number[] = [];
    const runSeconds: number[] = [];
    let trainingFailures = 0;
    for (let r = 0; r < trainingRuns; r++) {
      const started = performance.now();
      const run = await call('training.start', {
        vocabularyId: vocab.id,
        model: `soak ${r + 1}`,
        spec: { arch: 'lstm', embedding: 32, units: 128, layers: 1, dropout: 0, dense: 0 },
        hyperparams: { epochs: 1, batchSize: 32, sequenceLength: 32, stride: 8, learningRate: 0.01, seed: r },
      });
      const done = await engine.training.waitFor(run.id);
      if (done.status !== 'completed') trainingFailures++;
      runSeconds.push((performance.now() - started) / 1000);
      heaps.push(mb((await engine.workerMemory()).training.wasmHeapBytes ?? 0));
    }
    const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
    return {
      workload: 'soak',
      generations,
      measured_from: from,
      failures,
      failure_reasons: [...failureReasons].join(' | ') || null,
      rss_after_50_mb: at50.rss,
      rss_after_last_mb: rssLast,
      growth_50_to_last_mb: round(rssLast - at50.rss, 1),
      growth_per_generation_mb: round((rssLast - at50.rss) / span, 4),
      generation_heap_after_50_mb: at50.heap,
      generation_heap_after_last_mb: mb(last.wasmHeapBytes ?? 0),
      generation_tensors_after_50: at50.tensors,
      generation_tensors_after_last: last.numTensors,
      first_generation_s: round(seconds[0]!),
      second_generation_s: round(seconds[1] ?? 0),
      median_s: round(quantile(sorted, 0.5)),
      p95_s: round(quantile(sorted, 0.95)),
      training_runs: trainingRuns,
      training_failures: trainingFailures,
      training_heap_mb: heaps.join(' '),
      training_heap_growth_after_5th_mb: heaps.length > 5 ? round(heaps.at(-1)! - heaps[4]!, 1) : null,
      training_run_median_s: round([...runSeconds].sort((a, b) => a - b)[Math.floor(runSeconds.length / 2)] ?? 0),
      rss_after_training_mb: rssMb(),
    };
  } finally {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
