/**
 * Seed 000's tokens as its get_notes() produces them with music21 9.9.2: the MIDI file read as
 * music21 reads it, `partitionByInstrument(...).parts[0]`, each Note its pitch name and each Chord
 * its normal order. Checked against what music21 itself produced for the reference files in
 * test/fixtures/seed000-music21 and the probe files in test/fixtures/music21-probes
 * (test/integration/seed-music21.test.ts).
 */
import type { PieceNotes } from '../../../shared/music/notes';
import { parseMidi, type SmfEvent } from '../../midi/smf';
import { firstPartSpans, spanHolds, trackInstruments, type InstrumentSource, type TrackSpan } from './instruments';
import * as v2 from './instruments-v2';
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

/**
 * Which version of the reading: "music21" is music21's own instrument rules; "music21-v2" is the
 * reading of encoding version 2 (a name always an instrument of its own, no merging across a
 * track), kept for the vocabularies and model files built with it.
 */
export type SeedReadingVersion = 'music21' | 'music21-v2';

/** The ticks of a track's elements other than notes, which music21's quantising looks ahead to (null: version 2, which did not). */
function marksOf(events: readonly SmfEvent[], version: SeedReadingVersion): number[] | null {
  if (version !== 'music21') return null;
  const sources = events.filter((e): e is Extract<SmfEvent, InstrumentSource> => e.type === 'program' || e.type === 'name');
  return [...trackInstruments(sources).map((i) => i.tick), ...events.filter((e) => e.type === 'meter' || e.type === 'mark').map((e) => e.tick)];
}

/** The first part's spans of each track, by the rules of the reading's version. */
function spansOf(tracks: readonly (readonly SmfEvent[])[], ppq: number, version: SeedReadingVersion): TrackSpan[][] {
  const sources = tracks.map((events) => events.filter((e): e is Extract<SmfEvent, InstrumentSource> => e.type === 'program' || e.type === 'name'));
  if (version === 'music21') return firstPartSpans(sources.map(trackInstruments), ppq);
  const old = sources.map((events) =>
    v2.deduplicate(events.map((e) => (e.type === 'program' ? v2.programInstrument(e.tick, e.channel, e.program) : v2.namedInstrument(e.tick, e.text)))),
  );
  return v2.firstPartSpans(old, ppq);
}

const metersOf = (events: readonly SmfEvent[]): Meter[] =>
  events.filter((e): e is Extract<SmfEvent, { type: 'meter' }> => e.type === 'meter').map(({ tick, numerator, denominator }) => ({ tick, numerator, denominator }));

function tokensOf(elements: readonly PartElement[]): string[] {
  return elements.flatMap((e) => (e.token === null ? [] : [e.token]));
}

/** The tokens of a MIDI file, read as seed 000 read it. Throws what parseMidi throws. */
export function seedReadingOfMidi(bytes: Uint8Array, version: SeedReadingVersion = 'music21'): SeedReading {
  const chunks: Chunk[] = [];
  const { ppq } = parseMidi(bytes, (chunk, event) => (chunks[chunk] ??= { events: [] }).events.push(event));
  // Tracks without notes make the conductor part: their meters reach the note tracks after them.
  const conductorMeters: Meter[] = [];
  const parts: { elements: PartElement[]; events: SmfEvent[] }[] = [];
  for (const chunk of chunks) {
    if (!chunk) continue;
    if (!chunk.events.some((e) => e.type === 'on')) {
      conductorMeters.push(...metersOf(chunk.events));
      continue;
    }
    const meters = conductorMeters.length > 0 ? [...conductorMeters] : metersOf(chunk.events);
    parts.push({ elements: partElements(timedNotes(chunk.events), ppq, meters, marksOf(chunk.events, version)), events: chunk.events });
  }
  const spans = spansOf(
    parts.map((p) => p.events),
    ppq,
    version,
  );
  const chosen = parts.flatMap((part, track) => part.elements.filter((e) => spans[track]!.some((s) => spanHolds(s, e.offset, e.grace))).map((e) => ({ ...e, track })));
  chosen.sort((a, b) => a.offset - b.offset || Number(b.grace) - Number(a.grace) || a.track - b.track || a.rank - b.rank);
  const tokens = tokensOf(chosen);
  if (tokens.length > 0 || parts.length === 0) return { tokens };
  const covered = spans.some((track) => track.some((s) => s.to > s.from));
  if (covered) return { tokens, empty: "music21's first instrument part holds only percussion or nothing at all" };
  return {
    tokens,
    empty:
      version === 'music21'
        ? "music21's first instrument part is empty: its instrument gives way at the same tick to one music21 names differently " +
          '(a track named "Piano right" then a program change, which music21 calls "Piano")'
        : "music21's first instrument part is empty: another instrument takes over at the tick it starts (a track name followed by a program change)",
  };
}

/** The tokens of notes without their file (an ABC tune, a passage being continued): one track, in start then pitch order. */
export function seedReadingOfNotes(piece: Pick<PieceNotes, 'ppq' | 'timeSignatures' | 'notes'>, version: SeedReadingVersion = 'music21'): SeedReading {
  const notes: TimedNote[] = piece.notes.map((n) => ({ on: n.startTick, off: n.endTick, pitch: n.pitch, channel: 0 }));
  return { tokens: tokensOf(partElements(notes, piece.ppq, piece.timeSignatures, version === 'music21' ? [] : null)) };
}
