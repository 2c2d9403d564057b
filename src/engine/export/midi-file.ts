/** Writing takes as Standard MIDI Files (through @tonejs/midi's writer), as DAWs expect them. */
import tonejs from '@tonejs/midi';
import type { Midi as MidiClass } from '@tonejs/midi';
import type { GeneratedNote, Take } from '../../shared/generation';
import type { MeterPoint, TempoPoint } from '../../shared/library';

const { Midi } = tonejs as unknown as { Midi: typeof MidiClass };

/** Every exported file counts 480 ticks a quarter note, whatever the source's resolution. */
export const EXPORT_PPQ = 480;

export interface MidiTimeline {
  /** The generation's name; with `model`, it names the tracks. */
  name: string;
  model?: string;
  ppq: number;
  tempos: TempoPoint[];
  timeSignatures: MeterPoint[];
}

export interface MidiExportOptions {
  /** The passage and its continuation, or the continuation alone (moved to start at bar 1). */
  part?: 'whole' | 'continuation';
  /** Snap note starts and ends to this grid, in quarter notes (0.25 = sixteenths), or leave them. */
  quantize?: number | null;
  /** Text meta events at the start (the takes' provenance). */
  texts?: readonly string[];
}

/** "1/16" → 0.25 quarter notes; "1/8t" → a triplet eighth; null for none. */
export function parseGrid(text: string | null | undefined): number | null {
  if (!text || text === 'none') return null;
  const m = /^1\/(\d+)(t?)$/.exec(text.trim());
  if (!m || Number(m[1]) < 1 || Number(m[1]) > 128) throw new Error(`a grid is written 1/4, 1/8, 1/16, 1/32 or a triplet like 1/8t, not "${text}"`);
  return (4 / Number(m[1])) * (m[2] ? 2 / 3 : 1);
}

/**
 * Takes as one type-1 MIDI file at 480 ticks a quarter: the source's tempo map and meter, one
 * track per take (and per program within a take) named after the model, generation and take,
 * programs and velocities kept, a "continuation" marker at the seam.
 */
export function takesToMidi(timeline: MidiTimeline, takes: readonly Take[], options: MidiExportOptions = {}): Uint8Array {
  const part = options.part ?? 'whole';
  const seam = takes[0]?.seamTick ?? 0;
  const from = part === 'continuation' ? seam : 0;
  const scale = EXPORT_PPQ / timeline.ppq;
  const at = (tick: number) => Math.max(0, Math.round((tick - from) * scale));
  const grid = options.quantize ? options.quantize * EXPORT_PPQ : null;
  const snap = (tick: number) => (grid ? Math.round(tick / grid) * grid : tick);

  const pointAt = <T extends { tick: number }>(points: readonly T[]) => [...points].filter((p) => p.tick <= from).at(-1);
  const tempos = [pointAt(timeline.tempos), ...timeline.tempos.filter((t) => t.tick > from)].filter((t): t is TempoPoint => t !== undefined);
  const meters = [pointAt(timeline.timeSignatures), ...timeline.timeSignatures.filter((m) => m.tick > from)].filter((m): m is MeterPoint => m !== undefined);
  const midi = new Midi();
  midi.header.fromJSON({
    name: timeline.name,
    ppq: EXPORT_PPQ,
    meta: [
      ...(options.texts ?? []).map((text) => ({ type: 'text' as const, text, ticks: 0 })),
      ...(part === 'whole' && seam > 0 ? [{ type: 'marker' as const, text: 'continuation', ticks: at(seam) }] : []),
    ],
    tempos: (tempos.length > 0 ? tempos : [{ tick: 0, usPerQuarter: 500_000 }]).map((t) => ({ ticks: at(t.tick), bpm: 60_000_000 / t.usPerQuarter })),
    timeSignatures: meters.map((m) => ({ ticks: at(m.tick), timeSignature: [m.numerator, m.denominator] })),
    keySignatures: [],
  });
  midi.header.update();
  const label = timeline.model ? `${timeline.model} - ${timeline.name}` : timeline.name;
  for (const take of takes) {
    const notes: GeneratedNote[] = take.notes.filter((n) => n.startTick >= from);
    const programs = [...new Set(notes.map((n) => n.program))].sort((a, b) => a - b);
    for (const [i, program] of (programs.length > 0 ? programs : [0]).entries()) {
      const track = midi.addTrack();
      track.instrument.number = program;
      track.channel = Math.min(15, i >= 9 ? i + 1 : i); // channel 10 (9) is for drums
      // Always the take's own number: take 2 exported alone must not read as the generation's first.
      track.name = `${label} - take ${take.index + 1}${programs.length > 1 ? ` (program ${program})` : ''}`;
      for (const n of notes.filter((x) => x.program === program)) {
        const start = snap(at(n.startTick));
        const end = Math.max(start + (grid ?? 1), snap(at(n.endTick)));
        track.addNote({ midi: n.pitch, ticks: start, durationTicks: end - start, velocity: n.velocity / 127 });
      }
    }
  }
  return midi.toArray();
}
