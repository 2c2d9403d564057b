import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importSources, sourcesFromPaths } from '../corpus/import';
import { SequenceDataset } from '../dataset/sequence-dataset';
import { buildVocabulary } from '../encode/build-vocabulary';
import { encodingOf, parseParams } from '../encode/registry';
import { ENCODING_KINDS } from '../../shared/encoding';
import { Store } from '../store/store';
import { syntheticMidi } from './synthetic-midi';

export interface BenchResult {
  workload: string;
  [figure: string]: string | number | null;
}

export interface Workload {
  name: string;
  summary: string;
  run(options: { corporaDir: string }): Promise<BenchResult>;
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
];
