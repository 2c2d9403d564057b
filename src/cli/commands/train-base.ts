import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE_MODELS, baseModelNamed } from '../../engine/base-models/catalog';
import { trainBaseModel } from '../../engine/base-models/train';
import { UsageError, type Command } from '../command';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const trainBaseCommand: Command = {
  name: 'train-base',
  summary: 'make a shipped base model again from its corpora (npm run train-base -- NAME), with its card',
  usage: `etude train-base NAME [--shared DIR: the folder holding base-corpora/ and benchmarks/, default ../shared] [--minutes M] [--out DIR] [--json]   (NAME: ${BASE_MODELS.map((b) => b.name).join(', ')})`,
  options: { minutes: { type: 'string' }, shared: { type: 'string' }, out: { type: 'string' } },
  async run(ctx) {
    const name = ctx.positionals[0];
    const definition = name ? baseModelNamed(name) : undefined;
    if (!definition) throw new UsageError(`name a base model: ${BASE_MODELS.map((b) => b.name).join(', ')}`);
    const minutes = ctx.values.minutes === undefined ? undefined : Number(ctx.values.minutes);
    if (minutes !== undefined && !(minutes > 0)) throw new UsageError('--minutes is a number above 0');
    const sharedDir = path.resolve((ctx.values.shared as string | undefined) ?? path.join(REPO_ROOT, '../shared'));
    const missing = definition.corpora.map((c) => c.path.split('#')[0]!).filter((p) => !fs.existsSync(path.join(sharedDir, p)));
    if (missing.length > 0) {
      throw new UsageError(
        `${definition.name} is trained from ${missing.map((p) => `${p}/`).join(', ')} under ${sharedDir}, which ${missing.length === 1 ? 'is' : 'are'} not there: ` +
          'pass the folder that holds them with --shared DIR (the team kit, ../shared beside the repo, is the default)',
      );
    }
    const outDir = path.resolve((ctx.values.out as string | undefined) ?? path.join(REPO_ROOT, 'resources/base-models'));
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-train-base-'));
    try {
      const card = await trainBaseModel(definition, { sharedDir, outDir, workDir, ...(minutes ? { minutes } : {}), log: (line) => ctx.err(line) });
      if (!ctx.json) ctx.out(`${card.title}: ${path.join(outDir, `${card.name}.etude-model`)} (${(card.fileBytes / 2 ** 20).toFixed(1)} MB), ${card.heldOut.natsPerNote?.toFixed(3)} nats a note on ${card.heldOut.pieces} held-out pieces`);
      return card;
    } finally {
      fs.rmSync(workDir, { recursive: true, force: true });
    }
  },
};
