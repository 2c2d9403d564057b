import { z } from 'zod';
import { sortNotes, withTicks } from './timeline';
import type { Encoding } from './types';

const params = z.object({}).strict();
type Params = z.infer<typeof params>;

/**
 * Seed 004 (the TensorFlow tutorial on MAESTRO): each note as three numbers — pitch, step (seconds
 * since the previous note's start) and duration (seconds) — in order of start, then pitch.
 */
export const pitchStepDuration: Encoding<Params> = {
  info: {
    kind: 'pitch-step-duration',
    version: 1,
    title: 'Notes with exact timing',
    musical: "Each note's pitch, the time since the note before and how long it is held, exactly: seed 004's reading, for expressive timing.",
    seed: 'seed 004: pitch/step/duration LSTM (TensorFlow tutorial)',
    defaults: {},
    paramLabels: {},
    paramHelp: {},
    resolution: 'every note: pitch exactly, times to float32 precision (about a microsecond)',
    loses: ['velocity (decoded as 100) and instruments'],
    // One improvement on the tutorial: its first step is 0, losing the rest before the first note.
    representation: 'features',
  },
  params,

  encode(piece) {
    const data = new Float32Array(piece.notes.length * 3);
    // The first step counts from the start of the piece (the tutorial counts it as 0), so a round trip keeps the opening rest.
    let previous = 0;
    piece.notes.forEach((n, i) => {
      data[i * 3] = n.pitch;
      data[i * 3 + 1] = n.startSec - previous;
      data[i * 3 + 2] = n.endSec - n.startSec;
      previous = n.startSec;
    });
    return { representation: 'features', width: 3, data };
  },

  decode(encoded, _p, context) {
    if (encoded.representation !== 'features' || encoded.width !== 3) throw new Error('pitch-step-duration decodes 3 features a note');
    const notes = [];
    let start = 0;
    for (let i = 0; i < encoded.data.length / 3; i++) {
      const pitch = Math.round(encoded.data[i * 3]!);
      // As the seed does: negative steps and durations sampled by a model are clamped to zero.
      start += Math.max(0, encoded.data[i * 3 + 1]!);
      const duration = Math.max(0, encoded.data[i * 3 + 2]!);
      if (pitch >= 0 && pitch <= 127) notes.push({ pitch, velocity: 100, startSec: start, endSec: start + duration, program: 0 });
    }
    return sortNotes(withTicks(notes, context));
  },
};
