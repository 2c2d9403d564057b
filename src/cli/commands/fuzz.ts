import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileCampaign, seedFiles, serverCampaign } from '../../engine/fuzz/campaign';
import { modelFileCampaign } from '../../engine/fuzz/model-files';
import { UsageError, type Command } from '../command';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const fuzzCommand: Command = {
  name: 'fuzz',
  summary: 'fuzz campaigns (npm run fuzz): mutated MIDI and ABC imported through the reader, damaged model files imported, malformed requests against etude serve',
  usage: 'etude fuzz [--cases N] [--requests N] [--models N] [--seed S] [--corpora DIR] [--keep DIR] [--json]',
  options: { cases: { type: 'string' }, requests: { type: 'string' }, models: { type: 'string' }, seed: { type: 'string' }, corpora: { type: 'string' }, keep: { type: 'string' } },
  async run(ctx) {
    const count = (value: unknown, fallback: number, flag: string) => {
      const n = value === undefined ? fallback : Number(value);
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} is a whole number`);
      return n;
    };
    const cases = count(ctx.values.cases, 20_000, '--cases');
    const requests = count(ctx.values.requests, Math.min(2000, Math.ceil(cases / 10)), '--requests');
    const modelCases = count(ctx.values.models, Math.min(5000, Math.ceil(cases / 4)), '--models');
    const seed = count(ctx.values.seed, 1, '--seed');
    const corpora = path.resolve((ctx.values.corpora as string | undefined) ?? process.env.ETUDE_CORPORA ?? path.join(REPO_ROOT, 'test/fixtures'));
    const seeds = seedFiles([path.join(corpora, 'nottingham-jigs'), path.join(corpora, 'piano-midi'), path.join(REPO_ROOT, 'resources/starter')]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-fuzz-'));
    try {
      const keep = ctx.values.keep ? path.resolve(String(ctx.values.keep)) : undefined;
      if (keep) fs.mkdirSync(keep, { recursive: true });
      const files = await fileCampaign({ cases, seed, seeds, dir, ...(keep ? { keep } : {}), onProgress: (done) => !ctx.json && process.stderr.isTTY && process.stderr.write(`\rfiles: ${done}/${cases}\x1b[K`) });
      if (!ctx.json) ctx.err('');
      const models = modelFileCampaign({ cases: modelCases, seed, dir });
      const server = await serverCampaign({ cases: requests, seed, dir, etudeBin: path.join(REPO_ROOT, 'bin/etude.mjs') });
      if (!ctx.json) {
        ctx.out(`files: ${files.cases} cases (${files.midi} MIDI, ${files.abc} ABC), ${files.imported} imported, ${files.refused} refused by name; reader stopped ${files.readerStopped}, timed out ${files.timedOut}, out of memory ${files.outOfMemory}, unexpected errors ${files.unexpected.length}`);
        ctx.out(`slowest file ${files.slowestMs} ms (${files.slowestCase}); peak memory ${files.peakRssMb} MB; database: ${files.integrity}, ${files.halfWritten} half-written pieces; ${files.corpusOperations.join('; ')}`);
        ctx.out(`model files: ${models.cases} cases, ${models.imported} imported, ${models.refused} refused by name, unexpected errors ${models.unexpected.length}; slowest ${models.slowestMs} ms; peak memory ${models.peakRssMb} MB; database: ${models.integrity}`);
        ctx.out(`server: ${server.cases} malformed requests, ${server.crashes} crashes; answers ${JSON.stringify(server.statuses)}`);
      }
      return { files, models, server };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
