import { TempoMap } from '../../shared/music/tempo-map';
import type { DecodeContext, NoteEvent } from './types';

/** Fills in seconds from ticks through the context's tempo map. */
export function withSeconds(notes: Omit<NoteEvent, 'startSec' | 'endSec'>[], context: DecodeContext): NoteEvent[] {
  const map = new TempoMap(context.ppq, context.tempos);
  return notes.map((n) => ({ ...n, startSec: map.toSeconds(n.startTick), endSec: map.toSeconds(n.endTick) }));
}

/** Fills in ticks from seconds through the context's tempo map (frame encodings count in seconds). */
export function withTicks(notes: Omit<NoteEvent, 'startTick' | 'endTick'>[], context: DecodeContext): NoteEvent[] {
  const map = new TempoMap(context.ppq, context.tempos);
  return notes.map((n) => ({ ...n, startTick: Math.round(map.toTicks(n.startSec)), endTick: Math.round(map.toTicks(n.endSec)) }));
}

export function sortNotes<T extends { startTick: number; pitch: number }>(notes: T[]): T[] {
  return notes.sort((a, b) => a.startTick - b.startTick || a.pitch - b.pitch);
}

/** Groups notes by onset rounded to a grid of `grid` ticks: chords are the notes of one group. */
export function groupByOnset(notes: readonly NoteEvent[], grid: number): { tick: number; notes: NoteEvent[] }[] {
  const groups: { tick: number; notes: NoteEvent[] }[] = [];
  for (const note of notes) {
    const tick = Math.round(note.startTick / grid) * grid;
    const last = groups[groups.length - 1];
    if (last && last.tick === tick) last.notes.push(note);
    else groups.push({ tick, notes: [note] });
  }
  return groups;
}
