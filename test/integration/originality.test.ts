import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importSources, sourcesFromPaths } from '../../src/engine/corpus/import';
import { styleMetrics } from '../../src/engine/originality/check';
import { CorpusIndex, symbolsOf } from '../../src/engine/originality/corpus-index';
import { Store } from '../../src/engine/store/store';
import { JIGS } from '../helpers/corpora';
import { tempDir } from '../helpers/tmp';

let store: Store | null = null;
afterEach(() => {
  store?.close();
  store = null;
});

describe('originality index and style metrics (real corpus files)', () => {
  it('measures a piece against a corpus of itself as (near) identical, and a transposition as the same tune', async () => {
    store = Store.open(path.join(tempDir(), 'o.db'));
    const corpus = store.corpora.create('One jig');
    const file = fs.readdirSync(JIGS).filter((f) => f.endsWith('.mid')).sort()[0]!;
    await importSources(store.corpora, corpus.id, sourcesFromPaths([path.join(JIGS, file)]).sources, []);
    const index = CorpusIndex.build(store, corpus.id);
    const piece = [...store.corpora.iterateEncodable(corpus.id)][0]!.piece;
    const notes = piece.notes.map((n) => ({ ...n }));
    const metrics = styleMetrics(notes, piece.ppq, index.profile, []);
    expect(metrics.pitchClassDistance).toBeLessThan(0.01);
    expect(metrics.ioiDistance).toBeLessThan(0.01);
    expect(metrics.durationDistance).toBeLessThan(0.01);
    expect(metrics.notesPerBeat.take).toBeCloseTo(metrics.notesPerBeat.corpus, 1);
    expect(metrics.inKey.share).toBeGreaterThan(0.8); // a jig stays in its key
    // The whole tune, a fourth up, is found whole.
    const up = notes.map((n) => ({ ...n, pitch: n.pitch + 5 }));
    expect(index.longestMatch(up, piece.ppq).notes).toBe(notes.length);
    // Delay the second half by half a beat: one onset gap changes, and the longest match stops there.
    const middle = Math.floor(notes.length / 2);
    const moved = up.map((n, i) => (i >= middle ? { ...n, startTick: n.startTick + piece.ppq / 2 } : n));
    const m = index.longestMatch(moved, piece.ppq).notes;
    expect(m).toBeLessThan(notes.length);
    expect(m).toBeGreaterThanOrEqual(middle);
  });

  it('encodes intervals and onset gaps, not pitches', () => {
    const a = symbolsOf([{ pitch: 60, startTick: 0 }, { pitch: 64, startTick: 480 }, { pitch: 62, startTick: 720 }], 480);
    const b = symbolsOf([{ pitch: 65, startTick: 0 }, { pitch: 69, startTick: 96 }, { pitch: 67, startTick: 144 }], 96);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(a).toHaveLength(2);
  });
});
