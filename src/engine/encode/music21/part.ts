/**
 * One MIDI track as music21 9.9 makes a Part of it (midi.translate.midiTrackToStream), reduced to
 * what seed 000's tokens depend on: which notes become chords, where each lands after
 * quantisation, where bar lines split them into tied pieces, and the order the pieces come out
 * in when the part is flattened. Read from music21's source; none of its code is used.
 *
 * - Chords: a note gathers the later notes that start within a sixteenth of a beat of it (strictly)
 *   and end within a sixteenth of it; one that starts with it but ends elsewhere stays its own
 *   note (and the track then needs voices). A note already gathered can be gathered again by a
 *   later note, as music21 does. A chord takes its first note's start and its last note's length.
 * - Times are quantised (see quantize.ts); a note of no length is a grace note.
 * - Measures follow the meter in force at each bar line (music21 applies a meter change at the
 *   next bar line); a note crossing one is split, and each piece is a token.
 * - Order: by place in time, grace notes first, then the order the flattened part inserted them:
 *   measure by measure; in a measure with voices, voice by voice; a tied-over piece after the
 *   notes that start on that bar line (in the first voice when only the next measure has voices).
 */
import { normalOrder, pitchName } from '../pitch-names';
import { quantizeLength, quantizeLengthBefore, quantizeTicks, UNITS } from './quantize';

const PERCUSSION_CHANNEL = 9;

/** A note as music21's getNotesFromEvents pairs it: in the order its note-on stands in the file. */
export interface TimedNote {
  on: number;
  off: number;
  pitch: number;
  channel: number;
}

export interface Meter {
  tick: number;
  numerator: number;
  denominator: number;
}

/** A note or chord (or a tied piece of one) of the flattened part. */
export interface PartElement {
  /** Seed 000's token; null for percussion, which seed 000 does not read. */
  token: string | null;
  /** Quantised start, in UNITS. */
  offset: number;
  grace: boolean;
  /** Order among elements that start together. */
  rank: number;
}

interface Piece {
  token: string | null;
  offset: number;
  length: number;
  grace: boolean;
  /** Insertion order into the stream that holds it (music21 breaks sort ties by it). */
  inserted: number;
}

interface Measure {
  start: number;
  end: number;
  /** The measure's own elements (all of them when it has no voices). */
  direct: Piece[];
  voices: Piece[][] | null;
  /** When the measure's voices were inserted, for ordering them against direct elements. */
  voicesInserted: number;
}

let insertions = 0;
const nextInsertion = () => ++insertions;

/** Notes gathered into chords as midiTrackToStream does; the flag says whether voices are needed. */
function gatherChords(notes: readonly TimedNote[], ppq: number): { pieces: Piece[]; voicesRequired: boolean } {
  const tolerance = ppq / 4;
  const gathered = new Uint8Array(notes.length);
  const pieces: Piece[] = [];
  let voicesRequired = false;
  notes.forEach((head, i) => {
    if (gathered[i]) return;
    const group = [head];
    for (let j = i + 1; j < notes.length; j++) {
      const other = notes[j]!;
      if (Math.abs(other.on - head.on) >= tolerance) break;
      if (Math.abs(other.off - head.off) > tolerance) {
        voicesRequired = true;
        continue;
      }
      group.push(other);
      gathered[j] = 1;
    }
    const last = group.at(-1)!;
    const ticks = last.off - last.on;
    const percussion = group.some((n) => n.channel === PERCUSSION_CHANNEL);
    const token = percussion ? null : group.length === 1 ? pitchName(head.pitch) : normalOrder(group.map((n) => n.pitch)).join('.');
    pieces.push({ token, offset: head.on, length: ticks, grace: ticks === 0, inserted: nextInsertion() });
  });
  return { pieces, voicesRequired };
}

const byPlace = (a: Piece, b: Piece) => a.offset - b.offset || Number(b.grace) - Number(a.grace) || a.inserted - b.inserted;

