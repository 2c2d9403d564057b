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

const CardFile = z.object({
  summary: z.string(),
  corpora: z.array(z.object({ title: z.string(), licence: z.string() })),
  pieces: z.number(),
  notes: z.number(),
  heldOut: z.object({ pieces: z.number(), notes: z.number(), natsPerNote: z.number(), exact: z.boolean() }).nullable().optional(),
  madeAt: z.string(),
});

export function baseModelAbout(baseName: string): BaseModelAbout | undefined {
  const file = path.join(resourcesDir(), 'base-models', `${path.basename(baseName)}.json`);
  try {
    const card = CardFile.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return {
      summary: card.summary,
      corpora: card.corpora.map(({ title, licence }) => ({ title, licence })),
      pieces: card.pieces,
      notes: card.notes,
      heldOut: card.heldOut ? { pieces: card.heldOut.pieces, notes: card.heldOut.notes, natsPerNote: card.heldOut.natsPerNote, exact: card.heldOut.exact } : null,
      madeAt: card.madeAt,
    };
  } catch {
    return undefined;
  }
}
