import { z } from 'zod';

/**
 * Seed 002: embedding → bidirectional GRU layers → dense with LeakyReLU → softmax, predicting the
 * step after a window from the whole window (many-to-one: a bidirectional layer sees the future).
 */
export const bigruSpec = z
  .object({
    arch: z.literal('bigru'),
    embedding: z.number().int().min(1).max(2048).default(100),
    units: z.number().int().min(1).max(2048).default(128),
    layers: z.number().int().min(1).max(8).default(3),
    dense: z.number().int().min(1).max(4096).default(256),
    dropout: z.number().min(0).max(0.9).default(0),
  })
  .strict();

export type BigruSpec = z.infer<typeof bigruSpec>;