/** Bar lines in UNITS: each bar as long as the meter in force where it starts. */
function* barLines(meters: readonly Meter[], ppq: number): Generator<{ start: number; end: number }> {
  const sorted = [...meters].sort((a, b) => a.tick - b.tick);
  let start = 0;
  for (;;) {
    let meter: Meter = { tick: 0, numerator: 4, denominator: 4 };
    for (const m of sorted) if ((m.tick / ppq) * UNITS <= start) meter = m;
    const length = Math.max(1, Math.round((meter.numerator * 4 * UNITS) / meter.denominator));
    yield { start, end: start + length };
    start += length;
  }
}

/** Puts the (sorted) elements into measures, as many as they reach into. */
function makeMeasures(pieces: Piece[], meters: readonly Meter[], ppq: number): Measure[] {
  const measures: Measure[] = [];
  const lastEnd = pieces.reduce((max, p) => Math.max(max, p.offset + p.length), 0);
  const lines = barLines(meters, ppq);
  let k = 0;
  for (const bar of lines) {
    const measure: Measure = { ...bar, direct: [], voices: null, voicesInserted: 0 };
    while (k < pieces.length && pieces[k]!.offset < bar.end) measure.direct.push({ ...pieces[k++]!, inserted: nextInsertion() });
    measures.push(measure);
    if (k >= pieces.length && bar.end >= lastEnd) break;
  }
  return measures;
}

function overlaps(notes: readonly Piece[]): boolean {
  for (let i = 0; i < notes.length; i++) {
    for (let j = i + 1; j < notes.length; j++) {
      const a = notes[i]!;
      const b = notes[j]!;
      if (a.offset === b.offset || (a.offset < b.offset + b.length && b.offset < a.offset + a.length)) return true;
    }
  }
  return false;
}

/** Measure.makeVoices: each note, in order, into the first voice that has finished sounding by its start. */
function makeVoices(measure: Measure): void {
  const notes = [...measure.direct].sort(byPlace);
  if (!overlaps(notes)) return;
  const voices: { pieces: Piece[]; highest: number }[] = [];
  for (const note of notes) {
    let voice = voices.find((v) => v.highest <= note.offset);
    if (!voice) voices.push((voice = { pieces: [], highest: 0 }));
    voice.pieces.push({ ...note, inserted: nextInsertion() });
    voice.highest = Math.max(voice.highest, note.offset + note.length);
  }
  measure.direct = [];
  measure.voices = voices.map((v) => v.pieces);
  measure.voicesInserted = nextInsertion();
}

/** The next measure's stream a tied-over piece goes into (music21's makeTies voice bridging). */
function destination(from: Measure, next: Measure, nextHadVoices: boolean): Piece[] {
  if (nextHadVoices) {
    // Voice ids made by makeVoices never match between measures: the piece lands in the measure itself.
    return from.voices ? next.direct : next.voices![0]!;
  }
  if (from.voices) {
    // The next measure's notes move into a voice of their own, and the piece joins them there.
    if (!next.voices) {
      next.voices = [next.direct];
      next.direct = [];
      next.voicesInserted = nextInsertion();
    }
    return next.voices[0]!;
  }
  return next.direct;
}

/** Stream.makeTies: what sounds past a bar line is cut there and carried into the next measure (made when needed). */
function makeTies(measures: Measure[], meters: readonly Meter[], ppq: number): void {
  for (let m = 0; m < measures.length; m++) {
    const measure = measures[m]!;
    const nextHadVoices = measures[m + 1]?.voices != null;
    for (const stream of measure.voices ?? [measure.direct]) {
      for (const piece of [...stream].sort(byPlace)) {
        const end = piece.offset + piece.length;
        if (end <= measure.end || piece.offset >= measure.end) continue;
        if (m + 1 === measures.length) measures.push({ ...barAfter(measure.end, meters, ppq), direct: [], voices: null, voicesInserted: 0 });
        const rest: Piece = { ...piece, offset: measure.end, length: end - measure.end, inserted: nextInsertion() };
        piece.length = measure.end - piece.offset;
        destination(measure, measures[m + 1]!, nextHadVoices).push(rest);
      }
    }
  }
}

