/**
 * A full disk, met calmly, on a real small disk the test mounts (a tmpfs) and fills on purpose:
 * an import stops at the first file that does not fit and says how far it got, the studio opens
 * read-only when it cannot write, a training run ends stopped at its last checkpoint and resumes
 * once there is room, and nothing stored is lost (SQLite's integrity check, every time).
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine';
import { runCli } from '../../src/cli/main';
import type { EngineInfo, EventMessage } from '../../src/shared/api';
import type { CorpusSummary } from '../../src/shared/library';
import type { RunInfo } from '../../src/shared/training';
import { DISK_FULL_STOP } from '../../src/engine/store/disk';
import { JIGS } from '../helpers/corpora';
import { mountSmallDisk, type SmallDisk } from '../helpers/small-disk';

let disk: SmallDisk | null = null;
beforeEach((ctx) => {
  disk = mountSmallDisk(48);
  if (!disk) ctx.skip('no tmpfs can be mounted here (it needs privileges): the small disk cannot be made');
});
afterEach(() => {
  disk?.unmount();
  disk = null;
});

async function cli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l), env: process.env });
  return { code, out, err };
}

/** SQLite's own check; `full`: exclusive, so the WAL index lives in memory and the check runs on the full disk. */
function integrity(file: string, full = false): string {
  const db = new Database(file, { fileMustExist: true, readonly: !full });
  try {
    if (full) db.pragma('locking_mode = EXCLUSIVE');
    return (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

/** A library with its starter tunes and base models, on the small disk. */
async function library(file: string): Promise<void> {
  const engine = Engine.open({ dbPath: file });
  const listed = await engine.call('corpora.list', {});
  expect(listed.ok).toBe(true);
  await engine.close();
}

describe('a full disk', () => {
  it('stops an import at the first file that does not fit, with a sentence and a non-zero exit; the rest imports once there is room', async () => {
    const file = path.join(disk!.dir, 'etude.db');
    await library(file);
    disk!.fill(400 * 1024);
    const full = await cli(['import', JIGS, '--corpus', 'Jigs', '--db', file]);
    expect(full.code).toBe(1);
    const sentence = full.err.join('\n');
    expect(sentence).toMatch(/^etude: the disk holding your Etude library is full: \d+ pieces? (was|were) imported, the other \d+ files? (was|were) not; free some space and import again$/);
    const [, imported, rest] = /: (\d+) pieces? .* the other (\d+) files?/.exec(sentence)!;
    expect(Number(imported)).toBeGreaterThan(0);
    expect(Number(rest)).toBeGreaterThan(0);
    // No file is listed as an "unexpected error": the import stopped instead.
    expect(full.out.join('\n')).not.toMatch(/unexpected error/);
    expect(integrity(file, true)).toBe('ok');

    disk!.free();
    const again = await cli(['import', JIGS, '--corpus', 'Jigs', '--db', file, '--json']);
    expect(again.code).toBe(0);
    const summary = JSON.parse(again.out.at(-1)!) as { imported: number; duplicates: number; failed: unknown[] };
    // What got in before is found again (with the folder's own repeats), and the rest gets in now.
    expect(summary.duplicates).toBeGreaterThanOrEqual(Number(imported));
    expect(summary.imported).toBeGreaterThan(0);
    expect(summary.failed).toEqual([]);
    expect(integrity(file)).toBe('ok');
  }, 120_000);

  it('opens the studio read-only when it cannot write: the library can be browsed, a change is refused with the sentence, and it works again once space is freed', async () => {
    const file = path.join(disk!.dir, 'etude.db');
    await library(file);
    disk!.fill(0);
    const corpora = await cli(['corpora', '--db', file, '--json']);
    expect(corpora.code).toBe(0);
    expect((JSON.parse(corpora.out.at(-1)!) as { corpora: CorpusSummary[] }).corpora.map((c) => c.name)).toContain('Starter tunes');

    const engine = Engine.open({ dbPath: file });
    try {
      const info = await engine.call('engine.info', {});
      expect(info.ok).toBe(true);
      const value = (info as { value: EngineInfo }).value;
      expect(value.database.readOnly).toMatch(/^the disk holding your Etude library is full, so the studio opened it read-only/);
      expect(value.disk?.warning).toMatch(/the disk holding your Etude library has \d+ MB free/);
      const pieces = await engine.call('pieces.list', { corpusId: 1, limit: 5 });
      expect(pieces.ok).toBe(true);
      const create = await engine.call('corpora.create', { name: 'More' });
      expect(create).toMatchObject({ ok: false, error: { kind: 'unavailable', message: expect.stringMatching(/^the disk holding your Etude library is full: free some space and try again/) } });
    } finally {
      await engine.close();
    }
    expect(integrity(file, true)).toBe('ok');

    disk!.free();
    const reopened = Engine.open({ dbPath: file });
    try {
      const info = (await reopened.call('engine.info', {})) as { value: EngineInfo };
      expect(info.value.database.readOnly).toBeNull();
      // Still a small disk: still warned of, with the room it has again.
      expect(info.value.disk?.freeBytes).toBeGreaterThan(30 * 2 ** 20);
      expect((await reopened.call('corpora.create', { name: 'More' })).ok).toBe(true);
    } finally {
      await reopened.close();
    }
  }, 120_000);

  it('ends a training run stopped at its last checkpoint when the disk fills, keeps the engine up, and the run resumes once there is room', async () => {
    const file = path.join(disk!.dir, 'etude.db');
    const engine = Engine.open({ dbPath: file, baseModels: false });
    try {
      const [corpus] = ((await engine.call('corpora.list', {})) as { value: CorpusSummary[] }).value;
      const vocab = (await engine.call('vocabularies.build', { corpusId: corpus!.id, encoding: 'events' })) as { value: { id: number } };
      // Big enough that a checkpoint (weights and optimizer, about 2 MB) cannot fit in what is left.
      const spec = { arch: 'lstm', embedding: 32, units: 160, layers: 1, dropout: 0, dense: 0 };
      const firstCheckpoint = new Promise<void>((resolve) => {
        const off = engine.on((m: EventMessage) => {
          if (m.event === 'training.checkpoint') {
            off();
            resolve();
          }
        });
      });
      const started = (await engine.call('training.start', {
        vocabularyId: vocab.value.id,
        model: 'filling',
        spec,
        hyperparams: { epochs: 6, batchSize: 32, sequenceLength: 32, stride: 8, learningRate: 0.01, seed: 1 },
      })) as { value: RunInfo };
      await firstCheckpoint;
      disk!.fill(256 * 1024);
      const ended = await engine.training.waitFor(started.value.id);
      expect(ended.status).toBe('stopped');
      expect(ended.message).toBe(DISK_FULL_STOP);
      // The engine still answers.
      expect((await engine.call('runs.list', {})).ok).toBe(true);
      expect(integrity(file)).toBe('ok');

      disk!.free();
      const resumed = await engine.call('training.resume', { runId: started.value.id });
      expect(resumed.ok).toBe(true);
      const done = await engine.training.waitFor(started.value.id);
      expect(done.status).toBe('completed');
      expect(done.epoch).toBe(6);
    } finally {
      await engine.close();
    }
    expect(integrity(file)).toBe('ok');
  }, 180_000);
});
