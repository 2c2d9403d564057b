/**
 * The encoding and model the studio recommends for a corpus, read from its music. The corpus is
 * measured (the grids its onsets and lengths sit on, its longest notes, how many notes sound at
 * once, its size) and the reading chosen is one whose round trip keeps every note wherever one of
 * our exactly scorable encodings can: chords on a coarse grid frame by frame, pitch by pitch
 * (`frame-pitches`); melodies, fine rhythms and anything frames would merge as events. Where none
 * keeps everything, the least lossy, with what it loses in words. The model is the LSTM: on this
 * machine it learns these corpora fastest.
 */
import type { Recommendation } from '../../shared/training';
import { architectureOf } from '../models/registry';
import type { Store } from '../store/store';
import { measureCorpus, type CorpusMeasure, type GridFit } from './measure-corpus';

/** Notes sounding together, on average while any sounds, that make a texture of chords. */
const CHORDAL = 1.5;
/** Grids finer than this write too many frames a beat for a frame-by-frame encoding to pay. */
const FINEST_FRAME_GRID = 4;
/** Share of notes one step long that makes a finer grid the music's own step. */
const OWN_STEP_SHARE = 0.2;
/** The finest grid events write (its positions a beat). */
const EVENTS_FINEST = 24;
/** Semitones a window may be transposed, either way, for music in several keys. */
const TRANSPOSE = 3;

/** A grid in words: "half a beat", not "1/2". */
export function gridWords(perBeat: number): string {
  const words: Record<number, string> = {
    1: 'a beat',
    2: 'half a beat',
    3: 'a third of a beat',
    4: 'a quarter beat',
    5: 'a fifth of a beat',
    6: 'a sixth of a beat',
    8: 'an eighth of a beat',
    12: 'a twelfth of a beat',
    16: 'a sixteenth of a beat',
    24: 'a 24th of a beat',
  };
  return words[perBeat] ?? `1/${perBeat} of a beat`;
}

const count = (n: number) => n.toLocaleString('en-US');
const beats = (b: number) => (b >= 10 ? String(Math.round(b)) : String(Math.round(b * 100) / 100));

interface Candidate {
  encoding: 'frame-pitches' | 'events';
  params: Recommendation['params'];
  fit: GridFit;
  /** Notes its round trip does not bring back unchanged. */
  lost: number;
}

function framesCandidate(fit: GridFit): Candidate {
  // Onset marks only where the music repeats a note: otherwise every held pitch is already told apart.
  const onsets = fit.restrikes > 0;
  return { encoding: 'frame-pitches', params: { perBeat: fit.perBeat, onsets }, fit, lost: fit.offGrid + fit.tooShort + fit.framesMerged };
}

function eventsCandidate(fit: GridFit): Candidate {
  return { encoding: 'events', params: { positionsPerBeat: fit.perBeat }, fit, lost: fit.offGrid + fit.tooShort };
}

/** What a lossy reading loses, in words, with counts. */
function lossWords(c: Candidate, shape: CorpusMeasure): string {
  const parts: string[] = [];
  const share = (n: number) => `${count(n)} of ${count(shape.notes)} notes (${((100 * n) / shape.notes).toFixed(2)}%)`;
  if (c.fit.offGrid > 0) parts.push(`${share(c.fit.offGrid)} start or end off every grid up to ${gridWords(c.fit.perBeat)} and move to the nearest step`);
  if (c.fit.tooShort > 0) parts.push(`${share(c.fit.tooShort)} are shorter than a step (drum hits, grace notes) and are lengthened to one`);
  if (c.encoding === 'frame-pitches' && c.fit.framesMerged > 0) parts.push(`${share(c.fit.framesMerged)} overlap another note of the same pitch and merge with it`);
  return parts.join('; ');
}

function describeGrid(c: Candidate, shape: CorpusMeasure): string {
  return c.lost === 0
    ? `Every onset and length of its ${count(shape.notes)} notes sits on a grid of ${gridWords(c.fit.perBeat)}`
    : `No grid holds every note`;
}

function texture(shape: CorpusMeasure): string {
  return shape.maxSounding <= 1
    ? 'one note at a time'
    : `up to ${shape.maxSounding} notes sound at once (${shape.meanSounding.toFixed(1)} on average)`;
}

