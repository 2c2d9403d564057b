/**
 * Resolving a primer source into a passage: its notes from tick 0, and the timeline (tempo,
 * meter, key) the continuation is decoded into, so the result keeps the passage's feel.
 */
import { EtudeError } from '../../shared/errors';
import type { GenerationInfo, PrimerSource } from '../../shared/generation';
import type { TrackRule } from '../../shared/library';
import { barStarts } from '../../shared/music/bars';
import { instrumentFamily } from '../../shared/music/instruments';
import type { NoteEvent } from '../../shared/music/notes';
import { cutPassage, type Passage } from '../../shared/music/passage';
import { TempoMap } from '../../shared/music/tempo-map';
import { notesOf } from '../../shared/music/tracks';
import { parseMidi, type ParsedMidi } from '../midi/smf';
import type { FilePiece } from '../parse/read-file';
import type { Store } from '../store/store';

export type { Passage };

const DEFAULT_PPQ = 480;
/** Notes a primer may hold: far more than a model's window reads, and than any real piece holds (a long piano sonata has ~20,000). */
export const MAX_PRIMER_NOTES = 50_000;

/** What reads a dropped MIDI file away from the engine's event loop (the engine's file reader). */
export interface PrimerReader {
  read(name: string, bytes: Uint8Array): Promise<FilePiece[]>;
}

/** The latest end among notes, or `floor`: a loop, since spreading 150,000 notes into Math.max overflows the stack. */
function lastEnd(notes: readonly { endTick: number }[], floor: number): number {
  let end = floor;
  for (const n of notes) if (n.endTick > end) end = n.endTick;
  return end;
}

/** A passage, refused by name when it holds more notes than a primer may. */
export async function resolvePrimer(store: Store, source: PrimerSource, trackRule: TrackRule, reader?: PrimerReader): Promise<Passage> {
  const passage = await passageOf(store, source, trackRule, reader);
  if (passage.notes.length > MAX_PRIMER_NOTES) {
    throw new EtudeError(
      'invalid_input',
      `${passage.label} holds ${passage.notes.length.toLocaleString('en')} notes; a primer may hold at most ${MAX_PRIMER_NOTES.toLocaleString('en')}: choose fewer bars or seconds`,
    );
  }
  return passage;
}

/** A dropped MIDI file, read by the file reader (a 15 MB file took the engine's loop for seconds), else here. */
async function readPrimerMidi(name: string, bytes: Uint8Array, reader: PrimerReader | undefined): Promise<ParsedMidi> {
  try {
    if (!reader) return parseMidi(bytes);
    // The reader picks MIDI or ABC by extension: a primer is always MIDI.
    const [piece] = await reader.read(`${name}.mid`, bytes);
    if (!piece) throw new Error('it holds no piece');
    return piece.midi;
  } catch (err) {
    throw new EtudeError('invalid_input', `${name} is not a MIDI file we can read: ${(err as Error).message}`);
  }
}

async function passageOf(store: Store, source: PrimerSource, trackRule: TrackRule, reader: PrimerReader | undefined): Promise<Passage> {
  switch (source.kind) {
    case 'piece': {
      const { title, piece } = store.corpora.encodable(source.pieceId, trackRule);
      const corpus = store.corpora.corpusOfPiece(source.pieceId);
      const end = lastEnd(piece.notes, Math.max(piece.durationTicks, 1));
      if (source.bars) {
        const starts = barStarts(piece.timeSignatures, piece.ppq, end);
        const bars = starts.length - 1;
        const [a, b] = source.bars;
        if (a > bars) throw new EtudeError('invalid_input', `"${title}" has ${bars} bars; the passage starts at bar ${a}`);
        const last = Math.min(b, bars);
        return cutPassage(piece, starts[a - 1]!, starts[last]!, `${corpus}/${title}@bars=${a}-${last}`);
      }
      if (source.seconds) {
        const map = new TempoMap(piece.ppq, piece.tempos);
        const [from, to] = source.seconds.map((s) => Math.round(map.toTicks(s))) as [number, number];
        if (from >= end) throw new EtudeError('invalid_input', `"${title}" ends before ${source.seconds[0]} s`);
        return cutPassage(piece, from, Math.min(to, end), `${corpus}/${title}@seconds=${source.seconds[0]}-${source.seconds[1]}`);
      }
      return cutPassage(piece, 0, end, `${corpus}/${title}`);
    }
    case 'midi': {
      const midi = await readPrimerMidi(source.name, Buffer.from(source.data, 'base64'), reader);
      const tracks = midi.tracks.map((t, position) => ({ ...t, position, family: instrumentFamily(t.program, t.isDrum), noteCount: t.notes.pitch.length }));
      // The model's corpus rule picks the tracks; a file it picks nothing from gives all its pitched tracks.
      const notes = notesOf(tracks, trackRule, (t) => t.notes, { kind: 'non-drum' });
      if (notes.length === 0) throw new EtudeError('invalid_input', `${source.name} has no pitched notes to continue`);
      const end = lastEnd(notes, midi.durationTicks);
      return cutPassage({ ...midi, notes }, 0, end, source.name);
    }
    case 'generation': {
      const g: GenerationInfo = store.generations.get(source.generationId);
      const take = g.takes[source.take];
      if (!take) throw new EtudeError('invalid_input', `generation ${g.id} has ${g.takes.length} takes; there is no take ${source.take + 1}`);
      const end = lastEnd(take.notes, take.seamTick);
      return cutPassage({ ppq: g.ppq, tempos: g.tempos, timeSignatures: g.timeSignatures, keySignatures: [], notes: take.notes }, 0, end, `${g.name}, take ${source.take + 1}`);
    }
    case 'none':
      return { label: 'no primer', ppq: DEFAULT_PPQ, tempos: [], timeSignatures: [], keySignatures: [], notes: [], endTick: 0 };
    case 'note': {
      // Seed 002 began from a window of silence and one note: a bar of rest, then the note for a beat.
      const q = DEFAULT_PPQ;
      const map = new TempoMap(q, []);
      const note: NoteEvent = { pitch: source.pitch, velocity: 100, startTick: 4 * q, endTick: 5 * q, startSec: map.toSeconds(4 * q), endSec: map.toSeconds(5 * q), program: 0 };
      return { label: `silence and one note (${source.pitch})`, ppq: q, tempos: [], timeSignatures: [], keySignatures: [], notes: [note], endTick: 5 * q };
    }
  }
}
