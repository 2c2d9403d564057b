import { z } from 'zod';

/** Seed 004: (pitch, step, duration) → LSTM → a pitch head (128 logits) and step and duration heads. */
export const psdLstmSpec = z
  .object({
    arch: z.literal('psd-lstm'),
    units: z.number().int().min(1).max(4096).default(128),
    layers: z.number().int().min(1).max(8).default(1),
  })
  .strict();

export type PsdLstmSpec = z.infer<typeof psdLstmSpec>;
