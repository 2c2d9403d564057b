/** Music given as frames of pitches (the JSB chorale benchmark's form) written as MIDI files, to import as a musician would. */
import fs from 'node:fs';
import path from 'node:path';
import tonejs from '@tonejs/midi';
import type { Midi as MidiClass } from '@tonejs/midi';

const { Midi } = tonejs as unknown as { Midi: typeof MidiClass };

const PPQ = 480;

/**
 * One chorale as a MIDI file: a frame a quarter note (or `perBeat` frames a quarter note) at 60 bpm, a pitch held over consecutive
 * frames one note (the benchmark's frames do not tell a held note from a repeated one), and the
 * end of the piece marked where its last frame ends, so trailing rests are kept.
 */
export function choraleMidi(frames: number[][], perBeat = 1): Uint8Array {
  const tick = PPQ / perBeat;
  const midi = new Midi();
  midi.header.fromJSON({
    name: '',
    ppq: PPQ,
    meta: [{ type: 'marker', text: 'end', ticks: frames.length * tick }],
    tempos: [{ ticks: 0, bpm: 60 }],
    timeSignatures: [{ ticks: 0, timeSignature: [4, 4] }],
    keySignatures: [],
  });
  midi.header.update();
  const track = midi.addTrack();
  const open = new Map<number, number>();
  const close = (pitch: number, at: number) => {
    track.addNote({ midi: pitch, ticks: open.get(pitch)! * tick, durationTicks: (at - open.get(pitch)!) * tick, velocity: 0.7 });
    open.delete(pitch);
  };
  frames.forEach((frame, f) => {
    for (const pitch of [...open.keys()]) if (!frame.includes(pitch)) close(pitch, f);
    for (const pitch of frame) if (!open.has(pitch)) open.set(pitch, f);
  });
  for (const pitch of [...open.keys()]) close(pitch, frames.length);
  return midi.toArray();
}

/** Chorales as MIDI files in a folder, numbered in order. */
export function writeChorales(dir: string, pieces: number[][][], prefix: string, perBeat = 1): void {
  fs.mkdirSync(dir, { recursive: true });
  pieces.forEach((frames, i) => fs.writeFileSync(path.join(dir, `${prefix}-${String(i).padStart(3, '0')}.mid`), choraleMidi(frames, perBeat)));
}

