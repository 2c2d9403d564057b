/** Cutting pieces into excerpts of whole bars, the unit a scorecard compares takes with. */
import { barStarts } from '../../shared/music/bars';
import type { MeterPoint } from '../../shared/library';
import type { Excerpt, ExcerptNote } from './features';

export interface BarredPiece {
  ppq: number;
  timeSignatures: readonly MeterPoint[];
  notes: readonly ExcerptNote[];
}

/** Ticks of one bar of the meter in effect at `tick` (4/4 when none is given). */
export function barTicksAt(meters: readonly MeterPoint[], ppq: number, tick: number): number {
  const meter = [...meters].filter((m) => m.tick <= tick).at(-1) ?? { numerator: 4, denominator: 4 };
  return Math.round((ppq * 4 * meter.numerator) / meter.denominator);
}

/** Notes starting in [from, to), moved to start at 0 and clipped at `to` (as a take's continuation is). */
export function excerptOf(piece: BarredPiece, from: number, to: number): Excerpt {
  const notes = piece.notes
    .filter((n) => n.startTick >= from && n.startTick < to)
    .map((n) => ({ pitch: n.pitch, startTick: n.startTick - from, endTick: Math.min(n.endTick, to) - from }));
  return { notes, ppq: piece.ppq, barTicks: barTicksAt(piece.timeSignatures, piece.ppq, from), endTick: to - from };
}

/**
 * Every excerpt of `bars` whole bars a piece holds, side by side from its first bar, that has notes
 * in it. A piece shorter than `bars` gives none.
 */
export function excerptsOf(piece: BarredPiece, bars: number, group?: number | string): Excerpt[] {
  const end = piece.notes.reduce((e, n) => Math.max(e, n.endTick), 0);
  if (end === 0) return [];
  const starts = barStarts(piece.timeSignatures, piece.ppq, end);
  const out: Excerpt[] = [];
  for (let b = 0; b + bars < starts.length; b += bars) {
    const excerpt = excerptOf(piece, starts[b]!, starts[b + bars]!);
    // Rests at the ends of a piece are no sample of its style.
    if (excerpt.notes.length >= 2) out.push(group === undefined ? excerpt : { ...excerpt, group });
  }
  return out;
}
