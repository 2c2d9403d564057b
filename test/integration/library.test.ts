import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine';
import type { EventMessage, MethodName } from '../../src/shared/api';
import type { ImportProgress, ImportSummary, PieceDetail } from '../../src/shared/library';
import { JIGS, PIANO } from '../helpers/corpora';
import { tempDir } from '../helpers/tmp';
import { rawDb } from '../helpers/sqlite';

let engine: Engine;
beforeEach(() => {
  engine = Engine.open({ dbPath: path.join(tempDir(), 'lib.db'), starterCorpus: false });
});
afterEach(() => engine.close());

async function call<T = unknown>(method: MethodName, input: unknown): Promise<T> {
  const reply = await engine.call(method, input);
  if (!reply.ok) throw new Error(`${reply.error.kind}: ${reply.error.message}`);
  return reply.value as T;
}

describe('ABC import', () => {
  it('honours meter, key, tempo and repeats, one piece per tune', async () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, 'book.abc'),
      [
        '% a two-tune book',
        'X:1',
        'T:Repeated Jig',
        'M:6/8',
        'L:1/8',
        'Q:3/8=120',
        'K:G',
        '|:GAB cde|d3 B3:|',
        '',
        'X:2',
        'T:Minor Reel',
        'M:4/4',
        'L:1/8',
        'K:Ador',
        'A2BA GAEG|A4 A4|]',
        '',
      ].join('\n'),
    );
    const summary = await call<ImportSummary>('corpora.import', { corpus: 'Tunes', paths: [dir] });
    expect(summary).toMatchObject({ imported: 2, failed: [] });
    const corpus = (await call<{ id: number }[]>('corpora.list', {}))[0]!;
    const { pieces } = await call<{ pieces: { id: number; title: string; meter: string; key: string; bpm: number }[] }>('pieces.list', {
      corpusId: corpus.id,
    });
    const jig = pieces.find((p) => p.title === 'Repeated Jig')!;
    expect(jig).toMatchObject({ meter: '6/8', key: 'G major' });
    expect(jig.bpm).toBeCloseTo(180, 5); // dotted quarter = 120 is 180 quarters a minute
    const detail = await call<PieceDetail>('pieces.get', { id: jig.id });
    const notes = detail.tracks.flatMap((t) => t.notes.pitch);
    // Eight notes written, played twice by the repeat: G A B c d e d B.
    expect(notes).toEqual([67, 69, 71, 72, 74, 76, 74, 71, 67, 69, 71, 72, 74, 76, 74, 71]);
    const reel = pieces.find((p) => p.title === 'Minor Reel')!;
    expect(reel.key).toMatch(/^(A minor|G major)$/); // A dorian shares G major's signature
    const original = detail.sourceFormat;
    expect(original).toBe('abc');
  });
});

