/**
 * What the recommendation measures of a corpus: for each beat grid, how many notes a reading on it
 * would not bring back unchanged (and why), its longest note, how many notes sound at once, its
 * size and keys. The counts follow the encoders' own rounding (a tick is the round trip's
 * tolerance), so a grid with nothing lost is one whose round trip keeps every note; a test holds
 * them to the real round trips.
 */
import type { PieceNotes } from '../../shared/music/notes';

/** Grids always tried, coarsest first: steps a quarter note. The corpus's own exact grid is tried too. */
export const GRIDS = [1, 2, 3, 4, 6, 8, 12, 16, 24] as const;
/** The finest grid an encoding can write (frame-pitches' most frames a beat). */
const FINEST = 48;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

export interface GridFit {
  perBeat: number;
  /** Notes whose onset or release is off the grid. */
  offGrid: number;
  /** Notes on the grid but shorter than one step (zero-length notes): a reading lengthens them. */
  tooShort: number;
  /** Notes on the grid that overlap another of the same pitch, frame by frame: frames merge them. */
  framesMerged: number;
  /** Notes on the grid struck in the frame where the same pitch ends: frames without onset marks merge them. */
  restrikes: number;
  /** Notes on the grid one step long: many, and the grid is the music's own step, not a finer one. */
  oneStep: number;
}

export interface CorpusMeasure {
  pieces: number;
  notes: number;
  grids: GridFit[];
  /** The longest note, in beats (quarter notes). */
  longestBeats: number;
  /** Most notes sounding at one moment, and the mean over the time anything sounds. */
  maxSounding: number;
  meanSounding: number;
  /** Distinct keys the pieces' key signatures name. */
  keys: number;
  /**
   * The coarsest grid every onset and release sits on exactly (steps a beat), when one of at most
   * 48 steps does: music written from frames (a benchmark's piano roll) sits on its frames' grid,
   * whatever it is.
   */
  exactGrid: number | null;
}

function fitOf(piece: PieceNotes, perBeat: number, fit: GridFit): void {
  const step = piece.ppq / perBeat;
  const frame = (tick: number) => Math.round(tick / step);
  // The encoders write a step back as Math.round(frame × step): within a tick is exact.
  const on = (tick: number) => Math.abs(tick - Math.round(frame(tick) * step)) <= 1;
  const byPitch = new Map<number, { from: number; to: number }[]>();
  for (const n of piece.notes) {
    if (!on(n.startTick) || !on(n.endTick)) {
      fit.offGrid++;
      continue;
    }
    const from = frame(n.startTick);
    if (frame(n.endTick) <= from) {
      fit.tooShort++;
      continue;
    }
    if (frame(n.endTick) === from + 1) fit.oneStep++;
    const spans = byPitch.get(n.pitch);
    const span = { from, to: frame(n.endTick) };
    if (spans) spans.push(span);
    else byPitch.set(n.pitch, [span]);
  }
  for (const spans of byPitch.values()) {
    spans.sort((a, b) => a.from - b.from || a.to - b.to);
    const merged = new Set<number>();
    let reach = -1;
    let reacher = -1;
    spans.forEach((s, i) => {
      if (s.from < reach) {
        merged.add(i);
        merged.add(reacher);
      } else if (s.from === reach) fit.restrikes++;
      if (s.to > reach) {
        reach = s.to;
        reacher = i;
      }
    });
    fit.framesMerged += merged.size;
  }
}

/** Most notes sounding at once, and the mean over the time any sounds (a release before an onset at the same tick). */
function sounding(piece: PieceNotes): { max: number; weighted: number; time: number } {
  const edges = piece.notes.flatMap((n) => (n.endTick > n.startTick ? [{ t: n.startTick, d: 1 }, { t: n.endTick, d: -1 }] : []));
  edges.sort((a, b) => a.t - b.t || a.d - b.d);
  let now = 0;
  let max = 0;
  let weighted = 0;
  let time = 0;
  let last = 0;
  for (const e of edges) {
    if (now > 0) {
      weighted += now * (e.t - last);
      time += e.t - last;
    }
    now += e.d;
    last = e.t;
    max = Math.max(max, now);
  }
  return { max, weighted, time };
}

/** The steps a beat of the coarsest grid holding every tick of the piece exactly (a divisor of its ppq's step). */
function ownGrid(piece: PieceNotes): number {
  let step = piece.ppq;
  for (const n of piece.notes) step = gcd(gcd(step, n.startTick), n.endTick);
  return piece.ppq / step;
}

/** Reads the corpus twice (its own grid first, then every grid's fit), one piece at a time. */
export function measureCorpus(read: () => Iterable<PieceNotes>): CorpusMeasure {
  // The grid that holds every piece: the least common multiple of each piece's own.
  let exact = 1;
  for (const piece of read()) {
    const own = ownGrid(piece);
    exact = Number.isInteger(own) && exact <= FINEST ? (exact * own) / gcd(exact, own) : Infinity;
  }
  const exactGrid = exact <= FINEST ? exact : null;
  const perBeats = [...new Set([...GRIDS, ...(exactGrid === null ? [] : [exactGrid])])].sort((a, b) => a - b);
  const grids: GridFit[] = perBeats.map((perBeat) => ({ perBeat, offGrid: 0, tooShort: 0, framesMerged: 0, restrikes: 0, oneStep: 0 }));
  const keys = new Set<string>();
  let count = 0;
  let notes = 0;
  let longestBeats = 0;
  let maxSounding = 0;
  let weighted = 0;
  let time = 0;
  for (const piece of read()) {
    count++;
    notes += piece.notes.length;
    for (const k of piece.keySignatures) keys.add(`${k.sharps}${k.mode}`);
    for (const n of piece.notes) longestBeats = Math.max(longestBeats, (n.endTick - n.startTick) / piece.ppq);
    for (const fit of grids) fitOf(piece, fit.perBeat, fit);
    const s = sounding(piece);
    maxSounding = Math.max(maxSounding, s.max);
    weighted += s.weighted;
    time += s.time;
  }
  return { pieces: count, notes, grids, longestBeats, maxSounding, meanSounding: time > 0 ? weighted / time : 0, keys: keys.size, exactGrid };
}
