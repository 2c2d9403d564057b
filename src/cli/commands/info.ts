import type { EngineInfo } from '../../shared/api';
import type { Command } from '../command';
import { withEngine } from '../engine-call';

function describe(info: EngineInfo): string[] {
  const b = info.backend;
  return [
    `Etude ${info.app.version} (${info.platform})`,
    `database   ${info.database.path} (schema ${info.database.schemaVersion})`,
    `backend    ${b.name}, ${b.threads} thread${b.threads === 1 ? '' : 's'}${b.simd ? ', SIMD' : ''}${b.fusedKernels ? ', fused kernels' : ''}`,
    ...b.fallbackReasons.map((r) => `           ${r}`),
    `versions   node ${info.versions.node}, electron ${info.versions.electron ?? '-'}, tfjs ${info.versions.tfjs}, sqlite ${info.versions.sqlite}`,
    ...(info.database.readOnly ? [`read-only  ${info.database.readOnly}`] : []),
    ...(info.disk?.warning ? [`disk       ${info.disk.warning}`] : []),
  ];
}

export const infoCommand: Command = {
  name: 'info',
  summary: 'show the backend, threads, database and versions',
  usage: 'etude info [--json] [--db PATH]',
  options: {},
  async run(ctx) {
    const info = await withEngine(ctx.dbPath, (call) => call('engine.info', {}));
    if (!ctx.json) describe(info).forEach((line) => ctx.out(line));
    return info;
  },
};
