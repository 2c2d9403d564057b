import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { describe, expect, it } from 'vitest';
import { latestVersion } from '../../src/engine/store/migrations/index';
import { parseMidi } from '../../src/engine/midi/smf';
import { ETUDE_BIN } from '../helpers/repo';
import { tempDir } from '../helpers/tmp';
import { JIGS } from '../helpers/corpora';

function etude(args: string[], env: Record<string, string> = {}, cwd?: string) {
  const { ETUDE_DB: _drop, ...base } = process.env;
  const result = spawnSync(process.execPath, [ETUDE_BIN, ...args], { encoding: 'utf8', env: { ...base, ...env }, timeout: 30_000, ...(cwd ? { cwd } : {}) });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('etude command line (real process)', () => {
  it('info --json reports backend, threads, database and versions', () => {
    const db = path.join(tempDir(), 'a.db');
    const { code, stdout } = etude(['info', '--json', '--db', db]);
    expect(code).toBe(0);
    const info = JSON.parse(stdout);
    expect(info.database).toMatchObject({ path: db, schemaVersion: latestVersion() });
    expect(['tensorflow', 'wasm', 'cpu']).toContain(info.backend.name);
    expect(info.backend.threads).toBeGreaterThanOrEqual(1);
    expect(info.versions.node).toBe(process.versions.node);
    expect(fs.existsSync(db)).toBe(true);
  });

  it('imports from any folder the musician runs it in, not only the repository', () => {
    const dir = tempDir();
    const out = etude(['import', path.join(JIGS, 'jigs1.mid'), '--corpus', 'Here', '--db', path.join(dir, 'here.db'), '--json'], {}, dir);
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ imported: 1, failed: [] });
  });

  it('takes the database from ETUDE_DB when --db is absent', () => {
    const db = path.join(tempDir(), 'from-env.db');
    const { code, stdout } = etude(['info', '--json'], { ETUDE_DB: db });
    expect(code).toBe(0);
    expect(JSON.parse(stdout).database.path).toBe(db);
  });

  it('fails with one line and a non-zero code on a file that is not a database, leaving it intact', () => {
    const file = path.join(tempDir(), 'notes.db');
    fs.writeFileSync(file, 'just some text');
    const before = crypto.createHash('sha1').update(fs.readFileSync(file)).digest('hex');
    const { code, stderr } = etude(['info', '--db', file]);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/is not an SQLite database/);
    expect(crypto.createHash('sha1').update(fs.readFileSync(file)).digest('hex')).toBe(before);
  });

  it('serve prints its URL, answers with the token, and stops cleanly on SIGTERM', async () => {
    const db = path.join(tempDir(), 'serve.db');
    const child = spawn(process.execPath, [ETUDE_BIN, 'serve', '--port', '0', '--db', db, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        readline.createInterface({ input: child.stdout! }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`serve exited early with ${code}`)));
      });
      const { url, port, db: reported } = JSON.parse(line);
      expect(reported).toBe(db);
      expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/\\?token=`));
      const token = new URL(url).searchParams.get('token')!;
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/api/engine.ping`, { method: 'POST', body: '{}' })).status).toBe(403);
      const ok = await fetch(`${base}/api/engine.ping`, { method: 'POST', body: '{}', headers: { Authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});

describe('etude bench', () => {
  it('runs a workload through the real import in its own process and prints one JSON line', () => {
    const { code, stdout } = etude(['bench', '--workload', 'import-large-file', '--json']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]!);
    expect(result).toMatchObject({ workload: 'import-large-file', imported: 1, notes: 200_000, failed: 0 });
    expect(result.notes_per_s).toBeGreaterThan(0);
    expect(result.peak_rss_mb).toBeGreaterThan(10);
  });

  it('names the workloads when asked for one that does not exist', () => {
    const { code, stderr } = etude(['bench', '--workload', 'nope']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown workload "nope" \(workloads: import-nottingham, import-large-file/);
  });

  it('trains, then generate writes one .mid per take (re-read by our own reader) and generations lists it', () => {
    const dir = tempDir();
    const db = path.join(dir, 'gen.db');
    const train = etude(['train', '--db', db, '--corpus', 'Starter tunes', '--encoding', 'events', '--arch', 'lstm', '--model', 'cli', '--set', 'units=32', '--set', 'dense=0', '--set', 'stride=8', '--epochs', '1', '--batch-size', '32', '--sequence-length', '32', '--json']);
    expect(train.code, train.stderr).toBe(0);
    const out = path.join(dir, 'takes');
    const gen = etude(['generate', '--db', db, '--model', 'cli', '--from', 'Starter tunes/Greensleeves@bars=1-4', '--length', '4 bars', '--variations', '2', '--seed', '9', '--key', 'A minor', '--out', out, '--json']);
    expect(gen.code, gen.stderr).toBe(0);
    const summary = JSON.parse(gen.stdout.trim().split('\n').at(-1)!) as { generation: number; primer: string; takes: { file: string; notes: number; continuation_notes: number }[] };
    expect(summary.primer).toBe('Starter tunes/Greensleeves@bars=1-4');
    expect(summary.takes).toHaveLength(2);
    for (const take of summary.takes) {
      const midi = parseMidi(fs.readFileSync(take.file));
      expect(midi.tracks.reduce((n, t) => n + t.notes.pitch.length, 0)).toBe(take.notes);
      expect(take.continuation_notes).toBeGreaterThan(0);
    }
    const list = etude(['generations', '--db', db, '--model', 'cli', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as { id: number }[]).map((g) => g.id)).toEqual([summary.generation]);
    // etude export: one file with a track per take, or a folder of one file per take, quantised.
    const one = path.join(dir, 'both.mid');
    const tracks = etude(['export', '--db', db, '--generation', String(summary.generation), '--out', one, '--takes-as', 'tracks', '--json']);
    expect(tracks.code, tracks.stderr).toBe(0);
    expect(parseMidi(fs.readFileSync(one)).tracks).toHaveLength(2);
    const folder = path.join(dir, 'daw');
    const each = etude(['export', '--db', db, '--generation', String(summary.generation), '--out', folder, '--continuation-only', '--quantize', '1/8', '--json']);
    expect(each.code, each.stderr).toBe(0);
    const written = (JSON.parse(each.stdout) as { files: string[] }).files;
    expect(written.map((f) => path.basename(f))).toEqual(['cli - Greensleeves - bars 1-4 - take 1 (continuation).mid', 'cli - Greensleeves - bars 1-4 - take 2 (continuation).mid']);
    for (const f of written) expect(parseMidi(fs.readFileSync(f)).tracks.flatMap((t) => Array.from(t.notes.startTick)).every((tick) => tick % 240 === 0)).toBe(true);
    const many = etude(['export', '--db', db, '--generation', String(summary.generation), '--out', path.join(dir, 'x.mid')]);
    expect(many.code).toBe(2);
    expect(many.stderr).toMatch(/makes 2 files/);

    const checked = etude(['check', '--db', db, '--generation', String(summary.generation), '--json']);
    expect(checked.code, checked.stderr).toBe(0);
    const report = JSON.parse(checked.stdout) as { corpus: string; takes: { take: number; longest_match_notes: number; copies: boolean; metrics: { pitch_class_distance: number } }[] };
    expect(report.corpus).toBe('Starter tunes');
    expect(report.takes.map((t) => t.take)).toEqual([1, 2]);
    for (const t of report.takes) {
      expect(t.copies).toBe(t.longest_match_notes >= 8);
      expect(t.metrics.pitch_class_distance).toBeGreaterThanOrEqual(0);
    }

    const bad = etude(['generate', '--db', db, '--model', 'cli', '--from', 'Starter tunes/No such tune', '--out', out]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toMatch(/no piece titled "No such tune" in Starter tunes/);
  }, 120_000);

  it('marks the shipped base models in models --json, personalises one with --from-base auto and blends it back with --base-weight', () => {
    const dir = tempDir();
    const db = path.join(dir, 'base.db');
    const listed = JSON.parse(etude(['models', '--db', db, '--json']).stdout) as { models: { name: string; base: boolean }[] };
    expect(listed.models.filter((m) => m.base).map((m) => m.name).sort()).toEqual(['Chorales and keyboard (base)', 'Folk melodies (base)']);
    const train = etude(['train', '--db', db, '--corpus', 'Starter tunes', '--model', 'mine', '--from-base', 'auto', '--epochs', '1', '--json']);
    expect(train.code, train.stderr).toBe(0);
    const mine = (JSON.parse(etude(['models', '--db', db, '--json']).stdout) as { models: { name: string; base: boolean; basedOn: number | null }[] }).models.find((m) => m.name === 'mine');
    expect(mine).toMatchObject({ base: false, basedOn: expect.any(Number) });
    const out = path.join(dir, 'takes');
    const gen = etude(['generate', '--db', db, '--model', 'mine', '--from', 'note=67', '--length', '2 bars', '--base-weight', '0.5', '--seed', '3', '--out', out, '--json']);
    expect(gen.code, gen.stderr).toBe(0);
    const summary = JSON.parse(gen.stdout) as { base_weight: number; takes: { continuation_notes: number }[] };
    expect(summary.base_weight).toBe(0.5);
    expect(summary.takes[0]!.continuation_notes).toBeGreaterThan(0);
  }, 120_000);

  it('lists models, exports one to a file and imports it into another database (another machine) where it generates the same takes', () => {
    const dir = tempDir();
    const db = path.join(dir, 'here.db');
    const train = etude(['train', '--db', db, '--corpus', 'Starter tunes', '--encoding', 'events', '--arch', 'lstm', '--model', 'jigs', '--set', 'units=32', '--set', 'dense=0', '--set', 'stride=8', '--epochs', '1', '--batch-size', '32', '--sequence-length', '32', '--json']);
    expect(train.code, train.stderr).toBe(0);
    const listed = etude(['models', '--db', db, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const model = (JSON.parse(listed.stdout) as { models: { name: string; corpus: string; encoding: string; epochs: number; sizeBytes: number; backend: string }[] }).models.find((m) => m.name === 'jigs');
    expect(model).toMatchObject({ name: 'jigs', corpus: 'Starter tunes', encoding: 'events', epochs: 1, backend: 'wasm' });
    expect(model!.sizeBytes).toBeGreaterThan(0);

    const file = path.join(dir, 'jigs.etude-model');
    const exported = etude(['model', 'export', 'jigs', '--db', db, '--out', file, '--json']);
    expect(exported.code, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout).path).toBe(file);
    const elsewhere = path.join(dir, 'elsewhere.db');
    const imported = etude(['model', 'import', file, '--db', elsewhere, '--name', 'jigs from the laptop', '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout).model).toMatchObject({ name: 'jigs from the laptop', origin: { kind: 'import', originalName: 'jigs' } });
    const card = etude(['model', 'card', 'jigs from the laptop', '--db', elsewhere]);
    expect(card.code, card.stderr).toBe(0);
    expect(card.stdout).toMatch(/corpus Starter tunes \(\d+ pieces, sha256 [0-9a-f]{64}\)/);

    const takes = (database: string, name: string) => {
      const out = path.join(dir, name.replace(/\W/g, '_'));
      const gen = etude(['generate', '--db', database, '--model', name, '--from', 'note=64', '--length', '30 tokens', '--variations', '2', '--seed', '5', '--out', out, '--json']);
      expect(gen.code, gen.stderr).toBe(0);
      return (JSON.parse(gen.stdout.trim().split('\n').at(-1)!) as { takes: { file: string }[] }).takes.map((t) => Array.from(parseMidi(fs.readFileSync(t.file)).tracks[0]!.notes.pitch));
    };
    expect(takes(elsewhere, 'jigs from the laptop')).toEqual(takes(db, 'jigs'));

    fs.writeFileSync(path.join(dir, 'junk.etude-model'), 'not a zip at all');
    const junk = etude(['model', 'import', path.join(dir, 'junk.etude-model'), '--db', elsewhere]);
    expect(junk.code).toBe(1);
    expect(junk.stderr.trim()).toMatch(/^etude: junk\.etude-model cannot be imported: it is not an Etude model file/);
  }, 120_000);
});
