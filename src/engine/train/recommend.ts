/**
 * The encoding and model the studio recommends for a corpus, read from its music: music on a
 * coarse beat grid with chords (chorales, hymns, block keyboard parts) is written frame by frame,
 * pitch by pitch, at that grid; anything else (melodies, expressive or free timing) as events. The
 * model is the LSTM: on this machine it learns these corpora fastest.
 */
import type { Recommendation } from '../../shared/training';
import { architectureOf } from '../models/registry';
import type { Store } from '../store/store';

/** Grids tried, coarsest first: frames a quarter note. */
const GRIDS = [1, 2, 3, 4, 6, 8, 12];
/** Shares of onsets and of releases that must fall on a grid for the music to be on it. */
const ON_GRID_ONSETS = 0.97;
const ON_GRID_RELEASES = 0.9;
/** Notes sounding together, on average at an onset, that make a texture of chords. */
const CHORDAL = 1.5;
/** Grids finer than this write too many frames a beat for a frame-by-frame encoding to pay. */
const FINEST_FRAME_GRID = 4;
/** Semitones a window may be transposed, either way, for music in several keys. */
const TRANSPOSE = 3;

interface CorpusShape {
  notes: number;
  /** Per grid: share of onsets and of releases on it. */
  onGrid: Map<number, { onsets: number; releases: number }>;
  /** Mean notes starting together. */
  chordSize: number;
  /** Share of notes struck again right where the same pitch ended (a repeated note). */
  restrikes: number;
  /** Distinct keys the pieces' key signatures name. */
  keys: number;
}

function shapeOf(store: Store, corpusId: number): CorpusShape {
  const hits = new Map(GRIDS.map((g) => [g, { onsets: 0, releases: 0 }]));
  let notes = 0;
  let groups = 0;
  let restrikes = 0;
  const keys = new Set<string>();
  for (const { piece } of store.corpora.iterateEncodable(corpusId)) {
    for (const k of piece.keySignatures) keys.add(`${k.sharps}${k.mode}`);
    const tolerance = piece.ppq / 48;
    const ends = new Map<string, true>();
    let lastStart = -1;
    for (const n of piece.notes) {
      notes++;
      if (n.startTick !== lastStart) groups++;
      lastStart = n.startTick;
      if (ends.has(`${n.pitch}@${n.startTick}`)) restrikes++;
      ends.set(`${n.pitch}@${n.endTick}`, true);
      for (const g of GRIDS) {
        const step = piece.ppq / g;
        const on = (tick: number) => Math.abs(tick - Math.round(tick / step) * step) <= tolerance;
        const h = hits.get(g)!;
        if (on(n.startTick)) h.onsets++;
        if (on(n.endTick)) h.releases++;
      }
    }
  }
  const onGrid = new Map([...hits].map(([g, h]) => [g, { onsets: notes ? h.onsets / notes : 0, releases: notes ? h.releases / notes : 0 }]));
  return { notes, onGrid, chordSize: groups ? notes / groups : 0, restrikes: notes ? restrikes / notes : 0, keys: keys.size };
}

/** A grid in words: "half a beat", not "1/2". */
function gridWords(perBeat: number): string {
  const words: Record<number, string> = { 1: 'a beat', 2: 'half a beat', 3: 'a third of a beat', 4: 'a quarter beat', 6: 'a sixth of a beat', 8: 'an eighth of a beat', 12: 'a twelfth of a beat' };
  return words[perBeat] ?? `1/${perBeat} beat`;
}

export function recommend(store: Store, corpusId: number): Recommendation {
  const shape = shapeOf(store, corpusId);
  const grid = GRIDS.find((g) => {
    const h = shape.onGrid.get(g)!;
    return h.onsets >= ON_GRID_ONSETS && h.releases >= ON_GRID_RELEASES;
  });
  const lstm = architectureOf('lstm');
  const preset = lstm.presets.find((p) => p.name === lstm.defaultPreset)!;
  const reasons: string[] = [];
  let encoding: string;
  let params: Recommendation['params'];
  if (grid !== undefined && grid <= FINEST_FRAME_GRID && shape.chordSize >= CHORDAL) {
    encoding = 'frame-pitches';
    // Onset marks only where the music repeats notes: otherwise every held pitch is already told apart.
    const onsets = shape.restrikes > 0.005;
    params = { perBeat: grid, onsets };
    reasons.push(
      `Chords (${shape.chordSize.toFixed(1)} notes start together on average) on a grid of ${gridWords(grid)}, so it is written frame by frame, each chord pitch by pitch: chords that share notes share what the model learns.`,
      onsets ? 'Notes are struck again where they ended, so struck pitches are marked.' : 'No note is struck again where it ended, so frames need no onset marks.',
    );
  } else {
    encoding = 'events';
    const positions = grid ?? 12;
    params = { positionsPerBeat: positions };
    reasons.push(
      grid === undefined
        ? `The timing is free (no beat grid holds the notes), so it is written as events on a grid of ${gridWords(positions)}.`
        : `${shape.chordSize < CHORDAL ? 'Mostly single notes' : 'A fine rhythm'}, so it is written as events (bar, position, pitch, length) on a grid of ${gridWords(positions)}.`,
    );
  }
  reasons.push(`An LSTM of ${String(preset.spec.units)} cells learns corpora like this fastest on this machine.`);
  // Music in several keys teaches more when each window is also heard a few semitones away.
  const hyperparams = { ...preset.hyperparams, ...(shape.keys >= 2 ? { transpose: TRANSPOSE } : {}) };
  if (shape.keys >= 2) reasons.push(`The pieces are in ${shape.keys} keys, so training windows are also heard transposed by up to ${TRANSPOSE} semitones either way.`);
  // A base follows the texture: a base that learned chords (frame by frame) for keyboard music,
  // even when its timing is too free for a frame reading from scratch; the melody base for lines.
  const baseEncoding = shape.chordSize >= CHORDAL ? 'frame-pitches' : 'events';
  return { encoding, params, preset: preset.name, spec: preset.spec, hyperparams, reasons, baseEncoding, chordSize: Math.round(shape.chordSize * 100) / 100 };
}
