import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importSources, sourcesFromPaths } from '../../src/engine/corpus/import';
import { MidiParseError, parseMidi } from '../../src/engine/midi/smf';
import { Store } from '../../src/engine/store/store';
import { JIGS, PIANO, midiFiles } from '../helpers/corpora';
import { end, file, header, off, on, track } from '../helpers/midi-bytes';
import { seeded } from '../helpers/random';
import { tempDir } from '../helpers/tmp';
import { rawDb } from '../helpers/sqlite';

let store: Store;
beforeEach(() => {
  store = Store.open(path.join(tempDir(), 'lib.db'));
});
afterEach(() => store.close());

function counts() {
  const one = (sql: string) => rawDb(store.path).prepare(sql).pluck().get() as number;
  return {
    pieces: one('SELECT count(*) FROM pieces'),
    tracks: one('SELECT count(*) FROM tracks'),
    orphanTracks: one('SELECT count(*) FROM tracks t LEFT JOIN pieces p ON p.id = t.piece_id WHERE p.id IS NULL'),
    // A piece whose stored note count differs from its tracks' would be a half-written piece.
    inconsistent: one('SELECT count(*) FROM pieces p WHERE p.note_count != (SELECT coalesce(sum(note_count), 0) FROM tracks t WHERE t.piece_id = p.id)'),
  };
}

