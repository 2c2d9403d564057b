import { z } from 'zod';

export const lstmSpec = z
  .object({
    arch: z.literal('lstm'),
    /**
     * How a token enters the network: through a learned embedding, or as the one number
     * id ÷ vocabulary size (seed 000's Keras model read its notes that way; kept for imported models).
     */
    input: z.enum(['embedding', 'scaled']).optional(),
    embedding: z.number().int().min(1).max(2048).default(64),
    units: z.number().int().min(1).max(4096).default(256),
    layers: z.number().int().min(1).max(8).default(1),
    /** Dropout between recurrent layers and before the output layer (seed 000: 0.3). */
    dropout: z.number().min(0).max(0.9).default(0),
    /** Width of the dense layer before the output (0 = none). */
    dense: z.number().int().min(0).max(4096).default(256),
  })
  .strict();

export type LstmSpec = z.infer<typeof lstmSpec>;
