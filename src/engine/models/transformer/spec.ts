import { z } from 'zod';

/**
 * A decoder-only Transformer over tokens (pre-norm, as GPT-2): causal self-attention with either
 * relative positions (ALiBi: a per-head penalty growing with distance, so generation can run past
 * the training window) or learned absolute positions up to `context`.
 */
export const transformerSpec = z
  .object({
    arch: z.literal('transformer'),
    /** Model width (embedding size); a multiple of `heads`. */
    embedding: z.number().int().min(8).max(2048).default(128),
    heads: z.number().int().min(1).max(32).default(4),
    layers: z.number().int().min(1).max(24).default(3),
    /** Width of each block's feed-forward layer. */
    feedForward: z.number().int().min(8).max(8192).default(512),
    dropout: z.number().min(0).max(0.9).default(0.1),
    positions: z.enum(['relative', 'learned']).default('relative'),
    /** Learned positions: the longest context the model can see (at least the sequence length). */
    context: z.number().int().min(2).max(8192).default(512),
  })
  .strict()
  .refine((s) => s.embedding % s.heads === 0, { message: 'embedding must be a multiple of heads', path: ['embedding'] });

export type TransformerSpec = z.infer<typeof transformerSpec>;