describe('import of hostile files', () => {
  it('names each bad file and its reason, repairs what it documents, and imports the rest', async () => {
    const dir = tempDir();
    const write = (name: string, bytes: Uint8Array | string) => fs.writeFileSync(path.join(dir, name), bytes);
    const goodTrack = [on(0, 0, 60), off(480, 0, 60), end()];
    write('01 empty.mid', new Uint8Array(0));
    write('02 truncated header.mid', file(header(0, 1, 480)).subarray(0, 9));
    write('03 truncated track.mid', file(header(0, 1, 480), track(goodTrack)).subarray(0, 25));
    write('04 random.mid', Uint8Array.from({ length: 2000 }, (_, i) => (i * 7919 + 13) % 251));
    write('05 page.mid', '<!DOCTYPE html>\n<html><head><title>Not Found</title></head></html>');
    write('06 lying header.mid', file(header(1, 4, 480), track(goodTrack)));
    write('07 long chunk.mid', file(header(0, 1, 480), track(goodTrack, 1_000_000)));
    write('08 zero division.mid', file(header(0, 1, 0), track(goodTrack)));
    write('09 unreleased.mid', file(header(0, 1, 480), track([on(0, 0, 60), on(0, 0, 64), off(480, 0, 64), end(480)])));
    write('10 zero length.mid', file(header(0, 1, 480), track([on(0, 9, 36), off(0, 9, 36), end(480)])));
    write('11 overlapping.mid', file(header(0, 1, 480), track([on(0, 0, 60), on(240, 0, 60), off(240, 0, 60), off(0, 0, 60), end()])));
    write('12 binary.abc', Uint8Array.from([0, 1, 2, 3]));
    write('13 no tunes.abc', 'just some words, no X: line here\n');
    write('notes.txt', 'ignored: not a music file');
    fs.copyFileSync(path.join(JIGS, 'jigs1.mid'), path.join(dir, '14 good.mid'));

    const corpus = store.corpora.create('Hostile');
    const { sources, failed } = sourcesFromPaths([dir, path.join(dir, 'missing.mid')]);
    const summary = await importSources(store.corpora, corpus.id, sources, failed);
    const reasons = Object.fromEntries(summary.failed.map((f) => [path.basename(f.file), f.reason]));
    expect(reasons).toEqual({
      'missing.mid': 'no such file or folder',
      '01 empty.mid': 'empty file',
      '02 truncated header.mid': 'truncated header: 9 bytes, a MIDI header needs 14',
      '03 truncated track.mid': expect.stringMatching(/^truncated track chunk at byte 14: it claims 13 bytes, only 3 remain$/),
      '04 random.mid': expect.stringMatching(/^not a MIDI file/),
      '05 page.mid': 'not a MIDI file (it starts with "<!DO", not "MThd")',
      '06 lying header.mid': 'the header declares 4 tracks but the file holds 1',
      '07 long chunk.mid': expect.stringMatching(/claims 1000000 bytes/),
      '08 zero division.mid': 'zero ticks per quarter note',
      '12 binary.abc': 'not an ABC file (it holds binary data)',
      '13 no tunes.abc': 'not an ABC file (no tune starts with an "X:" line)',
    });
    expect(summary.imported).toBe(4); // 09, 10, 11 repaired; 14 good
    const titles = store.corpora.listPieces({ corpusId: corpus.id }).pieces.map((p) => p.title);
    expect(titles).toEqual(['09 unreleased', '10 zero length', '11 overlapping', '14 good']);
    const unreleased = store.corpora.getPiece(store.corpora.listPieces({ corpusId: corpus.id, search: 'unreleased' }).pieces[0]!.id);
    expect(unreleased.repairs.unreleasedNotes).toBe(1);
    expect(unreleased.tracks[0]!.notes.endTick).toEqual([960, 480]); // 60 ends at the end of its track
    expect(counts()).toMatchObject({ orphanTracks: 0, inconsistent: 0 });
  });

  it('imports a file whole or not at all: a tune book with one bad tune adds nothing', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'book.abc'), 'X:1\nT:Good\nM:4/4\nL:1/4\nK:C\nCDEF|GABc|\n\nX:2\nT:Broken\nM:4/4\n');
    const corpus = store.corpora.create('Books');
    const { sources } = sourcesFromPaths([dir]);
    const summary = await importSources(store.corpora, corpus.id, sources, []);
    expect(summary.imported).toBe(0);
    expect(summary.failed[0]!.reason).toMatch(/tune "Broken" has no K:/);
    expect(counts().pieces).toBe(0);
  });

  it('survives 10,000 mutated variants of real files without a crash or a hang (seed 20261121)', () => {
    const random = seeded(20261121);
    const seeds = [...midiFiles(JIGS).slice(0, 20), ...midiFiles(PIANO)].map((f) => new Uint8Array(fs.readFileSync(f)));
    const int = (n: number) => Math.floor(random() * n);
    const outcomes = { parsed: 0, refused: 0 };
    for (let i = 0; i < 10_000; i++) {
      const bytes = Uint8Array.from(seeds[int(seeds.length)]!);
      let variant: Uint8Array = bytes;
      const mutation = int(6);
      if (mutation === 0) for (let k = 0; k < 1 + int(8); k++) variant[int(variant.length)] = int(256); // random bytes
      else if (mutation === 1) variant = bytes.subarray(0, int(bytes.length)); // truncation
      else if (mutation === 2) {
        // lie in a chunk length
        const at = 18 + 8 * int(3);
        if (at + 4 <= variant.length) variant.set([int(256), int(256), int(256), int(256)], at);
      } else if (mutation === 3) {
        // insert random bytes
        const at = int(bytes.length);
        variant = Uint8Array.from([...bytes.subarray(0, at), ...Array.from({ length: 1 + int(16) }, () => int(256)), ...bytes.subarray(at)]);
      } else if (mutation === 4) for (let k = 14; k < variant.length; k += 1 + int(64)) variant[k] = variant[k]! | 0x80; // make delta times huge
      else variant = bytes.subarray(int(32)); // lose the start
      try {
        parseMidi(variant);
        outcomes.parsed++;
      } catch (err) {
        if (!(err instanceof MidiParseError)) throw new Error(`variant ${i} (mutation ${mutation}) crashed the reader`, { cause: err });
        outcomes.refused++;
      }
    }
    expect(outcomes.parsed + outcomes.refused).toBe(10_000);
    expect(outcomes.refused).toBeGreaterThan(1000); // the mutations do break files
    expect(outcomes.parsed).toBeGreaterThan(300); // and some still read, repaired
  });

  it('never leaves a half-written piece when mutated files go through the whole import', async () => {
    const random = seeded(7);
    const dir = tempDir();
    const seedFiles = midiFiles(JIGS).slice(0, 30);
    for (let i = 0; i < 300; i++) {
      const bytes = new Uint8Array(fs.readFileSync(seedFiles[i % seedFiles.length]!));
      for (let k = 0; k < 3; k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      fs.writeFileSync(path.join(dir, `variant ${i}.mid`), bytes);
    }
    const corpus = store.corpora.create('Fuzz');
    const { sources } = sourcesFromPaths([dir]);
    const summary = await importSources(store.corpora, corpus.id, sources, []);
    expect(summary.imported + summary.duplicates + summary.failed.length).toBe(300);
    expect(summary.failed.every((f) => f.reason.length > 0 && !f.reason.startsWith('unexpected error'))).toBe(true);
    const c = counts();
    expect(c.pieces).toBe(summary.imported);
    expect(c).toMatchObject({ orphanTracks: 0, inconsistent: 0 });
  });
});
