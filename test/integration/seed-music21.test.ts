import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importSources, sourcesFromPaths } from '../../src/engine/corpus/import';
import { buildVocabulary } from '../../src/engine/encode/build-vocabulary';
import { seedReadingOfNotes } from '../../src/engine/encode/music21/read';
import { encodingOf, parseParams } from '../../src/engine/encode/registry';
import { Store } from '../../src/engine/store/store';
import { JIGS, MUSIC21_PROBES, PIANO, SEED000_REFERENCE } from '../helpers/corpora';
import { sequenceRatio } from '../helpers/difflib';
import { tempDir } from '../helpers/tmp';

/**
 * Seed 000's notes-chords tokens against what music21 9.9.2 itself produced for the same files
 * with seed 000's get_notes() (test/fixtures/seed000-music21): the files are imported into
 * a real database and encoded through the studio's own path (the stored original file).
 */
let store: Store;
const corpora = [
  { name: 'JSB', dir: path.join(SEED000_REFERENCE, 'jsb-train-midi'), reference: path.join(SEED000_REFERENCE, 'jsb-train.json') },
  { name: 'Jigs', dir: JIGS, reference: path.join(SEED000_REFERENCE, 'nottingham-jigs.json') },
  { name: 'Piano', dir: PIANO, reference: path.join(SEED000_REFERENCE, 'piano-midi.json') },
  // One rule each: track names with and without program changes, programs before or after the first note, percussion, format 0…
  { name: 'Probes', dir: path.join(MUSIC21_PROBES, 'probes'), reference: path.join(MUSIC21_PROBES, 'probes.json') },
] as const;
/** Shaped like game-music piano arrangements: named tracks, program changes in either order, played-in timing. */
const arrangements = { name: 'Arrangements', dir: path.join(MUSIC21_PROBES, 'arrangements'), reference: path.join(MUSIC21_PROBES, 'arrangements.json') } as const;
/** Rougher: any resolution, played-in timing, voices, notes held over several bars, odd meters. */
const rough = { name: 'Rough', dir: path.join(MUSIC21_PROBES, 'rough'), reference: path.join(MUSIC21_PROBES, 'rough.json') } as const;
type Corpus = (typeof corpora)[number] | typeof arrangements | typeof rough;

beforeAll(async () => {
  store = Store.open(path.join(tempDir(), 'seed.db'));
  for (const c of [...corpora, arrangements, rough]) {
    const corpus = store.corpora.create(c.name);
    await importSources(store.corpora, corpus.id, sourcesFromPaths([c.dir]).sources, []);
  }
}, 120_000);
afterAll(() => store.close());

const readReference = (c: Corpus) => JSON.parse(fs.readFileSync(c.reference, 'utf8')) as Record<string, string[]>;

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Each file's tokens, by file name (a file whose content was imported already under another name shares that piece's). */
function encodeCorpus(c: Corpus, reading: 'music21' | 'music21-v2' = 'music21'): Map<string, string[]> {
  const encoding = encodingOf('notes-chords');
  const params = parseParams('notes-chords', { reading });
  const byContent = new Map<string, string[]>();
  for (const { pieceId, piece } of store.corpora.iterateEncodable(store.corpora.byName(c.name)!.id)) {
    const encoded = encoding.encode(piece, params);
    if (encoded.representation !== 'tokens') throw new Error('tokens expected');
    byContent.set(sha(store.corpora.original(pieceId).bytes), encoded.tokens);
  }
  const out = new Map<string, string[]>();
  for (const file of fs.readdirSync(c.dir).filter((f) => f.endsWith('.mid'))) {
    const tokens = byContent.get(sha(fs.readFileSync(path.join(c.dir, file))));
    if (tokens) out.set(file, tokens);
  }
  return out;
}

