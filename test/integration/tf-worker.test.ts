import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { TfClient } from '../../src/engine/workers/tf-client';
import { Store } from '../../src/engine/store/store';
import { tempDir } from '../helpers/tmp';

const clients: TfClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
});

function client(preference?: string, options: { threads?: number; native?: boolean } = {}, dbPath = path.join(os.tmpdir(), 'no-such-etude.db')): TfClient {
  const c = new TfClient({ path: dbPath }, preference, options);
  clients.push(c);
  return c;
}

describe('TF worker backend selection', () => {
  it('falls back from native TensorFlow to WebAssembly when tfjs-node is not installed', async (ctx) => {
    let nativeInstalled = true;
    try {
      await import('@tensorflow/tfjs-node' as string);
    } catch {
      nativeInstalled = false;
    }
    if (nativeInstalled) ctx.skip('native TensorFlow is installed on this machine, so auto rightly picks it');
    const info = await client('auto').backendInfo();
    expect(info.name).toBe('wasm');
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(info.fallbackReasons.join(' ')).toMatch(/tfjs-node/);
  });

  it('honours a forced backend and reuses one worker', async () => {
    const c = client('cpu');
    const first = await c.backendInfo();
    expect(first.name).toBe('cpu');
    expect(await c.backendInfo()).toBe(first);
  });

  it('gives a worker the threads it is started with, and can leave native TensorFlow out (the generation worker)', async () => {
    const info = await client('auto', { threads: 1, native: false }).backendInfo();
    expect(info.name).toBe('wasm');
    expect(info.threads).toBe(1);
    // Native TensorFlow was not tried at all, so no reason is given for passing it over.
    expect(info.fallbackReasons.join(' ')).not.toMatch(/tfjs-node|native/);
  });

  it('reports an invalid backend name', async () => {
    await expect(client('gpu').backendInfo()).rejects.toThrow(/ETUDE_BACKEND must be/);
  });
});

describe('TF worker jobs', () => {
  it("carries a job's failure across with its error kind, and keeps answering after it", async () => {
    const dir = tempDir('tf-client');
    const file = path.join(dir, 'etude.db');
    Store.open(file).close();
    const c = client('cpu', {}, file);
    // No such checkpoint: the store's not_found reaches the caller as not_found, not as a bare string.
    const missing = c.request('evaluate', { checkpointId: 999 }).done;
    await expect(missing).rejects.toMatchObject({ kind: 'not_found', message: expect.stringMatching(/no checkpoint with id 999/) });
    const again = c.request('evaluate', { checkpointId: 998 }).done;
    await expect(again).rejects.toMatchObject({ kind: 'not_found' });
    expect(c.isRunning('nothing')).toBe(false);
  });

  it('fails every pending job as unavailable when the worker dies, and starts a fresh one for the next', async () => {
    const dir = tempDir('tf-client');
    const file = path.join(dir, 'etude.db');
    Store.open(file).close();
    const c = client('cpu', {}, file);
    await c.backendInfo();
    const a = c.request('evaluate', { checkpointId: 1 }, { id: 'a' });
    expect(() => c.request('evaluate', { checkpointId: 1 }, { id: 'a' })).toThrow(/already running/);
    await c.close(); // terminates the thread, as a crash would
    await expect(a.done).rejects.toMatchObject({ kind: 'unavailable' });
    expect((await c.backendInfo()).name).toBe('cpu');
    expect(fs.existsSync(file)).toBe(true);
  });
});