describe('corpus operations', () => {
  it('creates, renames (refusing clashes), and sets the track rule', async () => {
    const a = await call<{ id: number }>('corpora.create', { name: 'Jigs' });
    await call('corpora.create', { name: 'Reels' });
    expect(await engine.call('corpora.create', { name: 'jigs' })).toMatchObject({ ok: false, error: { kind: 'conflict' } });
    expect(await engine.call('corpora.rename', { id: a.id, name: 'REELS' })).toMatchObject({ ok: false, error: { kind: 'conflict' } });
    expect(await engine.call('corpora.create', { name: '   ' })).toMatchObject({ ok: false, error: { kind: 'invalid_input' } });
    expect(await call('corpora.rename', { id: a.id, name: 'My jigs' })).toMatchObject({ name: 'My jigs' });
    expect(await call('corpora.setTrackRule', { id: a.id, rule: { kind: 'programs', programs: [0, 73] } })).toMatchObject({
      trackRule: { kind: 'programs', programs: [0, 73] },
    });
    expect(await engine.call('corpora.setTrackRule', { id: a.id, rule: { kind: 'programs', programs: [200] } })).toMatchObject({
      ok: false,
      error: { kind: 'invalid_input' },
    });
  });

  it('reports statistics, searches literally, moves pieces and deletes with their tracks', async () => {
    await call('corpora.import', { corpus: 'Piano', paths: [PIANO] });
    await call('corpora.import', { corpus: 'Jigs', paths: [path.join(JIGS, 'jigs1.mid'), path.join(JIGS, 'jigs2.mid')] });
    const corpora = await call<{ id: number; name: string; pieces: number; notes: number; families: Record<string, number>; pitchMin: number }[]>(
      'corpora.list',
      {},
    );
    const piano = corpora.find((c) => c.name === 'Piano')!;
    const jigs = corpora.find((c) => c.name === 'Jigs')!;
    expect(piano.pieces).toBe(fs.readdirSync(PIANO).filter((f) => f.endsWith('.mid')).length);
    expect(piano.families.drums).toBeGreaterThan(0);
    expect(jigs.families).toEqual({ piano: 2 });

    const search = (s: string) => call<{ total: number }>('pieces.list', { corpusId: piano.id, search: s });
    expect((await search('bach')).total).toBe(3);
    expect((await search('%')).total).toBe(0); // a wildcard is a literal character
    expect((await search('_')).total).toBeGreaterThan(0);
    const byNotes = await call<{ pieces: { noteCount: number; id: number; title: string }[] }>('pieces.list', {
      corpusId: piano.id,
      sort: 'notes',
      descending: true,
    });
    expect(byNotes.pieces.map((p) => p.noteCount)).toEqual([...byNotes.pieces.map((p) => p.noteCount)].sort((a, b) => b - a));

    const bach = (await call<{ pieces: { id: number }[] }>('pieces.list', { corpusId: piano.id, search: 'bach_846' })).pieces[0]!;
    expect(await call('pieces.move', { pieceIds: [bach.id], toCorpusId: jigs.id })).toEqual({ moved: 1, duplicates: 0 });
    const [after] = (await call<{ id: number; pieces: number }[]>('corpora.list', {})).filter((c) => c.id === jigs.id);
    expect(after!.pieces).toBe(3);

    const tracksBefore = rawDb(engine.store.path).prepare('SELECT count(*) FROM tracks').pluck().get() as number;
    expect(await engine.call('corpora.delete', { id: piano.id })).toMatchObject({ ok: false, error: { kind: 'invalid_input' } }); // needs confirm
    expect(await call('corpora.delete', { id: piano.id, confirm: true })).toEqual({ deletedPieces: piano.pieces - 1 });
    const tracksAfter = rawDb(engine.store.path).prepare('SELECT count(*) FROM tracks').pluck().get() as number;
    expect(tracksAfter).toBeLessThan(tracksBefore);
    expect(rawDb(engine.store.path).prepare('SELECT count(*) FROM tracks t LEFT JOIN pieces p ON p.id = t.piece_id WHERE p.id IS NULL').pluck().get()).toBe(0);
    expect(await engine.call('pieces.get', { id: 999_999 })).toMatchObject({ ok: false, error: { kind: 'not_found' } });
  });
});

describe('import progress and cancellation', () => {
  it('reports progress with counts and stops between files when cancelled, keeping what it imported', async () => {
    const progress: ImportProgress[] = [];
    let cancelled = false;
    engine.on((m: EventMessage) => {
      if (m.event !== 'corpora.importProgress') return;
      progress.push(m.payload);
      if (!cancelled && m.payload.done >= 20) {
        cancelled = true;
        void engine.call('corpora.cancelImport', { importId: 'job-1' });
      }
    });
    const summary = await call<ImportSummary>('corpora.import', { corpus: 'Jigs', paths: [JIGS], importId: 'job-1' });
    expect(summary.cancelled).toBe(true);
    // Progress comes at least every 25 files; the cancel, itself an engine call, lands within one more file.
    expect(summary.imported).toBeGreaterThanOrEqual(20);
    expect(summary.imported).toBeLessThanOrEqual(26);
    expect(progress[0]).toMatchObject({ importId: 'job-1', done: 0, total: 385 - 1 });
    expect(progress.every((p, i) => i === 0 || p.done >= progress[i - 1]!.done)).toBe(true);
    const corpus = (await call<{ pieces: number }[]>('corpora.list', {}))[0]!;
    expect(corpus.pieces).toBe(summary.imported);
    expect(await call('corpora.cancelImport', { importId: 'job-1' })).toEqual({ cancelled: false });
  });
});
