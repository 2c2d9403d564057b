import { z } from 'zod';

/** Seed 001: a restricted Boltzmann machine over windows of the note-state matrix, trained with CD-k. */
export const rbmSpec = z
  .object({
    arch: z.literal('rbm'),
    hidden: z.number().int().min(1).max(8192).default(64),
    /** Gibbs steps of contrastive divergence (seed 001: 1). */
    cdK: z.number().int().min(1).max(100).default(1),
  })
  .strict();

export type RbmSpec = z.infer<typeof rbmSpec>;
