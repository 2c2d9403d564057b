import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importSources, sourcesFromPaths } from '../../src/engine/corpus/import';
import { buildVocabulary } from '../../src/engine/encode/build-vocabulary';
import { seedReadingOfNotes } from '../../src/engine/encode/music21/read';
import { encodingOf, parseParams } from '../../src/engine/encode/registry';
import { Store } from '../../src/engine/store/store';
import { JIGS, PIANO, SEED000_REFERENCE } from '../helpers/corpora';
import { sequenceRatio } from '../helpers/difflib';
import { tempDir } from '../helpers/tmp';

/**
 * Seed 000's notes-chords tokens against what music21 9.9.2 itself produced for the same files
 * with seed 000's get_notes() (test/fixtures/seed000-music21): the files are imported into
 * a real database and encoded through the studio's own path (the stored original file).
 */
let store: Store;
const corpora = [
  { name: 'JSB', dir: path.join(SEED000_REFERENCE, 'jsb-train-midi'), reference: 'jsb-train.json' },
  { name: 'Jigs', dir: JIGS, reference: 'nottingham-jigs.json' },
  { name: 'Piano', dir: PIANO, reference: 'piano-midi.json' },
] as const;

beforeAll(async () => {
  store = Store.open(path.join(tempDir(), 'seed.db'));
  for (const c of corpora) {
    const corpus = store.corpora.create(c.name);
    await importSources(store.corpora, corpus.id, sourcesFromPaths([c.dir]).sources, []);
  }
}, 120_000);
afterAll(() => store.close());

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Each file's tokens, by file name (a file whose content was imported already under another name shares that piece's). */
function encodeCorpus(c: (typeof corpora)[number]): Map<string, string[]> {
  const encoding = encodingOf('notes-chords');
  const params = parseParams('notes-chords', {});
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
      const reference = JSON.parse(fs.readFileSync(path.join(SEED000_REFERENCE, c.reference), 'utf8')) as Record<string, string[]>;
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
});
