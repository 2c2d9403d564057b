import type { GeneratedNote } from '../generation';
import type { KeyPoint, MeterPoint, TempoPoint } from '../library';
import { TempoMap } from './tempo-map';

/** A stretch of music a model continues: its notes from tick 0 and the timeline they sit on. */
export interface Passage {
  label: string;
  ppq: number;
  tempos: TempoPoint[];
  timeSignatures: MeterPoint[];
  keySignatures: KeyPoint[];
  /** Sorted by start then pitch, from tick 0. */
  notes: GeneratedNote[];
  /** Where the passage ends (the seam), in ticks: the end of its last bar or time range. */
  endTick: number;
}

/** The timeline points in effect from `from` on, moved so `from` becomes tick 0. */
function shiftPoints<T extends { tick: number }>(points: readonly T[], from: number, to: number): T[] {
  const before = points.filter((p) => p.tick <= from).at(-1);
  const inside = points.filter((p) => p.tick > from && p.tick < to);
  return [...(before ? [before] : []), ...inside].map((p) => ({ ...p, tick: Math.max(0, p.tick - from) }));
}

/** Cuts [from, to) out of a piece: notes starting inside (clipped at `to`), timeline shifted to 0. */
export function cutPassage(
  piece: { ppq: number; tempos: TempoPoint[]; timeSignatures: MeterPoint[]; keySignatures: KeyPoint[]; notes: GeneratedNote[] },
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
