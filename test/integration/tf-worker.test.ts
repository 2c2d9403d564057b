import { afterEach, describe, expect, it } from 'vitest';
import { TfHost } from '../../src/engine/workers/tf-host';

const hosts: TfHost[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
});

function host(preference?: string, options: { threads?: number; native?: boolean } = {}): TfHost {
  const h = new TfHost(preference, options);
  hosts.push(h);
  return h;
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
    const info = await host('auto').backendInfo();
    expect(info.name).toBe('wasm');
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(info.fallbackReasons.join(' ')).toMatch(/tfjs-node/);
  });

  it('honours a forced backend and reuses one worker', async () => {
    const h = host('cpu');
    const first = await h.backendInfo();
    expect(first.name).toBe('cpu');
    expect(await h.backendInfo()).toBe(first);
  });

  it('gives a worker the threads it is started with, and can leave native TensorFlow out (the generation worker)', async () => {
    const info = await host('auto', { threads: 1, native: false }).backendInfo();
    expect(info.name).toBe('wasm');
    expect(info.threads).toBe(1);
    // Native TensorFlow was not tried at all, so no reason is given for passing it over.
    expect(info.fallbackReasons.join(' ')).not.toMatch(/tfjs-node|native/);
  });

  it('reports an invalid backend name', async () => {
    await expect(host('gpu').backendInfo()).rejects.toThrow(/ETUDE_BACKEND must be/);
  });
});
