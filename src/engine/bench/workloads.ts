import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importSources, sourcesFromPaths } from '../corpus/import';
import { SequenceDataset } from '../dataset/sequence-dataset';
import { buildVocabulary } from '../encode/build-vocabulary';
import { encodingOf, parseParams } from '../encode/registry';
import { ENCODING_KINDS } from '../../shared/encoding';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { BackendInfo } from '../../shared/api';
import type { ModelSpec } from '../../shared/training';
import { createModel, rowsPerPass } from '../models/registry';
import { isTokenGenerator, type TrainableModel } from '../models/types';
import { sampleIndex } from '../jobs/generate/sampling';
import { seededRandom } from '../../shared/random';
import { parseBackendPreference, selectBackend } from '../tf/backend';
import { makeOptimizer, trainStep } from '../jobs/train/step';
import { Engine } from '../engine';
import type { RunInfo } from '../../shared/training';
import { Store } from '../store/store';
import { PRESETS } from '../models/registry';
import { CorpusIndex } from '../originality/corpus-index';
import { syntheticMidi } from './synthetic-midi';
import { JSB_BUDGET_MINUTES, jsbChorales } from './jsb';
import { NOTTINGHAM_BUDGET_MINUTES, nottinghamTwoPart } from './nottingham';
import { PERSONALISE_MINUTES, personaliseJigs } from './personalise';
import { libraryCare } from './library-care';
import { FIDELITY_PERSONALISE_MINUTES, fidelityBench } from './fidelity';
import { SOAK_GENERATIONS, SOAK_TRAINING_RUNS, soak } from './soak';

export interface BenchResult {
  workload: string;
  [figure: string]: string | number | boolean | null;
}

export interface Workload {
  name: string;
  summary: string;
  run(options: { corporaDir: string; benchmarksDir: string }): Promise<BenchResult>;
  /**
   * The workload's generation figure, measured apart: the studio generates in its own worker on
   * one WebAssembly thread (ETUDE_THREADS=1), so `etude bench` runs this in a process of its own so.
   */
  generate?(): Promise<BenchResult>;
}

function withTempStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-bench-'));
  const store = Store.open(path.join(dir, 'bench.db'));
  return fn(store).finally(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

async function importBench(name: string, paths: string[]): Promise<BenchResult> {
  return withTempStore(async (store) => {
    const corpus = store.corpora.create(name);
    const { sources, failed } = sourcesFromPaths(paths);
    const started = performance.now();
    const summary = await importSources(store.corpora, corpus.id, sources, failed);
    const seconds = (performance.now() - started) / 1000;
    return {
      workload: name,
      files: sources.length,
      imported: summary.imported,
      failed: summary.failed.length,
      notes: summary.notes,
      seconds: Math.round(seconds * 1000) / 1000,
      files_per_s: Math.round(sources.length / seconds),
      notes_per_s: Math.round(summary.notes / seconds),
    };
  });
}

async function withJigs<T>(corporaDir: string, fn: (store: Store, corpusId: number) => Promise<T>): Promise<T> {
  return withTempStore(async (store) => {
    const corpus = store.corpora.create('Jigs');
    await importSources(store.corpora, corpus.id, sourcesFromPaths([path.join(corporaDir, 'nottingham-jigs')]).sources, []);
    return fn(store, corpus.id);
  });
}

/** A caller of the engine that returns the value or throws the error's message. */
function valueOf(engine: Engine): <T>(method: Parameters<Engine['call']>[0], input: unknown) => Promise<T> {
  return async <T>(method: Parameters<Engine['call']>[0], input: unknown): Promise<T> => {
    const reply = await engine.call(method, input);
    if (!reply.ok) throw new Error(reply.error.message);
    return reply.value as T;
  };
}

/** The backend the studio would choose, or the one ETUDE_BACKEND forces (checked as the studio checks it). */
function benchBackend(): Promise<BackendInfo> {
  return selectBackend(parseBackendPreference(process.env.ETUDE_BACKEND));
}

/**
 * Seconds to generate 1,000 tokens, one take, as the studio does it: the model's incremental
 * stepper (state, KV cache, or the re-read window) and the sampler, after a 50-token primer.
 */
function generateSeconds(model: TrainableModel, vocab: number, window: number): number | null {
  if (!isTokenGenerator(model)) return null;
  const stepper = model.stepper(1, window);
  const random = seededRandom(5);
  const options = { temperature: 1, topK: 0, topP: 1, greedy: false };
  const started = performance.now();
  // A 50-token primer, then 1,000 sampled tokens (WORKLOADS.md).
  let logits: Float32Array = new Float32Array(0);
  for (let i = 0; i < 50; i++) logits = stepper.step(new Int32Array([4 + (i % (vocab - 4))]));
  for (let i = 0; i < 1000; i++) logits = stepper.step(new Int32Array([sampleIndex(logits, 0, vocab, options, random).index]));
  const seconds = (performance.now() - started) / 1000;
  stepper.dispose();
  return Math.round(seconds * 1000) / 1000;
}

/** Least time a training figure is measured over: a fast step's figure from a few steps swings ±20%. */
const MIN_TIMED_SECONDS = 3;

/** Milliseconds per step over at least `minSteps` steps and MIN_TIMED_SECONDS (step numbers from 1). */
async function timedSteps(step: (s: number) => Promise<unknown>, minSteps: number): Promise<number> {
  const started = performance.now();
  let s = 0;
  while (s < minSteps || performance.now() - started < MIN_TIMED_SECONDS * 1000) await step(++s);
  return (performance.now() - started) / s;
}

/**
 * A WORKLOADS.md training workload: random tokens of the stated shape through the trainer's own
 * step function, one warm-up step, then at least five timed steps.
 */
async function tokenTraining(name: string, spec: ModelSpec, vocab: number, batch: number, length: number, steps = 5): Promise<BenchResult> {
  const backend = await benchBackend();
  const model = createModel(spec, vocab, 1);
  const optimizer = makeOptimizer({ optimizer: 'adam', learningRate: 0.001 });
  let seed = 1;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) >>> 0) % vocab);
  const x = Int32Array.from({ length: batch * length }, random);
  const y = Int32Array.from({ length: batch * length }, random);
  const tokens = { kind: 'tokens' as const, x, y, batch, length };
  const rows = rowsPerPass(spec, vocab, length, batch); // as the trainer takes it
  await trainStep(model, optimizer, tokens, 0, 0, rows);
  const msPerStep = await timedSteps((s) => trainStep(model, optimizer, tokens, s, 0, rows), steps);
  model.dispose();
  return {
    workload: name,
    backend: backend.name,
    threads: backend.threads,
    train_samples_per_s: Math.round((batch / (msPerStep / 1000)) * 10) / 10,
    ms_per_step: Math.round(msPerStep * 10) / 10,
    rows_per_pass: rows,
  };
}

/** A token workload's generation figure (the weights' values do not change its speed). */
async function tokenGeneration(name: string, spec: ModelSpec, vocab: number, length: number): Promise<BenchResult> {
  const backend = await benchBackend();
  const model = createModel(spec, vocab, 1);
  // The studio's generation worker lives as long as the studio: time a take after a first one,
  // as a musician's every take but the session's first runs (that one is reported apart).
  const cold = generateSeconds(model, vocab, length);
  const seconds = generateSeconds(model, vocab, length);
  model.dispose();
  return { workload: name, generate_threads: backend.threads, generate_1000_tokens_s: seconds, first_generate_1000_tokens_s: cold };
}

/** A WORKLOADS.md token workload: training, and generation from the same shape. */
function tokenWorkload(name: string, summary: string, spec: ModelSpec, vocab: number, batch: number, length: number): Workload {
  return {
    name,
    summary,
    run: () => tokenTraining(name, spec, vocab, batch, length),
    generate: () => tokenGeneration(name, spec, vocab, length),
  };
}

