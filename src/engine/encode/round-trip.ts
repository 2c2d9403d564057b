import type { RoundTripReport } from '../../shared/encoding';
import type { NoteEvent } from './types';

/**
 * How far a round trip moved the music: notes matched by pitch and onset (within `tolerance`
 * ticks), then by length. Used for the vocabulary report; tests check each encoding against its
 * own stated resolution.
 */
export function compareNotes(original: readonly NoteEvent[], decoded: readonly NoteEvent[], tolerance = 1): RoundTripReport {
  // Decoded notes by pitch, sorted by onset: each original note looks only at the few decoded
  // notes of its pitch within the tolerance (binary search), so long pieces stay linear-ish.
  const byPitch = new Map<number, NoteEvent[]>();
  for (const d of decoded) {
    const list = byPitch.get(d.pitch);
    if (list) list.push(d);
    else byPitch.set(d.pitch, [d]);
  }
  for (const list of byPitch.values()) list.sort((a, b) => a.startTick - b.startTick);
  const used = new Set<NoteEvent>();
  let exact = 0;
  let durationChanged = 0;
  for (const o of original) {
    const list = byPitch.get(o.pitch);
    if (!list) continue;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.startTick < o.startTick - tolerance) lo = mid + 1;
      else hi = mid;
    }
    let first: NoteEvent | null = null;
    let same: NoteEvent | null = null;
    for (let i = lo; i < list.length && list[i]!.startTick <= o.startTick + tolerance; i++) {
      const d = list[i]!;
      if (used.has(d)) continue;
      first ??= d;
      if (Math.abs(d.endTick - o.endTick) <= tolerance) {
        same = d;
        break;
      }
    }
    if (!first) continue;
    used.add(same ?? first);
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