function barAfter(start: number, meters: readonly Meter[], ppq: number): { start: number; end: number } {
  for (const bar of barLines(meters, ppq)) if (bar.start >= start) return bar;
  throw new Error('unreachable: bar lines never end');
}

/**
 * makeRests' last step: each measure is laid after the one before it, as long as its bar or as
 * what it holds, whichever is longer. A piece carried into a measure with voices is not cut again
 * at its bar line (makeTies looks only in the voices), so that measure runs long and the track's
 * later measures move later by as much.
 */
function relayout(measures: Measure[]): void {
  let at = measures[0]?.start ?? 0;
  for (const m of measures) {
    const pieces = [...m.direct, ...(m.voices ?? []).flat()];
    const high = Math.max(m.end - m.start, ...pieces.map((p) => p.offset - m.start + p.length));
    const shift = at - m.start;
    if (shift !== 0) for (const p of pieces) p.offset += shift;
    m.start += shift;
    m.end += shift;
    at += high;
  }
}

/** The flattened part: every piece with its place and its order among those that start with it. */
function flatten(measures: readonly Measure[]): PartElement[] {
  const out: PartElement[] = [];
  for (const measure of measures) {
    const items: { offset: number; grace: boolean; inserted: number; pieces: Piece[] }[] = measure.direct.map((p) => ({ offset: p.offset, grace: p.grace, inserted: p.inserted, pieces: [p] }));
    for (const voice of measure.voices ?? []) items.push({ offset: measure.start, grace: false, inserted: measure.voicesInserted, pieces: [...voice].sort(byPlace) });
    items.sort((a, b) => a.offset - b.offset || Number(b.grace) - Number(a.grace) || a.inserted - b.inserted);
    for (const item of items) for (const p of item.pieces) out.push({ token: p.token, offset: p.offset, grace: p.grace, rank: out.length });
  }
  return out.sort((a, b) => a.offset - b.offset || Number(b.grace) - Number(a.grace) || a.rank - b.rank);
}

/** The first of the sorted places above `at`, by halving. */
function firstAbove(sorted: readonly number[], at: number): number | undefined {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! > at) hi = mid;
    else lo = mid + 1;
  }
  return sorted[lo];
}

/**
 * A track's notes (in file order) as the elements of music21's flattened part. `marks` are the
 * ticks of the track's other elements when it is quantised (its instruments, meters, tempos and
 * keys): a note's length is quantised knowing the gap to the next element, notes or marks. Null
 * is encoding version 2's reading, which quantised each length alone.
 */
export function partElements(notes: readonly TimedNote[], ppq: number, meters: readonly Meter[], marks: readonly number[] | null = []): PartElement[] {
  if (notes.length === 0) return [];
  const { pieces, voicesRequired } = gatherChords(notes, ppq);
  if (marks === null) {
    for (const p of pieces) {
      p.offset = quantizeTicks(p.offset, ppq);
      p.length = quantizeLength(p.length, ppq, p.grace);
    }
  } else {
    // The next element's place after each quantised place: the gap music21's look-ahead finds.
    const places = [...new Set([...pieces.map((p) => p.offset), ...marks].map((t) => quantizeTicks(t, ppq)))].sort((a, b) => a - b);
    for (const p of pieces) {
      p.offset = quantizeTicks(p.offset, ppq);
      const next = firstAbove(places, p.offset);
      p.length = quantizeLengthBefore(p.length, ppq, p.grace, next === undefined ? null : next - p.offset);
    }
  }
  pieces.sort(byPlace);
  const measures = makeMeasures(pieces, meters, ppq);
  if (voicesRequired) for (const m of measures) makeVoices(m);
  makeTies(measures, meters, ppq);
  if (marks !== null) relayout(measures);
  return flatten(measures);
}
