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
import { MidiParseError, parseMidi } from '../midi/smf';
import type { Store } from '../store/store';

export type { Passage };

const DEFAULT_PPQ = 480;

export function resolvePrimer(store: Store, source: PrimerSource, trackRule: TrackRule): Passage {
  switch (source.kind) {
    case 'piece': {
      const { title, piece } = store.corpora.encodable(source.pieceId, trackRule);
      const corpus = store.corpora.corpusOfPiece(source.pieceId);
      const end = Math.max(piece.durationTicks, ...piece.notes.map((n) => n.endTick), 1);
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
      let midi;
      try {
        midi = parseMidi(Buffer.from(source.data, 'base64'));
      } catch (err) {
        const reason = err instanceof MidiParseError ? err.message : String(err);
        throw new EtudeError('invalid_input', `${source.name} is not a MIDI file we can read: ${reason}`);
      }
      const tracks = midi.tracks.map((t, position) => ({ ...t, position, family: instrumentFamily(t.program, t.isDrum), noteCount: t.notes.pitch.length }));
      // The model's corpus rule picks the tracks; a file it picks nothing from gives all its pitched tracks.
      const notes = notesOf(tracks, trackRule, (t) => t.notes, { kind: 'non-drum' });
      if (notes.length === 0) throw new EtudeError('invalid_input', `${source.name} has no pitched notes to continue`);
      const end = Math.max(midi.durationTicks, ...notes.map((n) => n.endTick));
      return cutPassage({ ...midi, notes }, 0, end, source.name);
    }
    case 'generation': {
      const g: GenerationInfo = store.generations.get(source.generationId);
      const take = g.takes[source.take];
      if (!take) throw new EtudeError('invalid_input', `generation ${g.id} has ${g.takes.length} takes; there is no take ${source.take + 1}`);
      const end = Math.max(take.seamTick, ...take.notes.map((n) => n.endTick));
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
