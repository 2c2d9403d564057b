import type { CorpusIndex, NoteLike } from './corpus-index';

/**
 * A take's longest match with a corpus measured in bars: from the onset of its first matched note
 * to the end of its last, over the bar's length. `startTick` says where in the take the match begins.
 */
export function longestMatchBars(index: CorpusIndex, notes: readonly (NoteLike & { endTick: number })[], ppq: number, barTicks: number): { bars: number; startTick: number | null } {
  const match = index.longestMatch(notes, ppq);
  if (match.notes < 2) return { bars: 0, startTick: null };
  const first = notes[match.takeNote]!;
  const last = notes[Math.min(notes.length - 1, match.takeNote + match.notes - 1)]!;
  return { bars: (last.endTick - first.startTick) / barTicks, startTick: first.startTick };
}
