/**
 * What a shipped base model's card file (resources/base-models/NAME.json, written by
 * `etude train-base`) tells a musician: the music it learned, under which licences, and how well
 * it predicts pieces it never saw. Read when its card is shown; a missing or damaged file gives none.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { BaseModelAbout } from '../../shared/training';
import { resourcesDir } from '../resources';

// Only what a card shows (zod leaves out the rest of the file).
const CardFile = z.object({
  summary: z.string(),
  corpora: z.array(z.object({ title: z.string(), licence: z.string() })),
  pieces: z.number(),
  notes: z.number(),
  heldOut: z
    .object({ pieces: z.number(), notes: z.number(), natsPerNote: z.number(), exact: z.boolean() })
    .nullish()
    .transform((v) => v ?? null),
  madeAt: z.string(),
});

export function baseModelAbout(baseName: string): BaseModelAbout | undefined {
  const file = path.join(resourcesDir(), 'base-models', `${path.basename(baseName)}.json`);
  try {
    return CardFile.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch {
    return undefined;
  }
}
