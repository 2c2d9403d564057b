import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackendInfo } from '../../src/shared/api';
import { REPO_ROOT } from '../helpers/repo';

/**
 * The desktop app runs the TF worker from the build (out/main/tf-worker.js), not from source.
 * Electron cannot start here, but the bundled worker is plain Node: start it as the app would and
 * check it chooses a backend (a bundling fault, such as two declarations of one name in the
 * bundle's scope, stops it before it can answer).
 */
describe('the built TF worker (desktop bundle)', () => {
  const workers: Worker[] = [];
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.terminate();
  });

  function start(env: NodeJS.ProcessEnv): Promise<BackendInfo> {
    const file = path.join(REPO_ROOT, 'out/main/tf-worker.js');
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first (npm test does)`);
    const worker = new Worker(file, { env });
    workers.push(worker);
    return new Promise<BackendInfo>((resolve, reject) => {
      worker.on('message', (m: { type: string; backend?: BackendInfo; message?: string }) => {
        if (m.type === 'ready') resolve(m.backend!);
        else if (m.type === 'error') reject(new Error(m.message));
      });
      worker.once('error', reject);
      worker.postMessage({ type: 'init', backend: 'wasm' });
    });
  }

  it('starts and chooses the WebAssembly backend with the threads it is given', async () => {
    const two = await start({ ...process.env, ETUDE_THREADS: '2' });
    expect(two.name).toBe('wasm');
    expect(two.threads).toBe(2);
    const one = await start({ ...process.env, ETUDE_THREADS: '1' });
    expect(one.threads).toBe(1);
  }, 60_000);
});
