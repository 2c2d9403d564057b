import type { MethodName, MethodResult, ParsedInput } from '../shared/api';
import type { EngineContext } from './context';
import { APP_VERSION } from './version';

export type Handlers = {
  [M in MethodName]: (input: ParsedInput<M>, ctx: EngineContext) => Promise<MethodResult<M>> | MethodResult<M>;
};

/** One handler per API method; each area of the engine adds its own as it arrives. */
export const handlers: Handlers = {
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
      },
      platform: `${process.platform}-${process.arch}`,
    };
  },

  'engine.ping'(input) {
    return { pong: true, echo: input.echo ?? null, at: Date.now() };
  },
};
