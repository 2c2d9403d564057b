/**
 * Resolving a primer source into a passage: its notes from tick 0, and the timeline (tempo,
 * meter, key) the continuation is decoded into, so the result keeps the passage's feel.
 */
import { EtudeError } from '../../shared/errors';
import type { GenerationInfo, PrimerSource } from '../../shared/generation';
import type { KeyPoint, MeterPoint, TempoPoint, TrackRule } from '../../shared/library';
import { TempoMap } from '../../shared/music/tempo-map';
import { selectTracks } from '../corpus/track-rule';
import type { NoteEvent } from '../encode/types';
import { instrumentFamily } from '../midi/gm';
import { MidiParseError, parseMidi } from '../midi/smf';
import type { Store } from '../store/store';

export interface Passage {
  label: string;
  ppq: number;
  tempos: TempoPoint[];
  timeSignatures: MeterPoint[];
  keySignatures: KeyPoint[];
  /** Sorted by start then pitch, from tick 0. */
  notes: NoteEvent[];
  /** Where the passage ends (the seam), in ticks: the end of its last bar or time range. */
  endTick: number;
}

const DEFAULT_PPQ = 480;

/** Bar start ticks from the meters, up to and including the first bar at or after `until`. */
export function barStarts(meters: readonly MeterPoint[], ppq: number, until: number): number[] {
  const changes = meters.length > 0 && meters[0]!.tick === 0 ? [...meters] : [{ tick: 0, numerator: 4, denominator: 4 }, ...meters];
  const starts: number[] = [];
  let tick = 0;
  let c = 0;
  for (;;) {
    while (c + 1 < changes.length && changes[c + 1]!.tick <= tick) c++;
    starts.push(tick);
    if (tick >= until) return starts;
    const m = changes[c]!;
    tick += Math.max(1, Math.round((m.numerator * 4 * ppq) / m.denominator));
  }
}

/** The timeline points in effect from `from` on, moved so `from` becomes tick 0. */
function shiftPoints<T extends { tick: number }>(points: readonly T[], from: number, to: number): T[] {
  const before = points.filter((p) => p.tick <= from).at(-1);
  const inside = points.filter((p) => p.tick > from && p.tick < to);
  return [...(before ? [before] : []), ...inside].map((p) => ({ ...p, tick: Math.max(0, p.tick - from) }));
}

/** Cuts [from, to) out of a piece: notes starting inside (clipped at `to`), timeline shifted to 0. */
export function cutPassage(
  piece: { ppq: number; tempos: TempoPoint[]; timeSignatures: MeterPoint[]; keySignatures: KeyPoint[]; notes: NoteEvent[] },
  from: number,
  to: number,
  label: string,
): Passage {
  const tempos = shiftPoints(piece.tempos, from, to);
  const map = new TempoMap(piece.ppq, tempos);
  const notes = piece.notes
    .filter((n) => n.startTick >= from && n.startTick < to)
    .map((n) => {
      const startTick = n.startTick - from;
      const endTick = Math.min(n.endTick, to) - from;
      return { ...n, startTick, endTick, startSec: map.toSeconds(startTick), endSec: map.toSeconds(endTick) };
    });
  return {
    label,
    ppq: piece.ppq,
    tempos,
    timeSignatures: shiftPoints(piece.timeSignatures, from, to),
    keySignatures: shiftPoints(piece.keySignatures, from, to),
    notes,
    endTick: to - from,
  };
}

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
      const tracks = midi.tracks.map((t, position) => ({
        ...t,
        position,
        family: instrumentFamily(t.program, t.isDrum),
        noteCount: t.notes.pitch.length,
      }));
      const notes: NoteEvent[] = [];
      // The model's corpus rule picks the tracks; a file it picks nothing from gives all its pitched tracks.
      const chosen = selectTracks(tracks, trackRule);
      for (const t of chosen.length > 0 ? chosen : selectTracks(tracks, { kind: 'non-drum' })) {
        const n = t.notes;
        for (let i = 0; i < n.pitch.length; i++) {
          notes.push({ pitch: n.pitch[i]!, velocity: n.velocity[i]!, startTick: n.startTick[i]!, endTick: n.endTick[i]!, startSec: n.startSec[i]!, endSec: n.endSec[i]!, program: t.program });
        }
      }
      if (notes.length === 0) throw new EtudeError('invalid_input', `${source.name} has no pitched notes to continue`);
      notes.sort((a, b) => a.startTick - b.startTick || a.pitch - b.pitch);
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
