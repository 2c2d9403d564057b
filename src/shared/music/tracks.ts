/** Which tracks of a piece training and generation read (a corpus's track rule), and their notes as one sorted list. */
import type { TrackRule } from '../library';
import type { NoteArrays, NoteEvent } from './notes';

export interface RuleTrack {
  position: number;
  program: number;
  family: string;
  isDrum: boolean;
  noteCount: number;
}

/** The tracks of one piece that training uses under a corpus's rule (drums never, for pitched encodings). */
export function selectTracks<T extends RuleTrack>(tracks: readonly T[], rule: TrackRule): T[] {
  const pitched = tracks.filter((t) => !t.isDrum && t.noteCount > 0);
  switch (rule.kind) {
    case 'first-instrument':
      return pitched.slice(0, 1);
    case 'piano':
      return pitched.filter((t) => t.family === 'piano');
    case 'non-drum':
      return pitched;
    case 'programs':
      return pitched.filter((t) => rule.programs.includes(t.program));
  }
}

/**
 * The notes of the tracks a rule selects, merged and sorted by start then pitch, each with its
 * track's program; `read` gives a track's notes (only selected tracks are read). `fallback`: the
 * rule to use when the first selects nothing (a dropped file).
 */
export function notesOf<T extends RuleTrack>(tracks: readonly T[], rule: TrackRule, read: (track: T) => NoteArrays, fallback?: TrackRule): NoteEvent[] {
  let chosen = selectTracks(tracks, rule);
  if (chosen.length === 0 && fallback) chosen = selectTracks(tracks, fallback);
  const notes: NoteEvent[] = [];
  for (const t of chosen) {
    const n = read(t);
    for (let i = 0; i < n.pitch.length; i++) {
      notes.push({ pitch: n.pitch[i]!, velocity: n.velocity[i]!, startTick: n.startTick[i]!, endTick: n.endTick[i]!, startSec: n.startSec[i]!, endSec: n.endSec[i]!, program: t.program });
    }
  }
  return notes.sort((a, b) => a.startTick - b.startTick || a.pitch - b.pitch);
}

export function describeRule(rule: TrackRule): string {
  switch (rule.kind) {
    case 'first-instrument':
      return 'the first instrument part';
    case 'piano':
      return 'piano tracks';
    case 'non-drum':
      return 'all non-drum tracks';
    case 'programs':
      return `General MIDI programs ${rule.programs.join(', ')}`;
  }
}
