/**
 * Seed 000's tokens as its get_notes() produces them with music21 9.9.2: the MIDI file read as
 * music21 reads it, `partitionByInstrument(...).parts[0]`, each Note its pitch name and each Chord
 * its normal order. Checked against what music21 itself produced for the files in
 * ../shared/reference/seed000-music21 (test/integration/seed-music21.test.ts).
 */
import type { PieceNotes } from '../../../shared/music/notes';
import { parseMidi, type SmfEvent } from '../../midi/smf';
import { deduplicate, firstPartSpans, namedInstrument, programInstrument, type InstrumentEvent } from './instruments';
import { partElements, type Meter, type PartElement, type TimedNote } from './part';

export interface SeedReading {
  tokens: string[];
  /** Why a file with notes gives no tokens, in words; absent when it gives some. */
  empty?: string;
}

interface Chunk {
  events: SmfEvent[];
}

/** music21's getNotesFromEvents: each note-on with the first release of its key and channel after it. */
function timedNotes(events: readonly SmfEvent[]): TimedNote[] {
  const awaiting = new Map<number, number>();
  const notes: TimedNote[] = [];
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.type === 'off') awaiting.set(e.channel * 128 + e.pitch, e.tick);
    else if (e.type === 'on') {
      const off = awaiting.get(e.channel * 128 + e.pitch);
      if (off !== undefined) notes.push({ on: e.tick, off, pitch: e.pitch, channel: e.channel });
    }
  }
  return notes.reverse();
}

function instrumentsOf(events: readonly SmfEvent[]): InstrumentEvent[] {
  const out: InstrumentEvent[] = [];
  for (const e of events) {
    if (e.type === 'program') out.push(programInstrument(e.tick, e.channel, e.program));
    else if (e.type === 'name') out.push(namedInstrument(e.tick, e.text));
  }
  return deduplicate(out);
}

const metersOf = (events: readonly SmfEvent[]): Meter[] =>
  events.filter((e): e is Extract<SmfEvent, { type: 'meter' }> => e.type === 'meter').map(({ tick, numerator, denominator }) => ({ tick, numerator, denominator }));

function tokensOf(elements: readonly PartElement[]): string[] {
  return elements.flatMap((e) => (e.token === null ? [] : [e.token]));
}

/** The tokens of a MIDI file, read as seed 000 read it. Throws what parseMidi throws. */
export function seedReadingOfMidi(bytes: Uint8Array): SeedReading {
  const chunks: Chunk[] = [];
  const { ppq } = parseMidi(bytes, (chunk, event) => (chunks[chunk] ??= { events: [] }).events.push(event));
  // Tracks without notes make the conductor part: their meters reach the note tracks after them.
  const conductorMeters: Meter[] = [];
  const parts: { elements: PartElement[]; instruments: InstrumentEvent[] }[] = [];
  for (const chunk of chunks) {
    if (!chunk) continue;
    if (!chunk.events.some((e) => e.type === 'on')) {
      conductorMeters.push(...metersOf(chunk.events));
      continue;
    }
    const meters = conductorMeters.length > 0 ? [...conductorMeters] : metersOf(chunk.events);
    parts.push({ elements: partElements(timedNotes(chunk.events), ppq, meters), instruments: instrumentsOf(chunk.events) });
  }
  const spans = firstPartSpans(
    parts.map((p) => p.instruments),
    ppq,
  );
  const chosen = parts.flatMap((part, track) =>
    part.elements.filter((e) => spans[track]!.some((s) => e.offset >= s.from && e.offset < s.to)).map((e) => ({ ...e, track })),
  );
  chosen.sort((a, b) => a.offset - b.offset || Number(b.grace) - Number(a.grace) || a.track - b.track || a.rank - b.rank);
  const tokens = tokensOf(chosen);
  if (tokens.length > 0 || parts.length === 0) return { tokens };
  const covered = spans.some((s) => s.length > 0);
  return {
    tokens,
    empty: covered
      ? "music21's first instrument part holds only percussion or nothing at all"
      : "music21's first instrument part is empty: another instrument takes over at the tick it starts (a track name followed by a program change)",
  };
}

/** The tokens of notes without their file (an ABC tune, a passage being continued): one track, in start then pitch order. */
export function seedReadingOfNotes(piece: Pick<PieceNotes, 'ppq' | 'timeSignatures' | 'notes'>): SeedReading {
  const notes: TimedNote[] = piece.notes.map((n) => ({ on: n.startTick, off: n.endTick, pitch: n.pitch, channel: 0 }));
  return { tokens: tokensOf(partElements(notes, piece.ppq, piece.timeSignatures)) };
}
