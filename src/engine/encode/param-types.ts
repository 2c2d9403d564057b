import { z } from 'zod';

/** A boolean parameter that also reads "true"/"false" from the command line (`--param onsets=false`). */
export function flag(defaultValue: boolean) {
  return z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v))])
    .default(defaultValue);
}
