import type { RoundTripReport } from '../../shared/encoding';
import type { NoteEvent } from './types';

/**
 * How far a round trip moved the music: notes matched by pitch and onset (within `tolerance`
 * ticks), then by length. Used for the vocabulary report; tests check each encoding against its
 * own stated resolution.
 */
export function compareNotes(original: readonly NoteEvent[], decoded: readonly NoteEvent[], tolerance = 1): RoundTripReport {
  const byPitch = new Map<number, NoteEvent[]>();
  for (const d of decoded) {
    const list = byPitch.get(d.pitch);
    if (list) list.push(d);
    else byPitch.set(d.pitch, [d]);
  }
  const used = new Set<NoteEvent>();
  let exact = 0;
  let durationChanged = 0;
  for (const o of original) {
    const candidates = (byPitch.get(o.pitch) ?? []).filter((d) => !used.has(d) && Math.abs(d.startTick - o.startTick) <= tolerance);
    if (candidates.length === 0) continue;
    const same = candidates.find((d) => Math.abs(d.endTick - o.endTick) <= tolerance);
    used.add(same ?? candidates[0]!);
    if (same) exact++;
    else durationChanged++;
  }
  const notes = original.length;
  return {
    notes,
    exact,
    durationChanged,
    lost: notes - exact - durationChanged,
    added: decoded.length - used.size,
    error: notes === 0 ? 0 : 1 - exact / notes,
  };
}

export function addReports(a: RoundTripReport, b: RoundTripReport): RoundTripReport {
  const notes = a.notes + b.notes;
  const exact = a.exact + b.exact;
  return {
    notes,
    exact,
    durationChanged: a.durationChanged + b.durationChanged,
    lost: a.lost + b.lost,
    added: a.added + b.added,
    error: notes === 0 ? 0 : 1 - exact / notes,
  };
}
