import { z } from 'zod';
import { sortNotes, withSeconds } from './timeline';
import type { Encoding, NoteEvent } from './types';

const params = z
  .object({
    lowest: z.coerce.number().int().min(0).max(127).default(24),
    highest: z.coerce.number().int().min(0).max(127).default(102),
    /** Steps a beat (4 = sixteenth notes, as seed 001). */
    stepsPerBeat: z.coerce.number().int().min(1).max(48).default(4),
  })
  .strict()
  .refine((p) => p.highest > p.lowest, { message: 'highest must be above lowest' });

type Params = z.infer<typeof params>;

/**
 * Seed 001 (the RBM): a note-state matrix, one row a step, two bits a pitch from `lowest` to
 * `highest` interleaved as in the seed — play (the pitch sounds) and articulate (it is struck now).
 */
export const pianoRoll: Encoding<Params> = {
  info: {
    kind: 'piano-roll',
    version: 1,
    title: 'Piano roll',
    musical: "Which keys are down on each sixteenth note, C1 to F♯7: seed 001's reading, for piano textures.",
    seed: 'seed 001: RBM over a note-state matrix',
    defaults: params.parse({}),
    paramLabels: { lowest: 'Lowest key (MIDI number)', highest: 'Highest key (MIDI number)', stepsPerBeat: 'Steps a beat' },
    paramHelp: {
      lowest: 'lowest MIDI pitch kept (24 = C1)',
      highest: 'highest MIDI pitch kept (102 = F#7)',
      stepsPerBeat: 'time steps a beat (4 = sixteenths)',
    },
    resolution: 'pitches in range, onsets and lengths on the step grid',
    loses: ['pitches outside the range kept (C1 to F♯7)', 'timing finer than a step', 'velocity (decoded as 100) and instruments'],
    representation: 'binary',
  },
  params,

  encode(piece, p) {
    const span = p.highest - p.lowest + 1;
    const width = span * 2;
    const step = piece.ppq / p.stepsPerBeat;
    const kept = piece.notes.filter((n) => n.pitch >= p.lowest && n.pitch <= p.highest);
    // A loop, not Math.max(...): a piece of 150,000 notes overflows the stack as arguments.
    const steps = kept.reduce((most, n) => Math.max(most, Math.round(n.endTick / step), Math.round(n.startTick / step) + 1), 0);
    const data = new Uint8Array(steps * width);
    for (const n of kept) {
      const from = Math.round(n.startTick / step);
      const to = Math.max(from + 1, Math.round(n.endTick / step));
      const col = (n.pitch - p.lowest) * 2;
      for (let s = from; s < to; s++) data[s * width + col] = 1;
      data[from * width + col + 1] = 1;
    }
    return { representation: 'binary', width, data };
  },

  decode(encoded, p, context) {
    if (encoded.representation !== 'binary') throw new Error('piano-roll decodes a binary matrix');
    const span = p.highest - p.lowest + 1;
    if (encoded.width !== span * 2) throw new Error(`piano-roll rows must be ${span * 2} wide`);
    const step = context.ppq / p.stepsPerBeat;
    const steps = encoded.data.length / encoded.width;
    const notes: Omit<NoteEvent, 'startSec' | 'endSec'>[] = [];
    for (let k = 0; k < span; k++) {
      let start = -1;
      for (let s = 0; s <= steps; s++) {
        const play = s < steps && encoded.data[s * encoded.width + k * 2] === 1;
        const strike = s < steps && encoded.data[s * encoded.width + k * 2 + 1] === 1;
        if (start >= 0 && (!play || strike)) {
          notes.push({ pitch: p.lowest + k, velocity: 100, startTick: Math.round(start * step), endTick: Math.round(s * step), program: 0 });
          start = -1;
        }
        if (play && start < 0) start = s;
      }
    }
    return sortNotes(withSeconds(notes, context));
  },
};
