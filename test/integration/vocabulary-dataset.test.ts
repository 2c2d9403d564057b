import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildVocabulary, SPECIAL_TOKENS, UNK } from '../../src/engine/encode/build-vocabulary';
import { encodingOf } from '../../src/engine/encode/registry';
import { importSources, sourcesFromPaths } from '../../src/engine/corpus/import';
import { BOS_ID, NO_TARGET, PAD_ID, SequenceDataset, TiledWindows, tokenBatch, TranspositionTable } from '../../src/engine/dataset/sequence-dataset';
import { Store } from '../../src/engine/store/store';
import { JIGS, PIANO } from '../helpers/corpora';
import { tempDir } from '../helpers/tmp';

let store: Store;
let jigsId: number;

beforeAll(async () => {
  store = Store.open(path.join(tempDir(), 'vocab.db'));
  const jigs = store.corpora.create('Jigs');
  jigsId = jigs.id;
  await importSources(store.corpora, jigs.id, sourcesFromPaths([JIGS]).sources, []);
});
afterAll(() => store.close());

describe('vocabularies', () => {
  it('puts the special tokens first, then tokens by frequency, and covers the corpus', async () => {
    const v = await buildVocabulary(store, { corpusId: jigsId, encoding: 'events' });
    const tokens = store.vocabularies.tokenPage(v.id, { offset: 0, limit: 1000 }).tokens;
    expect(tokens.slice(0, 4).map((t) => t.token)).toEqual([...SPECIAL_TOKENS]);
    const counts = tokens.slice(4).map((t) => t.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    expect(v.coverage).toBe(1);
    expect(v.size).toBe(tokens.length);
    expect(v.steps).toBe(counts.reduce((a, b) => a + b, 0));
    expect(v.roundTrip.notes).toBe(store.corpora.summary(jigsId).notes);
    // Building the same thing again reuses it; --rebuild makes a new one.
    expect((await buildVocabulary(store, { corpusId: jigsId, encoding: 'events' })).id).toBe(v.id);
    expect((await buildVocabulary(store, { corpusId: jigsId, encoding: 'events', rebuild: true })).id).not.toBe(v.id);
  });

  it('keeps the most frequent tokens when over its limit, says so, and maps the rest to <unk>', async () => {
    const v = await buildVocabulary(store, { corpusId: jigsId, encoding: 'notes-chords', params: { variant: 'octaves-durations' }, maxSize: 24 });
    expect(v.size).toBe(24);
    expect(v.coverage).toBeLessThan(1);
    expect(v.warnings.join(' ')).toMatch(/over its limit of 24: kept the 20 most frequent, covering \d+\.\d% of the corpus/);
    const dataset = SequenceDataset.load(store, v.id);
    const ids = dataset.data as Int32Array;
    const unk = ids.filter((id) => id === UNK).length;
    expect(unk / ids.length).toBeCloseTo(1 - v.coverage, 6);
    expect(Math.max(...ids)).toBeLessThan(v.size); // every id the model sees is in range: no NaN losses later
    expect(Math.min(...ids)).toBeGreaterThanOrEqual(0);
  });

  it('refuses an empty corpus and a drums-only corpus at encoding time, with the reason', async () => {
    const empty = store.corpora.create('Empty');
    await expect(buildVocabulary(store, { corpusId: empty.id, encoding: 'events' })).rejects.toThrow(/corpus "Empty" is empty/);
    const drums = store.corpora.create('Drums');
    await importSources(store.corpora, drums.id, sourcesFromPaths([path.join(PIANO, 'beat.mid')]).sources, []);
    await expect(buildVocabulary(store, { corpusId: drums.id, encoding: 'frames' })).rejects.toThrow(
      /nothing to encode in "Drums": no piece has notes in the tracks its rule takes \(all non-drum tracks\); 1 piece without such notes/,
    );
    await expect(buildVocabulary(store, { corpusId: jigsId, encoding: 'events', maxSize: 3 })).rejects.toThrow(/maxSize must be at least 5/);
  });
});

describe('datasets', () => {
  it('splits by piece with a fixed seed, keeps every window inside its piece, and pairs each step with the next', async () => {
    const v = await buildVocabulary(store, { corpusId: jigsId, encoding: 'events' });
    const dataset = SequenceDataset.load(store, v.id);
    expect(dataset.steps).toBe(v.steps);
    const seq = 64;
    const a = dataset.split({ sequenceLength: seq, validationFraction: 0.1, seed: 7 });
    const b = dataset.split({ sequenceLength: seq, validationFraction: 0.1, seed: 7 });
    const c = dataset.split({ sequenceLength: seq, validationFraction: 0.1, seed: 8 });
    expect(a.validation.pieces).toEqual(b.validation.pieces);
    expect(a.validation.pieces).not.toEqual(c.validation.pieces);
    expect(a.train.pieces.filter((p) => a.validation.pieces.includes(p))).toEqual([]);
    expect(a.validation.pieces.length).toBe(Math.round(dataset.pieces * 0.1));

    for (const set of [a.train, a.validation]) {
      for (let i = 0; i < set.count; i += 97) {
        const start = set.start(i);
        const piece = [...Array(dataset.pieces).keys()].find((p) => dataset.offsets[p]! <= start && start < dataset.offsets[p + 1]!)!;
        expect(start + seq + 1).toBeLessThanOrEqual(dataset.offsets[piece + 1]!);
        expect(set.pieces).toContain(piece);
      }
      expect(set.start(set.count - 1) + seq + 1).toBeLessThanOrEqual(dataset.steps);
    }
    const { x, y } = a.train.tokenBatch([0, 5, a.train.count - 1]);
    expect(x.length).toBe(3 * seq);
    for (let bIndex = 0; bIndex < 3; bIndex++) for (let t = 0; t < seq - 1; t++) expect(y[bIndex * seq + t]).toBe(x[bIndex * seq + t + 1]);
  });

  it("holds out the pieces named for validation (a benchmark's own split), whatever the seed, and refuses names it does not hold", async () => {
    const v = await buildVocabulary(store, { corpusId: jigsId, encoding: 'events' });
    const dataset = SequenceDataset.load(store, v.id);
    const named = ['jigs1', 'jigs10', 'jigs200'];
    expect(named.every((t) => dataset.titles.includes(t))).toBe(true);
    for (const seed of [1, 2]) {
      const split = dataset.split({ sequenceLength: 64, validationFraction: 0.1, validationTitles: named, seed });
      expect(split.validation.pieces.map((p) => dataset.titles[p]).sort()).toEqual([...named].sort());
      expect(split.train.pieces.length).toBe(dataset.pieces - named.length);
    }
    expect(() => dataset.split({ sequenceLength: 64, validationTitles: ['no such tune'] })).toThrow(/none of the 1 pieces named/);
    expect(() => dataset.split({ sequenceLength: 64, validationTitles: dataset.titles })).toThrow(/leave some to train on/);
  });

  it('tiles an epoch so every step of the training pieces is a target exactly once, shifting the tiling from epoch to epoch', async () => {
    const v = await buildVocabulary(store, { corpusId: jigsId, encoding: 'events' });
    const dataset = SequenceDataset.load(store, v.id);
    const pieces = [0, 3, 7, 11];
    const L = 32;
    const targetsOf = (seed: number) => {
      const w = new TiledWindows(dataset, pieces, L, { seed, padded: true });
      const seen = new Map<string, number>();
      const { x, y } = tokenBatch(w, Array.from({ length: w.count }, (_, i) => i));
      for (let i = 0; i < w.count; i++) {
        const { piece, offset } = w.locate(i);
        for (let t = 0; t < L; t++) {
          const k = offset + t + 1; // the step this position predicts
          if (y[i * L + t] === NO_TARGET) {
            expect(k < 0 || k >= dataset.pieceLength(piece)).toBe(true);
            continue;
          }
          expect(y[i * L + t]).toBe((dataset.data as Int32Array)[dataset.offsets[piece]! + k]);
          // Before its piece a window reads the start mark, and padding before that.
          if (offset + t === -1) expect(x[i * L + t]).toBe(BOS_ID);
          if (offset + t < -1) expect(x[i * L + t]).toBe(PAD_ID);
          seen.set(`${piece}:${k}`, (seen.get(`${piece}:${k}`) ?? 0) + 1);
        }
      }
      return { w, seen };
    };
    const a = targetsOf(1);
    const steps = pieces.reduce((n, p) => n + dataset.pieceLength(p), 0);
    expect(a.seen.size).toBe(steps);
    expect([...a.seen.values()].every((n) => n === 1)).toBe(true);
    // Each piece takes at most one window more than it would fill from its start.
    expect(a.w.count).toBeLessThanOrEqual(pieces.reduce((n, p) => n + Math.ceil(dataset.pieceLength(p) / L) + 1, 0));
    const b = targetsOf(2);
    expect(b.seen.size).toBe(steps);
    expect(pieces.map((_, i) => b.w.locate(i).offset)).not.toEqual(pieces.map((_, i) => a.w.locate(i).offset));
    // Features and piano rolls tile inside their pieces: no padding, every window whole.
    const psd = await buildVocabulary(store, { corpusId: jigsId, encoding: 'pitch-step-duration' });
    const rows = SequenceDataset.load(store, psd.id);
    const inside = new TiledWindows(rows, [0, 1, 2], 16, { seed: 3, padded: false });
    for (let i = 0; i < inside.count; i++) {
      const { piece, offset } = inside.locate(i);
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset + 17).toBeLessThanOrEqual(rows.pieceLength(piece));
    }
  });

  it('leaves out pieces shorter than a window, and says so when none is long enough', async () => {
    const v = await buildVocabulary(store, { corpusId: jigsId, encoding: 'notes-chords' });
    const dataset = SequenceDataset.load(store, v.id);
    const lengths = [...Array(dataset.pieces).keys()].map((p) => dataset.pieceLength(p)).sort((p, q) => p - q);
    const median = lengths[Math.floor(lengths.length / 2)]!;
    const split = dataset.split({ sequenceLength: median, seed: 1 });
    expect(split.shortPieces).toBe(lengths.filter((l) => l < median + 1).length);
    expect(split.warnings[0]).toMatch(/shorter than one window/);
    expect(() => dataset.split({ sequenceLength: lengths.at(-1)!, seed: 1 })).toThrow(/no piece is long enough for a window of \d+ steps/);
  });

  it('transposes windows for augmentation, and leaves a window alone when a token would leave the vocabulary', async () => {
    const v = await buildVocabulary(store, { corpusId: jigsId, encoding: 'events' });
    const dataset = SequenceDataset.load(store, v.id);
    const tokens = store.vocabularies.tokens(v.id);
    const table = new TranspositionTable(tokens, 'events', v.params, 2);
    const { train } = dataset.split({ sequenceLength: 32, seed: 3 });
    const pitches = (ids: Int32Array) => [...ids].map((id) => tokens[id]!).filter((t) => t.startsWith('Pitch_')).map((t) => Number(t.slice(6)));
    let transposed = 0;
    for (let w = 0; w < 200; w++) {
      const before = pitches(train.tokenBatch([w]).x);
      const after = pitches(train.tokenBatch([w], { table, shifts: [2] }).x);
      expect(before.length).toBeGreaterThan(0);
      // Every pitch moved up a whole tone, or (one would leave the vocabulary) none did.
      if (after.every((p, i) => p === before[i]! + 2)) transposed++;
      else expect(after).toEqual(before);
    }
    expect(transposed).toBeGreaterThan(150);
    expect(() => new TranspositionTable(tokens, 'pitch-step-duration', {}, 2)).toThrow(/no pitch tokens/);
  });

  it('holds a dataset of over a million steps in well under 100 MB', async () => {
    const v = await buildVocabulary(store, { corpusId: jigsId, encoding: 'frames', params: { fps: 40 } });
    expect(v.steps).toBeGreaterThan(1_000_000);
    const before = process.memoryUsage().arrayBuffers;
    const dataset = SequenceDataset.load(store, v.id);
    const split = dataset.split({ sequenceLength: 100, seed: 1 });
    const grown = process.memoryUsage().arrayBuffers - before;
    console.log(`dataset of ${dataset.steps.toLocaleString('en')} steps: ${(dataset.byteLength / 2 ** 20).toFixed(1)} MB held, ${split.train.count.toLocaleString('en')} training windows`);
    expect(dataset.byteLength).toBeLessThan(100 * 2 ** 20);
    expect(grown).toBeLessThan(100 * 2 ** 20);
    expect(split.train.count).toBeGreaterThan(850_000); // about 90% of the steps: the rest are validation pieces
  });
});

describe('encoding speed inputs', () => {
  it('every encoding documents what it keeps and loses', () => {
    for (const kind of ['notes-chords', 'frames', 'pitch-step-duration', 'piano-roll', 'events']) {
      const info = encodingOf(kind).info;
      expect(info.resolution.length).toBeGreaterThan(10);
      expect(info.loses.length).toBeGreaterThan(0);
    }
  });
});
