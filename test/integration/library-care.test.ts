import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { Engine } from '../../src/engine/engine';
import { Store } from '../../src/engine/store/store';
import { openDatabase } from '../../src/engine/store/database';
import { MIGRATIONS } from '../../src/engine/store/migrations/index';
import { backupLibrary, listBackups } from '../../src/engine/store/backups';
import { restoreLibrary } from '../../src/engine/store/restore';
import { unwrapReply } from '../../src/shared/reply';
import type { MethodInput, MethodName, MethodResult } from '../../src/shared/api';
import { ETUDE_BIN } from '../helpers/repo';
import { tempDir } from '../helpers/tmp';
import { rawDb } from '../helpers/sqlite';
import { damageTable, flipBytes, pagesOf, settle } from '../helpers/damage';

const engines: Engine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
});

/** A library as a musician's first start leaves it: the starter tunes and both base models (real checkpoints). */
async function library(file: string, options: { libraryCare?: boolean } = {}) {
  const engine = Engine.open({ dbPath: file, ...options });
  engines.push(engine);
  const call = async <M extends MethodName>(method: M, input: MethodInput<M>) => unwrapReply(await engine.call(method, input)) as MethodResult<M>;
  await call('models.list', {});
  return { engine, call };
}

async function closeAll(): Promise<void> {
  for (const e of engines.splice(0)) await e.close();
}

/** What a library answers: corpora, every piece with its notes, models, and every checkpoint's bytes. */
function answers(file: string) {
  const store = Store.open(file, { mustExist: true });
  try {
    const corpora = store.corpora.list();
    const pieces = corpora.flatMap((c) => store.corpora.listPieces({ corpusId: c.id }).pieces.map((p) => store.corpora.getPiece(p.id)));
    const models = store.models.list();
    const checkpoints = models.flatMap((m) => store.runs.modelCheckpoints(m.id).map((c) => crypto.createHash('sha256').update(store.runs.checkpoint(c.id).weights).digest('hex')));
    return { corpora, pieces, models, checkpoints };
  } finally {
    store.close();
  }
}

