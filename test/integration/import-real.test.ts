import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importSources, sourcesFromPaths } from '../../src/engine/corpus/import';
import { Store } from '../../src/engine/store/store';
import { JIGS, PIANO, midiFiles } from '../helpers/corpora';
import { Midi } from '../helpers/tonejs';
import { tempDir } from '../helpers/tmp';

let store: Store;
beforeEach(() => {
  store = Store.open(path.join(tempDir(), 'lib.db'));
});
afterEach(() => store.close());

async function importInto(name: string, paths: string[]) {
  const corpus = store.corpora.create(name);
  const { sources, failed } = sourcesFromPaths(paths);
  return { corpus, summary: await importSources(store.corpora, corpus.id, sources, failed) };
}

type Note = [pitch: number, startTick: number, endTick: number, velocity: number];

/** Every note @tonejs/midi reads, sorted, with its velocity back on the 0-127 scale. */
function independentNotes(file: string): { notes: Note[]; durationTicks: number; ppq: number } {
  const midi = new Midi(fs.readFileSync(file));
  const notes: Note[] = midi.tracks.flatMap((t) =>
    t.notes.map((n) => [n.midi, n.ticks, n.ticks + n.durationTicks, Math.round(n.velocity * 127)] as Note),
  );
  return { notes: notes.sort(compare), durationTicks: midi.durationTicks, ppq: midi.header.ppq };
}

function compare(a: Note, b: Note): number {
  return a[1] - b[1] || a[0] - b[0] || a[2] - b[2] || a[3] - b[3];
}

function storedNotes(pieceId: number): Note[] {
  const piece = store.corpora.getPiece(pieceId);
  return piece.tracks
    .flatMap((t) => t.notes.pitch.map((p, i) => [p, t.notes.startTick[i]!, t.notes.endTick[i]!, t.notes.velocity[i]!] as Note))
    .sort(compare);
}

describe('importing the shared corpora', () => {
  it('stores every Nottingham jig note for note as an independent reader sees it', async () => {
    const files = midiFiles(JIGS);
    const { corpus, summary } = await importInto('Jigs', [JIGS]);
    expect(summary.failed).toEqual([]);
    expect(summary.imported + summary.duplicates).toBe(files.length);
    expect(summary.imported).toBeGreaterThan(370);

    const { pieces } = store.corpora.listPieces({ corpusId: corpus.id });
    let notes = 0;
    for (const piece of pieces) {
      const reference = independentNotes(path.join(JIGS, piece.sourceName));
      expect(storedNotes(piece.id), piece.sourceName).toEqual(reference.notes);
      notes += reference.notes.length;
    }
    expect(summary.notes).toBe(notes);
  });

  it('agrees with an independent reader on the piano and multitrack files, repairs aside', async () => {
    const { corpus, summary } = await importInto('Piano', [PIANO]);
    expect(summary.failed).toEqual([]);
    expect(summary.imported).toBe(midiFiles(PIANO).length);
    for (const piece of store.corpora.listPieces({ corpusId: corpus.id }).pieces) {
      const detail = store.corpora.getPiece(piece.id);
      const reference = independentNotes(path.join(PIANO, piece.sourceName));
      expect(detail.ppq).toBe(reference.ppq);
      const repaired = Object.values(detail.repairs).some((n) => n > 0 && n !== detail.repairs.missingEndOfTrack);
      if (!repaired) expect(storedNotes(piece.id), piece.sourceName).toEqual(reference.notes);
      else {
        // Overlapping same-pitch notes are split where they are struck again: counts may differ by those repairs.
        const diff = Math.abs(detail.noteCount - reference.notes.length);
        expect(diff, piece.sourceName).toBeLessThanOrEqual(detail.repairs.retriggeredNotes! + detail.repairs.orphanNoteOffs!);
      }
      // Seconds: the last note ends where the independent reader says, within a microsecond.
      const lastEnd = Math.max(...detail.tracks.flatMap((t) => t.notes.endSec));
      const midi = new Midi(fs.readFileSync(path.join(PIANO, piece.sourceName)));
      const refEnd = Math.max(...midi.tracks.flatMap((t) => t.notes.map((n) => n.time + n.duration)));
      expect(lastEnd, piece.sourceName).toBeCloseTo(refEnd, 6);
    }
  });

  it('keeps the original bytes, meter, tempo and instruments', async () => {
    const { corpus } = await importInto('Piano', [path.join(PIANO, 'symphony_7_2.mid'), path.join(JIGS, 'jigs1.mid')]);
    const pieces = store.corpora.listPieces({ corpusId: corpus.id }).pieces;
    const symphony = store.corpora.getPiece(pieces.find((p) => p.title === 'symphony_7_2')!.id);
    const original = store.corpora.original(symphony.id);
    expect(original.bytes.equals(fs.readFileSync(path.join(PIANO, 'symphony_7_2.mid')))).toBe(true);
    const reference = new Midi(original.bytes);
    expect(symphony.timeSignatures.map((t) => [t.numerator, t.denominator])).toEqual(
      reference.header.timeSignatures.map((t) => t.timeSignature),
    );
    // A tempo event that repeats the tempo in force is no change: the studio keeps changes only.
    const changes = reference.header.tempos.map((t) => Math.round(t.bpm)).filter((bpm, i, all) => i === 0 || all[i - 1] !== bpm);
    expect(symphony.tempos.map((t) => Math.round(60_000_000 / t.usPerQuarter))).toEqual(changes);
    const families = new Set(symphony.tracks.map((t) => t.family));
    expect(families.has('strings')).toBe(true);
    expect(families.has('brass')).toBe(true);
    const jig = pieces.find((p) => p.title === 'jigs1')!;
    expect(jig.meter).toBe('6/8');
  });

  it('skips and reports duplicates, within one import and across imports', async () => {
    const file = path.join(JIGS, 'jigs1.mid');
    const dir = tempDir();
    fs.copyFileSync(file, path.join(dir, 'copy of jigs1.mid'));
    const { corpus, summary } = await importInto('Dupes', [file, dir]);
    expect(summary).toMatchObject({ imported: 1, duplicates: 1 });
    const { sources, failed } = sourcesFromPaths([file]);
    const again = await importSources(store.corpora, corpus.id, sources, failed);
    expect(again).toMatchObject({ imported: 0, duplicates: 1 });
    expect(store.corpora.listPieces({ corpusId: corpus.id }).total).toBe(1);
  });
});