describe('notes-chords (seed) reads MIDI as seed 000 read it with music21', () => {
  for (const c of corpora) {
    it(`${c.name}: the token sequences match music21's, file by file (mean similarity ≥ 0.98, distinct tokens within 2%)`, () => {
      const reference = readReference(c);
      const ours = encodeCorpus(c);
      const names = Object.keys(reference);
      for (const name of names) expect(ours.has(name), `${name} was imported`).toBe(true);
      const ratios = names.map((name) => sequenceRatio(ours.get(name)!, reference[name]!));
      const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
      const distinct = (lists: Iterable<string[]>) => new Set([...lists].flat()).size;
      const theirs = distinct(Object.values(reference));
      expect(mean).toBeGreaterThanOrEqual(0.98);
      expect(Math.abs(distinct(names.map((n) => ours.get(n)!)) - theirs) / theirs).toBeLessThanOrEqual(0.02);
      // What the thresholds allow is not what this reading reaches: it reproduces every file exactly.
      expect(ratios.filter((r) => r < 1).length, 'files that differ at all').toBe(0);
    });
  }

  it("game-music-like piano arrangements: no file music21 reads as non-empty is left out, and the tokens match music21's (mean similarity ≥ 0.98)", () => {
    const reference = readReference(arrangements);
    const ours = encodeCorpus(arrangements);
    const names = Object.keys(reference);
    for (const name of names) expect(ours.has(name), `${name} was imported`).toBe(true);
    const leftOut = names.filter((n) => reference[n]!.length > 0 && ours.get(n)!.length === 0);
    expect(leftOut, 'files music21 reads and this reading leaves out').toEqual([]);
    const invented = names.filter((n) => reference[n]!.length === 0 && ours.get(n)!.length > 0);
    expect(invented, 'files music21 leaves empty and this reading does not').toEqual([]);
    const ratios = names.map((name) => sequenceRatio(ours.get(name)!, reference[name]!));
    expect(ratios.reduce((a, b) => a + b, 0) / ratios.length).toBeGreaterThanOrEqual(0.98);
    // Played-in timing included (a length quantised knowing the gap to the next element), every file matches.
    expect(ratios.filter((r) => r < 1).length, 'files that differ at all').toBe(0);
  });

  it('rougher files: none that music21 reads is left out, and the mean similarity stays at least 0.99', () => {
    const reference = readReference(rough);
    const ours = encodeCorpus(rough);
    const names = Object.keys(reference);
    for (const name of names) expect(ours.has(name), `${name} was imported`).toBe(true);
    expect(names.filter((n) => reference[n]!.length > 0 && ours.get(n)!.length === 0)).toEqual([]);
    expect(names.filter((n) => reference[n]!.length === 0 && ours.get(n)!.length > 0)).toEqual([]);
    const ratios = names.map((name) => sequenceRatio(ours.get(name)!, reference[name]!));
    expect(ratios.reduce((a, b) => a + b, 0) / ratios.length).toBeGreaterThanOrEqual(0.99);
    // Where music21 orders notes of a measure with voices in ways not yet followed: 2 of 150 files, by order only.
    expect(ratios.filter((r) => r < 1).length).toBeLessThanOrEqual(2);
  });

  it('reads track names and program changes by music21\'s own rules', () => {
    const probes = encodeCorpus(corpora[3]);
    // A name music21 does not recognise, then a program change: one Piano, the whole track, both tracks
    // in one part (version 2 left the file out): the melody's C5 with the accompaniment's chord.
    expect(probes.get('name-then-program.mid')!.slice(0, 4)).toEqual(['C5', '0.4.7', 'F5', 'B5']);
    // The same, the program a beat after the first note: the notes before it belong to no instrument.
    expect(probes.get('program-after-first-note.mid')!.length).toBe(probes.get('name-then-program.mid')!.length - 3);
    // "Piano right" and program 0's "Piano" stay two instruments: the first covers nothing.
    expect(probes.get('piano-names-then-program.mid')).toEqual([]);
    // An unnamed track without a program is in no part; the next one's instrument makes the first part.
    expect(probes.get('unnamed-track-first.mid')).toEqual(readReference(corpora[3])['unnamed-track-first.mid']);
  });

  it('says in words why music21 leaves a file empty, in the vocabulary report', async () => {
    const vocab = await buildVocabulary(store, { corpusId: store.corpora.byName('Probes')!.id, encoding: 'notes-chords', params: {} });
    const reference = readReference(corpora[3]);
    const empty = Object.values(reference).filter((t) => t.length === 0).length;
    expect(vocab.warnings).toContain(
      "7 pieces give no tokens as seed 000 read MIDI, and are left out: music21's first instrument part is empty: its instrument gives way at the same tick " +
        'to one music21 names differently (a track named "Piano right" then a program change, which music21 calls "Piano") ' +
        '("format-0-two-programs", "instrument-name-meta-piano", "instrument-name-meta" and 4 more).',
    );
    expect(vocab.warnings.find((w) => w.includes('only percussion'))).toMatch(/^2 pieces .*\("drums-first", "drums-unnamed-first"\)\.$/);
    expect(vocab.pieces).toBe(Object.keys(reference).length - empty);
  });

  it('keeps the cases that decide the tokens: ties over bar lines, a note that starts with a chord but ends elsewhere, octaves as one pitch class', () => {
    const ours = encodeCorpus(corpora[0]);
    // The opening of the first chorale: C4 alone (it ends a beat before the chord it starts with).
    expect(ours.get('jsb-train-000.mid')!.slice(0, 3)).toEqual(['C4', '0.4.7', '4.7.10.0']);
    const entertainer = encodeCorpus(corpora[2]).get('TheEntertainer.mid')!;
    expect(entertainer.slice(0, 4)).toEqual(['2', '4', '0', '9']); // octave doublings: a chord of one pitch class
  });

  it("names the pieces music21's first instrument part leaves empty in the vocabulary report, and learns from the rest", async () => {
    const vocab = await buildVocabulary(store, { corpusId: store.corpora.byName('Piano')!.id, encoding: 'notes-chords', params: {} });
    const empty = vocab.warnings.find((w) => w.includes('first instrument part is empty'));
    expect(empty).toMatch(/^4 pieces give no tokens as seed 000 read MIDI/);
    expect(empty).toContain('"bach_846"');
    expect(vocab.warnings.find((w) => w.includes('only percussion'))).toContain('"230_bpm_multitrack"');
    expect(vocab.pieces).toBe(2); // The Entertainer and the pitch-bend test: the only files with tokens in music21's reading
  });

  it('a passage without its file (being continued) is read from its notes the same way', () => {
    const encoding = encodingOf('notes-chords');
    const params = parseParams('notes-chords', {});
    for (const { piece } of [...store.corpora.iterateEncodable(store.corpora.byName('JSB')!.id)].slice(0, 40)) {
      const fromFile = encoding.encode(piece, params);
      expect(seedReadingOfNotes(piece).tokens).toEqual(fromFile.representation === 'tokens' ? fromFile.tokens : null);
    }
  });

  it('a vocabulary of version 1 (no reading parameter) keeps its own reading: every onset one chord', () => {
    const encoding = encodingOf('notes-chords');
    const { reading: _, ...version1 } = parseParams('notes-chords', {});
    expect(encoding.legacyParams!(1, version1)).toEqual({ ...version1, reading: 'onsets' });
    const { piece } = store.corpora.iterateEncodable(store.corpora.byName('JSB')!.id).next().value!;
    const old = encoding.encode(piece, version1);
    const onsets = encoding.encode(piece, parseParams('notes-chords', { reading: 'onsets' }));
    const music21 = encoding.encode(piece, parseParams('notes-chords', {}));
    expect(old).toEqual(onsets);
    expect(old).not.toEqual(music21);
  });

  it('a vocabulary of version 2 keeps its own reading: a track name always an instrument of its own', () => {
    const encoding = encodingOf('notes-chords');
    expect(encoding.info.version).toBe(3);
    const version2 = parseParams('notes-chords', {});
    expect(encoding.legacyParams!(2, version2)).toEqual({ ...version2, reading: 'music21-v2' });
    expect(encoding.legacyParams!(2, { ...version2, reading: 'onsets' })).toEqual({ ...version2, reading: 'onsets' });
    // The files version 2 read exactly it still reads the same; a name then a program change it left out.
    expect(encodeCorpus(corpora[0], 'music21-v2')).toEqual(encodeCorpus(corpora[0]));
    const old = encodeCorpus(corpora[3], 'music21-v2');
    expect(old.get('name-then-program.mid')).toEqual([]);
    expect(encodeCorpus(corpora[3]).get('name-then-program.mid')).toEqual(readReference(corpora[3])['name-then-program.mid']);
  });
});
