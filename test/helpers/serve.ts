import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { ETUDE_BIN } from './repo';

export interface ServedStudio {
  studioUrl: string;
  base: string;
  token: string;
  stop(): Promise<void>;
}

/** Starts the real `etude serve` as a child process on a free port with the given database. */
export async function serveStudio(dbPath: string): Promise<ServedStudio> {
  const child: ChildProcess = spawn(process.execPath, [ETUDE_BIN, 'serve', '--port', '0', '--json', '--db', dbPath], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`etude serve exited early (code ${code})`)));
  });
  const { url } = JSON.parse(line) as { url: string };
  const parsed = new URL(url);
  return {
    studioUrl: url,
    base: parsed.origin,
    token: parsed.searchParams.get('token')!,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
