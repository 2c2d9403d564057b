/**
 * Per-piece features of a stretch of music (a corpus excerpt or a take's continuation), as MGEval
 * (Yang & Lerch 2020) and MusPy define them: what a scorecard compares between takes and a corpus.
 */

export interface ExcerptNote {
  pitch: number;
  startTick: number;
  endTick: number;
}

/** A stretch of music on its own timeline from tick 0: notes sorted by onset, its meter's bar length. */
export interface Excerpt {
  notes: readonly ExcerptNote[];
  ppq: number;
  /** Ticks in a bar of its meter (for groove consistency). */
  barTicks: number;
  /** Where the stretch ends (its length), in ticks. */
  endTick: number;
  /** Stretches of one source (a piece's excerpts, a passage's takes) share a group: the classifier keeps them in one fold. */
  group?: number | string;
}

/** Note lengths in quarter notes, each note counted in the nearest bin (on a log scale). */
export const LENGTH_BINS = [0.25, 1 / 3, 0.5, 0.75, 1, 1.5, 2, 3, 4] as const;
export const LENGTH_LABELS = ['sixteenth', 'triplet-eighth', 'eighth', 'dotted-eighth', 'quarter', 'dotted-quarter', 'half', 'dotted-half', 'whole'] as const;

export interface PieceFeatures {
  /** Share of notes on each pitch class, C first. */
  pitchClassHistogram: number[];
  /** Distinct MIDI pitches. */
  usedPitches: number;
  /** Highest minus lowest pitch, semitones. */
  pitchRange: number;
  meanPitch: number;
  /** Mean absolute interval between successive onsets' top notes, semitones. */
  melodicInterval: number;
  /** Mean time between successive onsets, quarter notes. */
  interOnsetInterval: number;
  /** Share of notes in each of LENGTH_BINS. */
  noteLengthHistogram: number[];
  /** Notes per onset. */
  polyphony: number;
  notesPerBeat: number;
  /** Shannon entropy of the pitch classes, bits (0 … log2 12). */
  pitchClassEntropy: number;
  /** MusPy: 1 − the mean Hamming distance between successive bars' onset patterns (1 = every bar the same rhythm). */
  grooveConsistency: number;
  /** MusPy: the largest share of notes inside one major or minor scale. */
  scaleConsistency: number;
}

/** The scalar features, in order, with the words a musician reads for each. */
export const SCALAR_FEATURES = [
  'usedPitches',
  'pitchRange',
  'meanPitch',
  'melodicInterval',
  'interOnsetInterval',
  'polyphony',
  'notesPerBeat',
  'pitchClassEntropy',
  'grooveConsistency',
  'scaleConsistency',
] as const satisfies readonly (keyof PieceFeatures)[];
export const HISTOGRAM_FEATURES = ['pitchClassHistogram', 'noteLengthHistogram'] as const satisfies readonly (keyof PieceFeatures)[];
export type FeatureName = (typeof SCALAR_FEATURES)[number] | (typeof HISTOGRAM_FEATURES)[number];
export const FEATURES: readonly FeatureName[] = [...HISTOGRAM_FEATURES, ...SCALAR_FEATURES];

/** Onset positions of a bar for groove consistency: twelve a quarter note (sixteenths and triplets). */
const GRID_PER_QUARTER = 12;
const MAJOR = [0, 2, 4, 5, 7, 9, 11];

function lengthBin(quarters: number): number {
  let best = 0;
  const distance = (i: number) => Math.abs(Math.log2(Math.max(quarters, 1e-3) / LENGTH_BINS[i]!));
  for (let i = 1; i < LENGTH_BINS.length; i++) if (distance(i) < distance(best)) best = i;
  return best;
}

function shares(counts: number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (total > 0 ? c / total : 0));
}