/** The benchmark's workloads; training and generation workloads join as those capabilities land. */
export const WORKLOADS: Workload[] = [
  {
    name: 'import-nottingham',
    summary: 'import the 384 Nottingham jig files into a fresh database (target: under 5 s)',
    run: ({ corporaDir }) => importBench('import-nottingham', [path.join(corporaDir, 'nottingham-jigs')]),
  },
  {
    name: 'import-large-file',
    summary: 'import one 200,000-note MIDI file (target: at least 200,000 notes/s)',
    async run() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-bench-file-'));
      try {
        const file = path.join(dir, 'large.mid');
        fs.writeFileSync(file, syntheticMidi(200_000));
        return await importBench('import-large-file', [file]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'encode-nottingham',
    summary: 'encode all Nottingham jigs with each encoding (target: under 2 s each); build = encode + round trip + storage',
    run: ({ corporaDir }) =>
      withJigs(corporaDir, async (store, corpusId) => {
        const result: BenchResult = { workload: 'encode-nottingham' };
        for (const kind of ENCODING_KINDS) {
          const encoding = encodingOf(kind);
          const params = parseParams(kind, {});
          let started = performance.now();
          let steps = 0;
          for (const { piece } of store.corpora.iterateEncodable(corpusId)) {
            const e = encoding.encode(piece, params);
            steps += e.representation === 'tokens' ? e.tokens.length : e.data.length / e.width;
          }
          result[`${kind}_encode_s`] = Math.round(performance.now() - started) / 1000;
          started = performance.now();
          await buildVocabulary(store, { corpusId, encoding: kind });
          result[`${kind}_build_s`] = Math.round(performance.now() - started) / 1000;
          result[`${kind}_steps`] = steps;
        }
        return result;
      }),
  },
  tokenWorkload(
    'lstm1x256',
    'embedding 64 → LSTM 256 → dense 256 → softmax over 200; batch 64 × 50 tokens (PyTorch CPU: 152 samples/s)',
    { arch: 'lstm', embedding: 64, units: 256, layers: 1, dropout: 0, dense: 256 },
    200,
    64,
    50,
  ),
  tokenWorkload(
    'seed000-lstm3x512',
    'embedding 64 → LSTM 512 ×3, dropout 0.3 → dense 256 → softmax over 358; batch 64 × 100 tokens (PyTorch CPU: 12.8 samples/s)',
    { arch: 'lstm', embedding: 64, units: 512, layers: 3, dropout: 0.3, dense: 256 },
    358,
    64,
    100,
  ),
  tokenWorkload(
    'seed002-bigru3x128',
    'embedding 100 → bidirectional GRU 128 ×3 → dense 256 → softmax over 201; batch 64 × 50 frames (PyTorch CPU: 59 samples/s)',
    { arch: 'bigru', embedding: 100, units: 128, layers: 3, dense: 256, dropout: 0 },
    201,
    64,
    50,
  ),
  tokenWorkload(
    'transformer-small',
    'the transformer-small preset: width 128, 4 heads, 3 blocks, relative positions; batch 32 × 64 tokens over 300 (no PyTorch reference)',
    { arch: 'transformer', embedding: 128, heads: 4, layers: 3, feedForward: 512, dropout: 0.1, positions: 'relative', context: 512 },
    300,
    32,
    64,
  ),
  {
    name: 'seed004-psd-lstm128',
    summary: '(pitch, step, duration) → LSTM 128 → pitch, step and duration heads; batch 64 × 25 notes (PyTorch CPU: 3,537 samples/s)',
    async run() {
      const backend = await benchBackend();
      const model = createModel({ arch: 'psd-lstm', units: 128, layers: 1 }, 0, 1);
      const optimizer = makeOptimizer({ optimizer: 'adam', learningRate: 0.005 });
      const [batch, length] = [64, 25];
      let seed = 7;
      const random = () => (seed = (seed * 1_103_515_245 + 12_345) >>> 0) / 2 ** 32;
      const features = () => Float32Array.from({ length: batch * length * 3 }, (_, i) => (i % 3 === 0 ? Math.floor(random() * 128) : random() * 0.5));
      const data = { kind: 'features' as const, x: features(), y: features(), batch, length, width: 3 };
      await trainStep(model, optimizer, data, 0);
      const msPerStep = await timedSteps((s) => trainStep(model, optimizer, data, s), 10);
      model.dispose();
      return {
        workload: 'seed004-psd-lstm128',
        backend: backend.name,
        threads: backend.threads,
        train_samples_per_s: Math.round((batch / (msPerStep / 1000)) * 10) / 10,
        ms_per_step: Math.round(msPerStep * 10) / 10,
        generate_1000_tokens_s: null,
      };
    },
  },
  {
    name: 'train-event-loop',
    summary: "the main thread's event-loop delay while a model trains in the worker (target: under 50 ms)",
    async run() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-bench-loop-'));
      const engine = Engine.open({ dbPath: path.join(dir, 'bench.db') });
      try {
        const value = valueOf(engine);
        const [corpus] = await value<{ id: number }[]>('corpora.list', {});
        const vocab = await value<{ id: number }>('vocabularies.build', { corpusId: corpus!.id, encoding: 'events' });
        const run = await value<RunInfo>('training.start', {
          vocabularyId: vocab.id,
          model: 'bench',
          spec: { arch: 'lstm', embedding: 64, units: 256, layers: 1, dropout: 0, dense: 256 },
          hyperparams: { epochs: 100, batchSize: 64, sequenceLength: 50, maxSeconds: 20 },
        });
        let batches = 0;
        engine.on((m) => {
          if (m.event === 'training.batch') batches++;
        });
        // Measure once training is under way (the first batch), for the rest of the run.
        while (batches === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        const histogram = monitorEventLoopDelay({ resolution: 10 });
        histogram.enable();
        const done = await engine.training.waitFor(run.id);
        histogram.disable();
        return {
          workload: 'train-event-loop',
          status: done.status,
          batches,
          event_loop_delay_max_ms: Math.round(histogram.max / 1e5) / 10,
          event_loop_delay_p99_ms: Math.round(histogram.percentile(99) / 1e5) / 10,
          event_loop_delay_mean_ms: Math.round(histogram.mean / 1e5) / 10,
        };
      } finally {
        await engine.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'seed000-memory',
    summary: 'the seed000 preset (batch 128 × 100) training in the worker on a 1M-token corpus: resident memory while it trains (target: under 2 GB)',
    async run() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-bench-mem-'));
      const engine = Engine.open({ dbPath: path.join(dir, 'bench.db'), starterCorpus: false });
      try {
        const value = valueOf(engine);
        // Ten pieces of 100,000 notes: a million notes-and-chords tokens.
        const files = Array.from({ length: 10 }, (_, i) => {
          const file = path.join(dir, `piece-${i}.mid`);
          fs.writeFileSync(file, syntheticMidi(100_000 + i));
          return file;
        });
        await value('corpora.import', { corpus: 'Million', paths: files });
        const [corpus] = await value<{ id: number }[]>('corpora.list', {});
        const vocab = await value<{ id: number; size: number }>('vocabularies.build', { corpusId: corpus!.id, encoding: 'notes-chords' });
        const preset = PRESETS.find((p) => p.name === 'seed000')!;
        const baseline = process.memoryUsage().rss;
        const run = await value<RunInfo>('training.start', {
          vocabularyId: vocab.id,
          model: 'seed000',
          spec: preset.spec,
          hyperparams: { ...preset.hyperparams, epochs: 1, maxSeconds: 120 },
        });
        let peak = 0;
        let batches = 0;
        let samplesPerSecond = 0;
        engine.on((m) => {
          if (m.event === 'training.batch') {
            batches++;
            samplesPerSecond = m.payload.samplesPerSecond;
          }
        });
        const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
        const done = await engine.training.waitFor(run.id);
        clearInterval(timer);
        return {
          workload: 'seed000-memory',
          status: done.status,
          tokens: (await value<{ steps: number }>('vocabularies.get', { id: vocab.id })).steps,
          vocabulary: vocab.size,
          batches,
          rows_per_pass: rowsPerPass(preset.spec, vocab.size, 100, 128),
          train_samples_per_s: Math.round(samplesPerSecond * 10) / 10,
          rss_before_training_mb: Math.round(baseline / 2 ** 20),
          train_peak_rss_mb: Math.round(peak / 2 ** 20),
        };
      } finally {
        await engine.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'originality-1m',
    summary: 'the originality index of a 1M-note corpus, and the check of a 1,000-note take against it (target: under 100 ms)',
    async run() {
      return withTempStore(async (store) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-bench-orig-'));
        try {
          const files = Array.from({ length: 10 }, (_, i) => {
            const file = path.join(dir, `piece-${i}.mid`);
            fs.writeFileSync(file, syntheticMidi(100_000 + i));
            return file;
          });
          const corpus = store.corpora.create('Million');
          await importSources(store.corpora, corpus.id, sourcesFromPaths(files).sources, []);
          const index = CorpusIndex.build(store, corpus.id);
          const piece = [...store.corpora.iterateEncodable(corpus.id)][3]!.piece;
          const copied = piece.notes.slice(5000, 6000).map((n) => ({ ...n, pitch: n.pitch + 3 }));
          const random = seededRandom(11);
          const fresh = Array.from({ length: 1000 }, (_, i) => ({ pitch: 40 + Math.floor(random() * 40), startTick: i * 120 + Math.floor(random() * 4) * 40 }));
          let started = performance.now();
          const a = index.longestMatch(copied, piece.ppq);
          const copiedMs = performance.now() - started;
          started = performance.now();
          const b = index.longestMatch(fresh, piece.ppq);
          const freshMs = performance.now() - started;
          return {
            workload: 'originality-1m',
            corpus_notes: index.profile.notes,
            index_build_s: Math.round(index.buildSeconds * 100) / 100,
            check_copied_ms: Math.round(copiedMs * 10) / 10,
            copied_longest_match: a.notes,
            check_random_ms: Math.round(freshMs * 10) / 10,
            random_longest_match: b.notes,
          };
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      });
    },
  },
  {
    name: 'dataset-1m',
    summary: 'a dataset of over a million steps (jigs as 40 fps frames) and its windows (target: under 100 MB)',
    run: ({ corporaDir }) =>
      withJigs(corporaDir, async (store, corpusId) => {
        const vocab = await buildVocabulary(store, { corpusId, encoding: 'frames', params: { fps: 40 } });
        const before = process.memoryUsage();
        const started = performance.now();
        const dataset = SequenceDataset.load(store, vocab.id);
        const split = dataset.split({ sequenceLength: 100, seed: 1 });
        const after = process.memoryUsage();
        return {
          workload: 'dataset-1m',
          steps: dataset.steps,
          windows: split.train.count + split.validation.count,
          dataset_mb: Math.round((dataset.byteLength / 2 ** 20) * 10) / 10,
          heap_growth_mb: Math.round(((after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 2 ** 20) * 10) / 10,
          load_s: Math.round(performance.now() - started) / 1000,
        };
      }),
  },
  {
    name: 'personalise-jigs',
    summary: `quality: 20 jigs learned for ${PERSONALISE_MINUTES} minutes from scratch and from the folk base model, both scored on 10 held-out jigs (target: the base at least 15% better in nats a note)`,
    run: ({ corporaDir }) => personaliseJigs(corporaDir),
  },
  {
    name: 'soak',
    summary: `a day in the studio: ${SOAK_GENERATIONS} generations with the folk base model in one engine (memory after the 50th and the last, failures, median and p95 times), then ${SOAK_TRAINING_RUNS} short training runs (targets: 0 failures, at most 60 MB of growth from the 50th to the last generation, a training heap that levels off); ETUDE_SOAK_GENERATIONS and ETUDE_SOAK_RUNS shorten it`,
    run: () => soak(Number(process.env.ETUDE_SOAK_GENERATIONS ?? SOAK_GENERATIONS), Number(process.env.ETUDE_SOAK_RUNS ?? SOAK_TRAINING_RUNS)),
  },
  {
    name: 'jsb-chorales',
    summary: `quality: the JSB chorales imported, trained with the recommended recipe for ${JSB_BUDGET_MINUTES} minutes, the 77 test chorales scored in nats a frame (target: at most 6.0)`,
    run: ({ benchmarksDir }) => jsbChorales(benchmarksDir),
  },
  {
    name: 'library-care',
    summary: 'backup time and size for a library of 10,000 pieces and 20 models, the checksum cost of loading the largest base model, quick_check at open there and on 1 GB (target: under 1 s)',
    run: () => libraryCare(),
  },
  {
    name: 'fidelity',
    summary: `quality: the style scorecard (30 takes from held-out passages) of the base models and of the folk base personalised on 20 jigs for ${FIDELITY_PERSONALISE_MINUTES} minutes, with the held-out jigs' halves as the ceiling (targets: mean OA ≥ 0.88, AUC ≤ 0.72, copies of 4 bars ≤ 5%)`,
    run: ({ corporaDir, benchmarksDir }) => fidelityBench(corporaDir, benchmarksDir),
  },
  {
    name: 'nottingham-two-part',
    summary: `quality: two-part Nottingham tunes (melody over held chords) imported, trained with the recommended recipe for ${NOTTINGHAM_BUDGET_MINUTES} minutes, the 78 test tunes scored in nats a frame (target: at most 2.6)`,
    run: ({ benchmarksDir }) => nottinghamTwoPart(benchmarksDir),
  },
];
