/** Turning what a model generated back into a take: the continuation's notes on the passage's timeline. */
import type { GeneratedNote, LengthSpec, Take } from '../../../shared/generation';
import { barStarts } from '../../../shared/music/bars';
import type { Passage } from '../../../shared/music/passage';
import { TempoMap } from '../../../shared/music/tempo-map';
import type { ParamValue } from '../../../shared/encoding';
import { encodingOf } from '../../encode/registry';
import type { DecodeContext, EncodableNotes, NoteEvent } from '../../encode/types';

export interface VocabularyContext {
  encoding: string;
  params: Record<string, ParamValue>;
  representation: 'tokens' | 'features' | 'binary';
  width: number;
  tokens: string[];
  counts: number[];
}

/** Steps a length in bars or seconds may take at most (a guard, not a target). */
export const MAX_STEPS = 20_000;

export interface Decoded {
  /** Continuation notes on the passage's timeline. */
  notes: GeneratedNote[];
  /** How far the continuation reaches (last note end), in ticks. */
  reach: number;
}

export function noteKey(n: { pitch: number; startTick: number }): string {
  return `${n.pitch}@${n.startTick}`;
}

/** Where the continuation must end, in ticks of the passage's timeline (null: counted in steps). */
function targetTick(passage: Passage, length: LengthSpec): number | null {
  if (length.unit === 'tokens') return null;
  if (length.unit === 'bars') {
    // Bars from the seam: the passage usually ends on a bar line; if not, from the next one. A bar
    // holds at most 64 quarter notes, so the bar starts computed reach far enough.
    const bars = Math.ceil(length.value);
    const starts = barStarts(passage.timeSignatures, passage.ppq, passage.endTick + (bars + 1) * 64 * passage.ppq);
    const first = starts.findIndex((t) => t >= passage.endTick);
    return starts[Math.min(starts.length - 1, first + bars)]!;
  }
  const map = new TempoMap(passage.ppq, passage.tempos);
  return Math.round(map.toTicks(map.toSeconds(passage.endTick) + length.value));
}

/** What every continuation needs: the encoding, the passage's timeline, where it must end and its step budget. */
export function planOf(passage: Passage, vocab: VocabularyContext, length: LengthSpec) {
  return {
    encoding: encodingOf(vocab.encoding),
    context: { ppq: passage.ppq, tempos: passage.tempos, timeSignatures: passage.timeSignatures } satisfies DecodeContext,
    map: new TempoMap(passage.ppq, passage.tempos),
    target: targetTick(passage, length),
    budget: length.unit === 'tokens' ? length.value : MAX_STEPS,
  };
}

export type Plan = ReturnType<typeof planOf>;

export function passageAsEncodable(passage: Passage): EncodableNotes {
  return { ppq: passage.ppq, tempos: passage.tempos, timeSignatures: passage.timeSignatures, keySignatures: passage.keySignatures, durationTicks: passage.endTick, notes: passage.notes };
}

/**
 * The instrument the continuation plays: the passage's most used program, unless the encoding
 * itself carries programs (events with programs), whose decoded programs then stand.
 */
export function passageProgram(passage: Passage, vocab: VocabularyContext): number | null {
  if (vocab.params.programs === true || passage.notes.length === 0) return null;
  const counts = new Map<number, number>();
  for (const n of passage.notes) counts.set(n.program, (counts.get(n.program) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
}

/**
 * The continuation's notes: everything decoding primer-plus-generated gives that decoding the
 * primer alone does not, moved onto the passage's timeline where the encoding's clock differs.
 */
export function continuationNotes(decodeAll: NoteEvent[], primerKeys: Set<string>, shift: number, plan: Plan, seamTick: number, program: number | null = null): Decoded {
  const notes: GeneratedNote[] = [];
  let reach = seamTick;
  for (const n of decodeAll) {
    if (primerKeys.has(noteKey(n))) continue;
    // What the model adds inside the passage's own span (an event encoding can place notes in its last bar) is not the continuation.
    if (n.startTick + shift < seamTick) continue;
    const startTick = n.startTick + shift;
    const endTick = Math.max(startTick, n.endTick + shift);
    notes.push({ pitch: n.pitch, velocity: n.velocity, program: program ?? n.program, startTick, endTick, startSec: plan.map.toSeconds(startTick), endSec: plan.map.toSeconds(endTick) });
    reach = Math.max(reach, endTick);
  }
  return { notes, reach };
}

/** Notes from the seam to the target: later onsets dropped, the last notes cut at the target. */
function clip(notes: GeneratedNote[], target: number | null, map: TempoMap): GeneratedNote[] {
  if (target === null) return notes;
  return notes.filter((n) => n.startTick < target).map((n) => (n.endTick > target ? { ...n, endTick: target, endSec: map.toSeconds(target) } : n));
}

/** A take: the passage's notes and the continuation (cut at the target), on one timeline. */
export function takeOf(index: number, passage: Passage, decoded: Decoded | null, steps: number, plan: Plan): Take {
  const primer = passage.notes.map((n) => ({ pitch: n.pitch, velocity: n.velocity, startTick: n.startTick, endTick: n.endTick, startSec: n.startSec, endSec: n.endSec, program: n.program }));
  const continuation = decoded ? clip(decoded.notes, plan.target, plan.map) : [];
  const notes = [...primer, ...continuation].sort((a, b) => a.startTick - b.startTick || a.pitch - b.pitch);
  return { index, notes, seamTick: passage.endTick, seamSec: plan.map.toSeconds(passage.endTick), tokens: steps };
}