export function recommendFrom(shape: CorpusMeasure): Pick<Recommendation, 'encoding' | 'params' | 'reasons' | 'roundTrip'> {
  if (shape.notes === 0) {
    return { encoding: 'events', params: { positionsPerBeat: 4 }, reasons: ['The corpus has no notes in the tracks its rule takes yet, so it is read as events on a grid of a quarter beat, the studio\'s default.'], roundTrip: { notes: 0, exact: 0 } };
  }
  const chordal = shape.meanSounding >= CHORDAL;
  // Coarsest first: the fewest steps a beat that still keep every note.
  // A finer grid pays for frames only where it is the music's own step (music written from frames at it).
  const framesPay = (g: GridFit) => g.perBeat <= FINEST_FRAME_GRID || (g.perBeat === shape.exactGrid && g.oneStep >= OWN_STEP_SHARE * shape.notes);
  const frameOptions = shape.grids.filter(framesPay).map(framesCandidate);
  const eventOptions = shape.grids.filter((g) => g.perBeat <= EVENTS_FINEST).map(eventsCandidate);
  const exactFrames = frameOptions.find((c) => c.lost === 0);
  const exactEvents = eventOptions.find((c) => c.lost === 0);
  let chosen: Candidate;
  const reasons: string[] = [];
  const facts = `${texture(shape)}; the longest note lasts ${beats(shape.longestBeats)} beats; ${count(shape.pieces)} pieces`;
  if (chordal && exactFrames) {
    chosen = exactFrames;
    reasons.push(
      `${describeGrid(chosen, shape)}; ${facts}. So it is written frame by frame, each chord pitch by pitch (chords that share notes share what the model learns), and a round trip keeps every note.`,
      chosen.params.onsets ? `Some notes are struck again where the same pitch ended (${count(chosen.fit.restrikes)}), so struck pitches are marked.` : 'No note is struck again where the same pitch ended, so frames need no onset marks.',
    );
  } else if (exactEvents) {
    chosen = exactEvents;
    const why = !chordal
      ? 'Mostly single notes'
      : exactFrames === undefined && frameOptions.length > 0 && frameOptions.every((c) => c.fit.offGrid + c.fit.tooShort === 0)
        ? 'Notes of one pitch overlap, which frames would merge'
        : `Chords on a grid finer than frames pay for`;
    reasons.push(
      `${describeGrid(chosen, shape)}; ${facts}. ${why}, so it is written as events (bar, position, pitch, length${shape.longestBeats > 8 ? ', long notes held whole' : ''}) on that grid, and a round trip keeps every note.`,
    );
  } else {
    // Nothing keeps everything: the least lossy, the coarsest of equals, chords as frames on a tie.
    const options = [...(chordal ? frameOptions : []), ...eventOptions];
    chosen = options.reduce((best, c) => (c.lost < best.lost ? c : best));
    reasons.push(
      `No reading keeps every note: ${lossWords(chosen, shape)}. ${texture(shape)[0]!.toUpperCase()}${facts.slice(1)}. The least lossy reading is ${chosen.encoding === 'events' ? 'events' : 'frame by frame, pitch by pitch'} on a grid of ${gridWords(chosen.fit.perBeat)}${chosen.encoding === 'frame-pitches' && chosen.params.onsets ? ', struck pitches marked' : ''}; scores of it are of what it keeps.`,
    );
  }
  return { encoding: chosen.encoding, params: chosen.params, reasons, roundTrip: { notes: shape.notes, exact: shape.notes - chosen.lost } };
}

export function recommend(store: Store, corpusId: number): Recommendation {
  const shape = measureCorpus(function* () {
    for (const { piece } of store.corpora.iterateEncodable(corpusId)) yield piece;
  });
  const lstm = architectureOf('lstm');
  const preset = lstm.presets.find((p) => p.name === lstm.defaultPreset)!;
  const { encoding, params, reasons, roundTrip } = recommendFrom(shape);
  reasons.push(`An LSTM of ${String(preset.spec.units)} cells learns corpora like this fastest on this machine.`);
  // Music in several keys teaches more when each window is also heard a few semitones away.
  const hyperparams = { ...preset.hyperparams, ...(shape.keys >= 2 ? { transpose: TRANSPOSE } : {}) };
  if (shape.keys >= 2) reasons.push(`The pieces are in ${shape.keys} keys, so training windows are also heard transposed by up to ${TRANSPOSE} semitones either way.`);
  // A base follows the texture: a base that learned chords (frame by frame) for keyboard music,
  // even when its timing is too free for a frame reading from scratch; the melody base for lines.
  const baseEncoding = shape.meanSounding >= CHORDAL ? 'frame-pitches' : 'events';
  return { encoding, params, preset: preset.name, spec: preset.spec, hyperparams, reasons, roundTrip, baseEncoding, chordSize: Math.round(shape.meanSounding * 100) / 100 };
}
