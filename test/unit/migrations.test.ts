import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { checkRegistry, latestVersion, migrate, MIGRATIONS, type Migration } from '../../src/engine/store/migrations/index';

const table = (version: number, name: string): Migration => ({
  version,
  name,
  up: (db) => db.exec(`CREATE TABLE t${version} (x INTEGER)`),
});

function tables(db: Database.Database): string[] {
  return db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all() as string[];
}

describe('migrations', () => {
  it('refuses a registry whose versions do not strictly increase', () => {
    expect(() => checkRegistry([table(1, 'a'), table(1, 'b')])).toThrow(/greater than 1/);
    expect(() => checkRegistry([table(2, 'a'), table(1, 'b')])).toThrow(/greater than 2/);
    expect(() => checkRegistry([table(0, 'a')])).toThrow();
    expect(() => checkRegistry(MIGRATIONS)).not.toThrow();
  });

  it('applies each migration once and records it', () => {
    const db = new Database(':memory:');
    expect(migrate(db)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(db.pragma('user_version', { simple: true })).toBe(latestVersion());
    expect(migrate(db)).toEqual([]);
    const rows = db.prepare('SELECT version, name FROM schema_version').all();
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
  });

  it('rolls back a migration that fails, keeping the ones before it', () => {
    const db = new Database(':memory:');
    const next = latestVersion() + 1;
    const broken: Migration = {
      version: next + 1,
      name: 'broken',
      up: (d) => {
        d.exec('CREATE TABLE half_done (x INTEGER)');
        throw new Error('disk full');
      },
    };
    expect(() => migrate(db, [...MIGRATIONS, table(next, 'next'), broken])).toThrow('disk full');
    expect(db.pragma('user_version', { simple: true })).toBe(next);
    expect(tables(db)).toContain(`t${next}`);
    expect(tables(db)).not.toContain('half_done');
  });

  it('gives the pieces of a database made before title order their sort keys (jigs2 before jigs10)', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.filter((m) => m.version < 8));
    db.exec(`INSERT INTO corpora (name) VALUES ('old')`);
    const insert = db.prepare(
      `INSERT INTO pieces (corpus_id, title, source_name, source_format, content_hash, original, midi_format, ppq, duration_ticks, duration_seconds, note_count, tempos, time_signatures, key_signatures, repairs)
       VALUES (1, ?, ?, 'midi', ?, x'00', 1, 480, 0, 0, 0, '[]', '[]', '[]', '[]')`,
    );
    for (const t of ['jigs10', 'jigs2', 'Jigs1']) insert.run(t, `${t}.mid`, t);
    expect(migrate(db)).toEqual([8, ...MIGRATIONS.filter((m) => m.version > 8).map((m) => m.version)]);
    expect(db.prepare('SELECT title FROM pieces ORDER BY title_order').pluck().all()).toEqual(['Jigs1', 'jigs2', 'jigs10']);
  });
});
