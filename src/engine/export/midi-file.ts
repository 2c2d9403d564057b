/** Writing takes as Standard MIDI Files (through @tonejs/midi's writer). */
import tonejs from '@tonejs/midi';
import type { Midi as MidiClass } from '@tonejs/midi';
import type { GeneratedNote, Take } from '../../shared/generation';
import type { MeterPoint, TempoPoint } from '../../shared/library';

const { Midi } = tonejs as unknown as { Midi: typeof MidiClass };

export interface MidiTimeline {
  name: string;
  ppq: number;
  tempos: TempoPoint[];
  timeSignatures: MeterPoint[];
}

/**
 * A take as a type-1 MIDI file on its own timeline (tempo, meter), one track per program, with a
 * "continuation" marker at the seam. `part` chooses the passage and continuation, or the
 * continuation alone (moved to start at tick 0, as a DAW clip wants it).
 */
export function takeToMidi(timeline: MidiTimeline, take: Take, part: 'whole' | 'continuation' = 'whole'): Uint8Array {
  const from = part === 'continuation' ? take.seamTick : 0;
  const notes: GeneratedNote[] = take.notes.filter((n) => n.startTick >= from);
  const midi = new Midi();
  const tempoAt = (tick: number) => [...timeline.tempos].filter((t) => t.tick <= tick).at(-1);
  const tempos = [tempoAt(from), ...timeline.tempos.filter((t) => t.tick > from)].filter((t): t is TempoPoint => t !== undefined);
  const meterAt = [...timeline.timeSignatures].filter((m) => m.tick <= from).at(-1);
  const meters = [meterAt, ...timeline.timeSignatures.filter((m) => m.tick > from)].filter((m): m is MeterPoint => m !== undefined);
  midi.header.fromJSON({
    name: timeline.name,
    ppq: timeline.ppq,
    meta: part === 'whole' && take.seamTick > 0 ? [{ type: 'marker', text: 'continuation', ticks: take.seamTick }] : [],
    tempos: (tempos.length > 0 ? tempos : [{ tick: 0, usPerQuarter: 500_000 }]).map((t) => ({ ticks: Math.max(0, t.tick - from), bpm: 60_000_000 / t.usPerQuarter })),
    timeSignatures: meters.map((m) => ({ ticks: Math.max(0, m.tick - from), timeSignature: [m.numerator, m.denominator] })),
    keySignatures: [],
  });
  midi.header.update();
  const programs = [...new Set(notes.map((n) => n.program))].sort((a, b) => a - b);
  for (const program of programs.length > 0 ? programs : [0]) {
    const track = midi.addTrack();
    track.instrument.number = program;
    track.name = timeline.name;
    for (const n of notes.filter((x) => x.program === program)) {
      track.addNote({ midi: n.pitch, ticks: n.startTick - from, durationTicks: Math.max(1, n.endTick - n.startTick), velocity: n.velocity / 127 });
    }
  }
  return midi.toArray();
}

/** A file name for a take: the generation's name made safe for any file system. */
export function takeFileName(name: string, take: number): string {
  // Characters no file system takes, and control characters, become spaces.
  const safe =
    [...name]
      .map((c) => (c.charCodeAt(0) < 32 || '\\/:*?"<>|'.includes(c) ? ' ' : c))
      .join('')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 120) || 'take';
  return `${safe} - take ${take + 1}.mid`;
}