function etude(args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const { ETUDE_DB: _drop, ...env } = process.env;
    const child = spawn(process.execPath, [ETUDE_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('backups', () => {
  it('a backup restored answers every query as the original did; the library replaced is kept as a backup first', async () => {
    const file = path.join(tempDir(), 'etude.db');
    const { engine } = await library(file);
    const made = await engine.library.backup('manual');
    expect(made.made).toBe(true);
    const backup = made.made ? made.backup : null;
    expect(path.dirname(backup!.file)).toBe(path.join(path.dirname(file), 'backups'));
    await closeAll();
    const before = answers(file);
    expect(before.pieces.length).toBeGreaterThan(10);
    expect(before.checkpoints.length).toBeGreaterThan(0);
    expect(answers(backup!.file)).toEqual(before);

    // The library changes, then is restored: it answers as it did at the backup.
    const store = Store.open(file);
    store.corpora.deletePieces(before.pieces.slice(0, 5).map((p) => p.id));
    store.close();
    expect(answers(file).pieces.length).toBe(before.pieces.length - 5);
    const restored = await restoreLibrary(file, backup!.file);
    expect(answers(file)).toEqual(before);
    expect(restored.keptAs).not.toBeNull();
    expect(answers(restored.keptAs!).pieces.length).toBe(before.pieces.length - 5);
    expect(listBackups(file).map((b) => b.reason).sort()).toEqual(['manual', 'restore']);
  });

  it('a restore asked for in the studio is carried out when Etude next starts, only from its own backups, and can be called off', async () => {
    const file = path.join(tempDir(), 'etude.db');
    const { engine, call } = await library(file);
    const made = await engine.library.backup('manual');
    expect(made.made).toBe(true);
    const backupName = path.basename(made.made ? made.backup.file : '');
    const atBackup = (await call('corpora.list', {})).map((c) => [c.name, c.pieces]);
    const starter = (await call('corpora.list', {}))[0]!;
    const some = (await call('pieces.list', { corpusId: starter.id, limit: 3 })).pieces.map((p) => p.id);
    await call('pieces.delete', { pieceIds: some, confirm: true });
    // Nothing outside its backups folder, nor a name it does not hold.
    await expect(call('library.restore', { backup: '../etude.db' })).rejects.toThrow(/not one of this library's backups/);
    await expect(call('library.restore', { backup: 'nope.db' })).rejects.toThrow(/not one of this library's backups/);
    // Asked, then called off: the next start leaves the library as it is.
    expect((await call('library.restore', { backup: backupName })).pendingRestore?.file).toBe(backupName);
    expect((await call('library.cancelRestore', {})).pendingRestore).toBeNull();
    expect((await call('library.restore', { backup: 'newest' })).pendingRestore?.file).toBe(backupName);
    // Nothing happens while the studio holds the library open.
    expect((await call('corpora.list', {})).find((c) => c.id === starter.id)!.pieces).toBe(starter.pieces - 3);
    await closeAll();

    const reopened = await Engine.start({ dbPath: file });
    engines.push(reopened);
    const again = async <M extends MethodName>(method: M, input: MethodInput<M>) => unwrapReply(await reopened.call(method, input)) as MethodResult<M>;
    expect((await again('corpora.list', {})).map((c) => [c.name, c.pieces])).toEqual(atBackup);
    expect((await again('library.status', {})).pendingRestore).toBeNull();
    // The library as it was before the restore is kept: the three pieces are gone there, not lost.
    const kept = listBackups(file).find((b) => b.reason === 'restore');
    expect(kept).toBeDefined();
    expect(answers(kept!.file).pieces.length).toBe(answers(file).pieces.length - 3);
  });

  it('backs the library up once a training run completes', async () => {
    const file = path.join(tempDir(), 'etude.db');
    const { engine, call } = await library(file);
    const [corpus] = await call('corpora.list', {});
    const vocab = await call('vocabularies.build', { corpusId: corpus!.id, encoding: 'notes-chords' });
    const backedUp = new Promise<void>((resolve) => {
      engine.on((m) => {
        if (m.event === 'library.status' && m.payload.lastBackup?.reason === 'training') resolve();
      });
    });
    const run = await call('training.start', {
      vocabularyId: vocab.id,
      model: 'tiny',
      spec: { arch: 'lstm', embedding: 16, units: 32, layers: 1, dropout: 0, dense: 0 },
      hyperparams: { epochs: 1, batchSize: 32, sequenceLength: 16, learningRate: 0.01, seed: 5 },
    });
    expect((await engine.training.waitFor(run.id)).status).toBe('completed');
    await backedUp;
    const [backup] = listBackups(file);
    expect(backup?.reason).toBe('training');
    const copy = rawDb(backup!.file);
    expect(copy.prepare("SELECT count(*) FROM checkpoints c JOIN models m ON m.id = c.model_id WHERE m.name = 'tiny'").pluck().get()).toBeGreaterThan(0);
  });

  it('keeps the newest N (the backups.keep setting), removing the oldest first', async () => {
    const file = path.join(tempDir(), 'etude.db');
    const { engine, call } = await library(file);
    await call('library.setBackupsKept', { keep: 2 });
    const files: string[] = [];
    for (let i = 0; i < 3; i++) {
      const outcome = await engine.library.backup('manual');
      if (outcome.made) files.push(outcome.backup.file);
    }
    expect(files).toHaveLength(3);
    const status = await call('library.status', {});
    expect(status.keep).toBe(2);
    expect(status.backups.map((b) => b.file)).toEqual([files[2], files[1]]);
    expect(status.lastBackup?.file).toBe(files[2]);
    expect(fs.existsSync(files[0]!)).toBe(false);
  });

  it('skips a backup with a sentence when the disk lacks room for it, writing nothing', async () => {
    const file = path.join(tempDir(), 'etude.db');
    const db = openDatabase(file);
    try {
      // More room asked for than any disk has: the real check of the disk's free space says no.
      const outcome = await backupLibrary(db, file, { reason: 'daily', keep: 5, spareBytes: 1e18 });
      expect(outcome.made).toBe(false);
      if (!outcome.made) expect(outcome.skipped).toMatch(/^Backup skipped: the disk holding .*backups has [\d,]+ MB free and a backup of the library needs about [\d,]+ MB\.$/);
      expect(fs.readdirSync(path.join(path.dirname(file), 'backups'))).toEqual([]);
      expect((await backupLibrary(db, file, { reason: 'daily', keep: 5 })).made).toBe(true);
    } finally {
      db.close();
    }
  });

  it('backs up before a schema migration, the copy still at the old schema', () => {
    const file = path.join(tempDir(), 'old.db');
    const old = openDatabase(file, { migrations: MIGRATIONS.slice(0, 8) });
    old.prepare("INSERT INTO corpora (name) VALUES ('Before the update')").run();
    old.close();
    const store = Store.open(file);
    store.close();
    const [backup] = listBackups(file);
    expect(backup?.reason).toBe('migration');
    const copy = rawDb(backup!.file);
    expect(copy.pragma('user_version', { simple: true })).toBe(8);
    expect(copy.prepare('SELECT name FROM corpora').pluck().all()).toEqual(['Before the update']);
  });

  it('etude backup, backups and restore on the command line; a backup to a chosen file never overwrites one', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'etude.db');
    await library(file);
    await closeAll();
    const to = path.join(dir, 'mine.db');
    const made = await etude(['backup', '--to', to, '--db', file, '--json']);
    expect(made.code, made.stderr).toBe(0);
    expect(JSON.parse(made.stdout).backup.file).toBe(to);
    const again = await etude(['backup', '--to', to, '--db', file]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
    expect((await etude(['backup', '--db', file])).code).toBe(0);
    const list = await etude(['backups', '--db', file]);
    expect(list.stdout).toMatch(/today \d\d:\d\d\s+manual\s+[\d.]+ MB/);
    const restored = await etude(['restore', '--from', to, '--db', file]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/kept as .*-restore\.db/);
    // A file that is not a clean Etude library is refused, and the library left as it was.
    const junk = path.join(dir, 'junk.db');
    fs.writeFileSync(junk, 'not a library');
    const before = sha(file);
    const refused = await etude(['restore', '--from', junk, '--db', file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Not restored: .* not an Etude library/);
    expect(sha(file)).toBe(before);
  });

  it('kill -9 during a backup leaves the library and the earlier backups intact, and no half backup listed', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'etude.db');
    const { engine } = await library(file);
    const earlier = await engine.library.backup('manual');
    // Make the library large enough that its backup takes a while: a big checkpoint on a base model's run.
    const model = engine.store.models.list()[0]!;
    const run = engine.store.runs.runs(model.id)[0]!;
    engine.store.runs.saveCheckpoint(
      { modelId: model.id, runId: run.id, kind: 'periodic', epoch: 999, step: 999_999, batch: 0, loss: null, valLoss: null, topology: '{}', manifest: '{"weights":[],"optimizer":[]}', weights: crypto.randomBytes(200 * 1024 * 1024), optimizer: new Uint8Array(0) },
      100,
    );
    await closeAll();
    settle(file);
    const libraryBefore = sha(file);
    const earlierSha = earlier.made ? sha(earlier.backup.file) : '';
    const backups = path.join(dir, 'backups');
    const child = spawn(process.execPath, [ETUDE_BIN, 'backup', '--db', file], { stdio: 'ignore' });
    // Killed as soon as its copy appears (an event, not a sleep).
    await new Promise<void>((resolve) => {
      const watcher = fs.watch(backups, (_event, name) => {
        if (name?.endsWith('.partial')) {
          watcher.close();
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((resolve) => child.once('exit', resolve));
    expect(sha(file)).toBe(libraryBefore);
    expect(sha(earlier.made ? earlier.backup.file : '')).toBe(earlierSha);
    for (const b of listBackups(file)) {
      const db = rawDb(b.file);
      expect(db.pragma('quick_check', { simple: true })).toBe('ok');
    }
    const check = Store.openReadOnly(file);
    expect(check.checkLibrary().ok).toBe(true);
    check.close();
  });
});

describe('checksums', () => {
  it('migration 0009 gives the rows that exist their checksums (a library from before checksums, made by taking them away)', async () => {
    const file = path.join(tempDir(), 'etude.db');
    await library(file);
    await closeAll();
    const db = new Database(file, { fileMustExist: true });
    db.exec(`
      ALTER TABLE checkpoints DROP COLUMN weights_sha256;
      ALTER TABLE checkpoints DROP COLUMN optimizer_sha256;
      ALTER TABLE tracks DROP COLUMN notes_sha256;
      DELETE FROM schema_version WHERE version = 9;
      PRAGMA user_version = 8;
    `);
    db.close();
    const store = Store.open(file);
    store.close();
    const raw = rawDb(file);
    const hex = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
    const checkpoints = raw.prepare('SELECT weights, optimizer, weights_sha256 AS w, optimizer_sha256 AS o FROM checkpoints').all() as { weights: Buffer; optimizer: Buffer; w: string; o: string }[];
    expect(checkpoints.length).toBeGreaterThan(0);
    for (const c of checkpoints) expect([c.w, c.o]).toEqual([hex(c.weights), hex(c.optimizer)]);
    const tracks = raw.prepare('SELECT notes, notes_sha256 AS s FROM tracks').all() as { notes: Buffer; s: string }[];
    expect(tracks.length).toBeGreaterThan(10);
    for (const t of tracks) expect(t.s).toBe(hex(t.notes));
    expect(listBackups(file).map((b) => b.reason)).toEqual(['migration']);
  });

  it('damaged weights inside a checkpoint pass integrity_check but are refused by name, offering another checkpoint or a backup', async () => {
    const file = path.join(tempDir(), 'etude.db');
    const { engine } = await library(file);
    const models = engine.store.models.list();
    await closeAll();
    const { pageSize, pages } = pagesOf(file, 'checkpoints', 'overflow');
    flipBytes(file, pageSize, pages.filter((_, i) => i % Math.floor(pages.length / 40) === 0).slice(0, 40));
    expect(rawDb(file).pragma('integrity_check', { simple: true })).toBe('ok');

    const { call } = await library(file);
    for (const m of models) {
      const reply = await engines[0]!.call('generations.generate', { modelId: m.id, primer: { kind: 'none' }, length: { unit: 'tokens', value: 16 }, variations: 1, seed: 1 });
      expect(reply.ok).toBe(false);
      if (!reply.ok) expect(reply.error.message).toMatch(new RegExp(`The weights of "${m.name.replace(/[()]/g, '\\$&')}" \\(checkpoint \\d+, epoch \\d+\\) are damaged.*(previous checkpoint|backup)`));
      const exported = await engines[0]!.call('models.export', { id: m.id });
      expect(exported.ok).toBe(false);
    }
    const check = await call('library.check', {});
    expect(check.ok).toBe(false);
    expect(check.problems.join('\n')).toMatch(/the weights of "Folk melodies \(base\)"/);
  });

  it('a duplicated or imported model carries its checksums, and loads', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'etude.db');
    const { engine, call } = await library(file);
    const [base] = await call('models.list', {});
    const copy = await call('models.duplicate', { id: base!.id, name: 'Copy' });
    const exported = path.join(dir, 'copy.etude-model');
    await call('models.exportToFile', { id: copy.id, path: exported });
    const imported = await call('models.importFile', { path: exported, name: 'Imported' });
    for (const id of [copy.id, imported.id]) expect(engine.store.runs.generationCheckpoint(id).weights.byteLength).toBeGreaterThan(0);
    const unsummed = rawDb(file).prepare('SELECT count(*) FROM checkpoints WHERE weights_sha256 IS NULL OR optimizer_sha256 IS NULL').pluck().get();
    expect(unsummed).toBe(0);
  });

  it('a piece whose notes are damaged is refused when read to train, and named by the check', async () => {
    const file = path.join(tempDir(), 'etude.db');
    const { engine } = await library(file);
    const corpus = engine.store.corpora.list()[0]!;
    await closeAll();
    const { pageSize, pages } = pagesOf(file, 'tracks', 'overflow');
    flipBytes(file, pageSize, pages.slice(0, 1));
    const store = Store.open(file);
    expect(() => [...store.corpora.iterateEncodable(corpus.id)]).toThrow(/The notes of ".+" \(track \d+\) are damaged/);
    const check = store.checkLibrary();
    store.close();
    expect(check.damagedTracks.length).toBeGreaterThan(0);
  });
});

describe('a damaged library', () => {
  it('three damaged pages of the pieces table: the CLI says so in words, the studio says what is damaged, the rescue saves the models and what pieces it can and builds a new library', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'etude.db');
    const { engine } = await library(file);
    const modelNames = engine.store.models.list().map((m) => m.name);
    await engine.library.backup('manual');
    await closeAll();
    damageTable(file, 'pieces', 3);

    for (const args of [['corpora'], ['pieces', '--corpus', 'Starter tunes']]) {
      const out = await etude([...args, '--db', file]);
      expect(out.code).toBe(1);
      expect(out.stderr).not.toMatch(/malformed/);
      expect(out.stderr.trim().split('\n')).toHaveLength(1);
      expect(out.stderr).toMatch(/is damaged: part of it can no longer be read.*etude rescue/);
    }
    const checked = await etude(['check-library', '--db', file]);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toMatch(/damaged: the pieces \(their titles and original files\) cannot all be read/);
    expect(checked.stderr).toMatch(/the newest backup that checks clean is .*manual\.db/);

    // The studio opens, and says what is damaged in words.
    const { engine: studio } = await library(file, { libraryCare: true });
    const health = await studio.library.opened;
    expect(health.state).toBe('damaged');
    expect(health.problems.join('\n')).toMatch(/the pieces/);
    const listed = await studio.call('corpora.list', {});
    expect(listed.ok).toBe(false);
    if (!listed.ok) expect(listed.error.message).not.toMatch(/malformed/);
    await closeAll();

    const rescued = await etude(['rescue', '--to', path.join(dir, 'rescued'), '--rebuild', path.join(dir, 'new.db'), '--db', file, '--json']);
    expect(rescued.code, rescued.stderr).toBe(0);
    const report = JSON.parse(rescued.stdout);
    expect(report.models.saved).toHaveLength(modelNames.length);
    expect(report.pieces.saved).toBeGreaterThan(0);
    expect(report.rebuilt.pieces).toBeGreaterThan(0);
    const rebuilt = Store.open(path.join(dir, 'new.db'), { mustExist: true });
    expect(rebuilt.models.list().map((m) => m.name).sort()).toEqual([...modelNames].sort());
    expect(rebuilt.checkLibrary().ok).toBe(true);
    rebuilt.close();
  });

  it("from inside the studio: a damaged library's rescue goes into a new folder, and a new library is built from it at the next start, the damaged one kept aside", async () => {
    const dir = tempDir();
    const file = path.join(dir, 'etude.db');
    const { engine } = await library(file);
    const modelNames = engine.store.models.list().map((m) => m.name);
    await closeAll();
    damageTable(file, 'pieces', 3);

    const { call } = await library(file, { libraryCare: true });
    const rescue = await call('library.rescue', { rebuild: true });
    expect(path.dirname(rescue.folder)).toBe(dir);
    expect(rescue.models).toBe(modelNames.length);
    expect(rescue.pieces).toBeGreaterThan(0);
    expect(rescue.rebuildAtNextStart).toBe(true);
    expect(fs.readdirSync(path.join(rescue.folder, 'models')).filter((f) => f.endsWith('.etude-model'))).toHaveLength(modelNames.length);
    // A folder that already holds files is refused, and nothing is written there.
    fs.mkdirSync(path.join(dir, 'busy'));
    fs.writeFileSync(path.join(dir, 'busy', 'mine.txt'), 'mine');
    await expect(call('library.rescue', { folder: path.join(dir, 'busy'), rebuild: false })).rejects.toThrow(/not empty/);
    expect(fs.readdirSync(path.join(dir, 'busy'))).toEqual(['mine.txt']);
    await closeAll();

    const reopened = await Engine.start({ dbPath: file });
    engines.push(reopened);
    expect(reopened.store.checkLibrary().ok).toBe(true);
    expect(reopened.store.models.list().map((m) => m.name).sort()).toEqual([...modelNames].sort());
    expect(reopened.store.corpora.list().reduce((n, c) => n + c.pieces, 0)).toBe(rescue.pieces);
    // The damaged file is kept beside it, never deleted.
    expect(fs.readdirSync(dir).some((f) => /^etude-damaged-.*\.db$/.test(f))).toBe(true);
    // Later starts add nothing of their own (no starter tunes over what was rescued).
    await closeAll();
    const later = await Engine.start({ dbPath: file });
    engines.push(later);
    await later.call('corpora.list', {}); // first-run work is done before the first answer
    expect(later.store.corpora.list().reduce((n, c) => n + c.pieces, 0)).toBe(rescue.pieces);
  });

  it('a truncated library is met with the sentence, and restore --from newest brings back the clean backup', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'etude.db');
    const { engine } = await library(file);
    await engine.library.backup('manual');
    await closeAll();
    settle(file);
    const before = answers(file);
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 3));
    const out = await etude(['models', '--db', file]);
    expect(out.code).toBe(1);
    expect(out.stderr).not.toMatch(/malformed/);
    expect(out.stderr).toMatch(/is damaged/);
    const restored = await etude(['restore', '--from', 'newest', '--db', file]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(answers(file)).toEqual(before);
  });

  it('a stray -wal beside the library (noise, or its own cut short as a copying tool leaves it) leaves it reading clean', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'etude.db');
    await library(file);
    await closeAll();
    settle(file);
    const before = answers(file);
    fs.writeFileSync(`${file}-wal`, crypto.randomBytes(64 * 1024));
    expect(answers(file)).toEqual(before);

    // A copy taken mid-write: the file, and its -wal cut in the middle of a commit.
    const writer = new Database(file, { fileMustExist: true });
    writer.pragma('wal_autocheckpoint = 0');
    writer.prepare("INSERT INTO corpora (name) VALUES ('Written late')").run();
    const copy = path.join(dir, 'copy.db');
    fs.copyFileSync(file, copy);
    const wal = fs.readFileSync(`${file}-wal`);
    fs.writeFileSync(`${copy}-wal`, wal.subarray(0, Math.floor(wal.length / 2)));
    writer.close();
    const check = Store.openReadOnly(copy);
    expect(check.checkLibrary().ok).toBe(true);
    check.close();
    expect(answers(copy)).toEqual(before);
  });
});