export function featuresOf(excerpt: Excerpt): PieceFeatures {
  const notes = [...excerpt.notes].sort((a, b) => a.startTick - b.startTick || a.pitch - b.pitch);
  const { ppq } = excerpt;
  const pcCounts = new Array<number>(12).fill(0);
  const lengthCounts = new Array<number>(LENGTH_BINS.length).fill(0);
  const pitches = new Set<number>();
  let low = Infinity;
  let high = -Infinity;
  let sum = 0;
  for (const n of notes) {
    pcCounts[n.pitch % 12]!++;
    lengthCounts[lengthBin((n.endTick - n.startTick) / ppq)]!++;
    pitches.add(n.pitch);
    low = Math.min(low, n.pitch);
    high = Math.max(high, n.pitch);
    sum += n.pitch;
  }
  // Onsets, each with its top note (the melody of a chordal texture).
  const onsets: { tick: number; top: number }[] = [];
  for (const n of notes) {
    const last = onsets.at(-1);
    if (last && last.tick === n.startTick) last.top = Math.max(last.top, n.pitch);
    else onsets.push({ tick: n.startTick, top: n.pitch });
  }
  let leaps = 0;
  let gaps = 0;
  for (let i = 1; i < onsets.length; i++) {
    leaps += Math.abs(onsets[i]!.top - onsets[i - 1]!.top);
    gaps += (onsets[i]!.tick - onsets[i - 1]!.tick) / ppq;
  }
  const pcShares = shares(pcCounts);
  const entropy = -pcShares.reduce((h, p) => (p > 0 ? h + p * Math.log2(p) : h), 0);
  let scale = 0;
  for (let tonic = 0; tonic < 12; tonic++) {
    // A minor scale holds the same pitch classes as its relative major: twelve majors cover all 24.
    const inside = MAJOR.reduce((s, d) => s + pcCounts[(tonic + d) % 12]!, 0);
    scale = Math.max(scale, notes.length > 0 ? inside / notes.length : 0);
  }
  return {
    pitchClassHistogram: pcShares,
    usedPitches: pitches.size,
    pitchRange: notes.length > 0 ? high - low : 0,
    meanPitch: notes.length > 0 ? sum / notes.length : 0,
    melodicInterval: onsets.length > 1 ? leaps / (onsets.length - 1) : 0,
    interOnsetInterval: onsets.length > 1 ? gaps / (onsets.length - 1) : 0,
    noteLengthHistogram: shares(lengthCounts),
    polyphony: onsets.length > 0 ? notes.length / onsets.length : 0,
    notesPerBeat: excerpt.endTick > 0 ? notes.length / (excerpt.endTick / ppq) : 0,
    pitchClassEntropy: entropy,
    grooveConsistency: grooveConsistency(onsets.map((o) => o.tick), excerpt),
    scaleConsistency: scale,
  };
}

/** MusPy's groove consistency: successive bars' onset patterns on a grid, 1 − their mean Hamming distance. */
function grooveConsistency(onsets: readonly number[], excerpt: Excerpt): number {
  const positions = Math.max(1, Math.round((excerpt.barTicks / excerpt.ppq) * GRID_PER_QUARTER));
  const bars = Math.max(1, Math.ceil(excerpt.endTick / excerpt.barTicks));
  if (bars < 2) return 1;
  const patterns = Array.from({ length: bars }, () => new Uint8Array(positions));
  for (const tick of onsets) {
    const bar = Math.floor(tick / excerpt.barTicks);
    if (bar >= bars) continue;
    const at = Math.min(positions - 1, Math.round(((tick - bar * excerpt.barTicks) / excerpt.ppq) * GRID_PER_QUARTER));
    patterns[bar]![at] = 1;
  }
  let distance = 0;
  for (let b = 1; b < bars; b++) {
    let differ = 0;
    for (let p = 0; p < positions; p++) if (patterns[b]![p] !== patterns[b - 1]![p]) differ++;
    distance += differ / positions;
  }
  return 1 - distance / (bars - 1);
}

/** One feature's value as a vector (a scalar is a vector of one), for distances. */
export function featureVector(f: PieceFeatures, name: FeatureName): number[] {
  const v = f[name];
  return typeof v === 'number' ? [v] : v;
}

/** The classifier's view of a piece: every scalar, then the note-length shares (pitch classes depend on the key, so they stay out). */
export function classifierRow(f: PieceFeatures): number[] {
  return [...SCALAR_FEATURES.map((k) => f[k]), ...f.noteLengthHistogram];
}

export const CLASSIFIER_COLUMNS: readonly string[] = [...SCALAR_FEATURES, ...LENGTH_LABELS.map((l) => `length:${l}`)];
