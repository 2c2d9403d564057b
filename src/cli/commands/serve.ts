import { fileURLToPath } from 'node:url';
import { Engine } from '../../engine/engine';
import { startServer } from '../../server/server';
import { UsageError, type Command } from '../command';

/** The built renderer that the web studio serves (electron-vite writes it here). */
export const RENDERER_DIR = fileURLToPath(new URL('../../../out/renderer', import.meta.url));

export function parsePort(value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535 (got "${value}")`);
  return port;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the web studio (engine and renderer) on 127.0.0.1',
  usage: 'etude serve [--port N] [--db PATH] [--json]',
  options: { port: { type: 'string' } },
  async run(ctx) {
    const port = parsePort(ctx.values.port as string | undefined);
    const engine = await Engine.start({ dbPath: ctx.dbPath, warmGeneration: true, libraryCare: true });
    let server;
    try {
      server = await startServer({ engine, port, staticDir: RENDERER_DIR });
    } catch (err) {
      // A busy port: say so and end (the engine's workers would keep the process alive).
      await engine.close();
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(code === 'EADDRINUSE' ? `port ${port} is in use: choose another with --port, or 0 for any free one` : (err as Error).message, { cause: err });
    }
    const summary = { url: server.studioUrl, port: server.port, db: ctx.dbPath };
    if (ctx.json) ctx.out(JSON.stringify(summary));
    else {
      ctx.out(`Etude web studio: ${server.studioUrl}`);
      ctx.out(`database: ${ctx.dbPath}`);
      ctx.out('Press Ctrl+C to stop.');
    }
    // Warm the TF worker so the first page load shows the backend without waiting.
    void engine.call('engine.info', {});
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void server
          .close()
          .then(() => engine.close())
          .then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return undefined; // summary already printed when the server started
  },
};
