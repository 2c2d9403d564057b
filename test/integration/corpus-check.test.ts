import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkCorpus } from '../../src/engine/corpus/check';
import { importSources, sourcesFromPaths } from '../../src/engine/corpus/import';
import { Store } from '../../src/engine/store/store';
import { PIANO } from '../helpers/corpora';
import { end, file, header, off, on, program, track } from '../helpers/midi-bytes';
import { tempDir } from '../helpers/tmp';

let store: Store;
beforeEach(() => {
  store = Store.open(path.join(tempDir(), 'lib.db'));
});
afterEach(() => store.close());

async function corpusOf(name: string, paths: string[]) {
  const corpus = store.corpora.create(name);
  const { sources, failed } = sourcesFromPaths(paths);
  await importSources(store.corpora, corpus.id, sources, failed);
  return corpus.id;
}

describe('corpus check before training', () => {
  it('reports drums-only pieces, rule exclusions and the same music stored twice', async () => {
    const dir = tempDir();
    const melody = (ppq: number) => [program(0, 0, 40), on(0, 0, 60), off(ppq, 0, 60), on(0, 0, 62), off(ppq, 0, 62), end()];
    fs.writeFileSync(path.join(dir, 'violin.mid'), file(header(0, 1, 480), track(melody(480))));
    fs.writeFileSync(path.join(dir, 'violin again.mid'), file(header(0, 1, 96), track(melody(96)))); // other bytes, same music
    fs.writeFileSync(path.join(dir, 'drums.mid'), file(header(0, 1, 480), track([on(0, 9, 36), off(120, 9, 36), end()])));
    fs.writeFileSync(path.join(dir, 'piano.mid'), file(header(0, 1, 480), track([on(0, 0, 48), off(480, 0, 48), end()])));
    const id = await corpusOf('Mixed', [dir]);

    const all = checkCorpus(store.corpora, id);
    expect(all.pieces).toEqual({ total: 4, used: 2, dropped: 2 });
    expect(all.droppedByReason).toEqual({ 'drums only': 1, duplicate: 1 });
    expect(all.dropped.find((d) => d.reason === 'duplicate')!.detail).toMatch(/same notes as "violin/);
    expect(all.warnings[0]).toMatch(/Small corpus: 2 pieces/);

    store.corpora.setTrackRule(id, { kind: 'piano' });
    const piano = checkCorpus(store.corpora, id);
    expect(piano.pieces.used).toBe(1);
    expect(piano.droppedByReason['no track matches the rule']).toBe(2);
    expect(piano.dropped.find((d) => d.title === 'violin')!.detail).toBe('the rule takes piano tracks; this piece has strings');
  });

  it('takes only the first instrument part under the seed-000 rule, and histograms keys and tempos', async () => {
    const id = await corpusOf('Piano', [PIANO]);
    const nonDrum = checkCorpus(store.corpora, id);
    store.corpora.setTrackRule(id, { kind: 'first-instrument' });
    const first = checkCorpus(store.corpora, id);
    expect(first.pieces.used).toBe(nonDrum.pieces.used);
    expect(first.tracks.used).toBe(first.pieces.used); // one track a piece
    expect(first.notes.used).toBeLessThan(nonDrum.notes.used);
    expect(Object.values(first.keys).reduce((a, b) => a + b, 0)).toBe(first.pieces.used);
    expect(first.tempos.reduce((a, t) => a + t.pieces, 0)).toBe(first.pieces.used);
    expect(first.tempos.some((t) => t.bpm === 230)).toBe(true);
  });

  it('says plainly when training would use nothing, and when the model is large for the corpus', async () => {
    const empty = store.corpora.create('Empty');
    expect(checkCorpus(store.corpora, empty.id).warnings).toEqual(['The corpus is empty: import some MIDI or ABC files first.']);
    const id = await corpusOf('Beat', [path.join(PIANO, 'beat.mid')]);
    expect(checkCorpus(store.corpora, id).warnings[0]).toMatch(/Training would use nothing/);
    const piano = await corpusOf('Piano', [PIANO]);
    expect(checkCorpus(store.corpora, piano, { modelParameters: 5_000_000 }).warnings.at(-1)).toMatch(/large for/);
  });
});
