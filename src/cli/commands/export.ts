import fs from 'node:fs';
import path from 'node:path';
import { sidecarName } from '../../engine/export/generations';
import { UsageError, type Command } from '../command';
import { withEngine } from '../engine-call';

export const exportCommand: Command = {
  name: 'export',
  summary: 'write generations as MIDI files for a DAW',
  usage:
    'etude export --generation ID [--generation ID ...] --out FILE.mid|DIR [--continuation-only] [--quantize 1/16] [--takes-as tracks|files] [--take N ...] [--json]\n' +
    '       one file (a .mid path) when the export is one file: all takes as tracks, or one take; otherwise a folder',
  options: {
    generation: { type: 'string', multiple: true },
    out: { type: 'string' },
    'continuation-only': { type: 'boolean' },
    quantize: { type: 'string' },
    'takes-as': { type: 'string' },
    take: { type: 'string', multiple: true },
  },
  async run(ctx) {
    const ids = ((ctx.values.generation as string[] | undefined) ?? []).map((v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--generation takes a generation id (see etude generations), not "${v}"`);
      return n;
    });
    if (ids.length === 0) throw new UsageError('--generation ID is required (etude generations lists them)');
    const out = ctx.values.out as string | undefined;
    if (!out) throw new UsageError('--out FILE.mid or DIR is required');
    const layout = (ctx.values['takes-as'] as string | undefined) ?? 'files';
    if (layout !== 'files' && layout !== 'tracks') throw new UsageError('--takes-as must be tracks (one file per generation) or files (one per take)');
    const takes = (ctx.values.take as string[] | undefined)?.map((v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 16) throw new UsageError(`--take counts from 1, not "${v}"`);
      return n - 1;
    });
    const request = {
      ids,
      part: ctx.values['continuation-only'] ? ('continuation' as const) : ('whole' as const),
      quantize: (ctx.values.quantize as string | undefined) ?? null,
      layout: layout as 'files' | 'tracks',
      ...(takes ? { takes } : {}),
    };
    const written = await withEngine(ctx.dbPath, async (call) => {
      if (/\.(mid|midi)$/i.test(out)) {
        const { files } = await call('generations.export', request);
        if (files.length !== 1) throw new UsageError(`this export makes ${files.length} files: give a folder to --out, or --takes-as tracks, or one --take`);
        fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
        fs.writeFileSync(out, Buffer.from(files[0]!.data, 'base64'));
        // The provenance beside it, as the folder export writes it.
        fs.writeFileSync(path.join(path.dirname(path.resolve(out)), sidecarName(path.basename(out))), files[0]!.sidecar.text);
        return [path.resolve(out)];
      }
      return (await call('generations.exportToFolder', { ...request, folder: path.resolve(out) })).files;
    });
    if (!ctx.json) for (const file of written) ctx.out(file);
    return { files: written };
  },
};
