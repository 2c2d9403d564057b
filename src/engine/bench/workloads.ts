import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importSources, sourcesFromPaths } from '../corpus/import';
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
];
