import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { importSources, sourcesFromPaths } from '../corpus/import';
import { ensureBaseModels } from '../base-models/install';
import { sha256 } from '../store/checksums';
import { Store } from '../store/store';
import { syntheticMidi } from './synthetic-midi';
import type { BenchResult } from './workloads';

const PIECES = 10_000;
const MODELS = 20;
/** Distinct files; the same files go into several corpora (a corpus skips only its own duplicates). */
const FILES = 200;
const GB = 1e9;

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * Library care, measured: the online backup of a library of 10,000 pieces and 20 models (time,
 * size, and how long the event loop was held meanwhile: the studio must go on answering), the
 * checksum cost of loading the largest base model, and quick_check at open on that library and
 * on one grown to 1 GB.
 */
export async function libraryCare(): Promise<BenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-bench-care-'));
  const file = path.join(dir, 'etude.db');
  try {
    const midiDir = path.join(dir, 'midi');
    fs.mkdirSync(midiDir);
    for (let i = 0; i < FILES; i++) fs.writeFileSync(path.join(midiDir, `piece-${i}.mid`), syntheticMidi(150 + i));
    let store = Store.open(file);
    const { sources } = sourcesFromPaths([midiDir]);
    for (let c = 0; c < PIECES / FILES; c++) {
      const corpus = store.corpora.create(`Corpus ${c + 1}`);
      await importSources(store.corpora, corpus.id, sources, []);
    }
    ensureBaseModels(store);
    const bases = store.models.list();
    for (let i = 0; bases.length > 0 && store.models.list().length < MODELS; i++) store.models.duplicate(bases[i % bases.length]!.id, `Copy ${i + 1}`);

    // Checksum cost when loading the largest base model's checkpoint.
    const largest = [...bases].sort((a, b) => b.parameters - a.parameters)[0]!;
    const checkpointId = store.runs.generationCheckpoint(largest.id).id;
    const loads: number[] = [];
    let bytes = 0;
    let hashMs = Infinity;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const c = store.runs.checkpoint(checkpointId);
      loads.push(performance.now() - t0);
      bytes = c.weights.byteLength + c.optimizer.byteLength;
      const t1 = performance.now();
      sha256(c.weights);
      sha256(c.optimizer);
      hashMs = Math.min(hashMs, performance.now() - t1);
    }

    const libraryMb = fs.statSync(file).size / 1e6;
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const outcome = await store.backup({ reason: 'manual' });
    delay.disable();
    if (!outcome.made) throw new Error(outcome.skipped);
    store.close();

    store = Store.open(file);
    const quick = store.quickCheck();
    const full = store.checkLibrary();

    // Grown to 1 GB with checkpoint bytes (what makes real libraries large), then opened again.
    const model = store.models.list()[0]!;
    const run = store.runs.runs(model.id)[0]!;
    const chunk = 64 * 1024 * 1024;
    for (let step = 1; fs.statSync(file).size + chunk <= GB; step++) {
      store.runs.saveCheckpoint(
        { modelId: model.id, runId: run.id, kind: 'periodic', epoch: 1000 + step, step: 1_000_000 + step, batch: 0, loss: null, valLoss: null, topology: '{}', manifest: '{"weights":[],"optimizer":[]}', weights: randomBytes(chunk), optimizer: new Uint8Array(0) },
        1000,
      );
    }
    store.close();
    store = Store.open(file);
    const quickGb = store.quickCheck();
    const gbMb = fs.statSync(file).size / 1e6;
    store.close();

    return {
      workload: 'library-care',
      pieces: PIECES,
      models: MODELS,
      library_mb: round(libraryMb, 1),
      backup_s: round(outcome.seconds),
      backup_mb: round(outcome.backup.bytes / 1e6, 1),
      backup_event_loop_max_ms: round(delay.max / 1e6, 1),
      checkpoint_mb: round(bytes / 1e6, 2),
      checkpoint_load_ms: round(Math.min(...loads), 1),
      checksum_ms: round(hashMs, 1),
      quick_check_s: round(quick.seconds),
      full_check_s: round(full.seconds),
      full_check_ok: full.ok,
      gb_library_mb: round(gbMb, 0),
      gb_quick_check_s: round(quickGb.seconds),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
