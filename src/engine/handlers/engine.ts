import { lowDiskWarning } from '../store/disk';
import { APP_VERSION } from '../version';
import type { NamespaceHandlers } from './types';

export const engineHandlers: NamespaceHandlers<'engine'> = {
  async 'engine.info'(_input, ctx) {
    const backend = await ctx.tf.backendInfo();
    return {
      app: { name: 'Etude', version: APP_VERSION },
      versions: {
        node: process.versions.node,
        electron: process.versions.electron ?? null,
        tfjs: backend.tfjsVersion,
        sqlite: ctx.store.sqliteVersion(),
      },
      backend,
      database: {
        path: ctx.store.path,
        schemaVersion: ctx.store.schemaVersion(),
        latestSchemaVersion: ctx.store.latestSchemaVersion(),
        readOnly: ctx.store.readOnly,
      },
      disk: lowDiskWarning(ctx.store.path),
      platform: `${process.platform}-${process.arch}`,
    };
  },

  'engine.ping'(input) {
    return { pong: true, echo: input.echo ?? null, at: Date.now() };
  },
};
