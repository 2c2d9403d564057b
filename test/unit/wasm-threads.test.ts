import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, wasmThreadCount } from '../../src/engine/tf/backend';
import type { BackendInfo } from '../../src/shared/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cores = os.availableParallelism();

/** A matrix product worked out in plain JavaScript, in float64. */
function matMulReference(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p]!;
      for (let j = 0; j < n; j++) out[i * n + j]! += av * b[p * n + j]!;
    }
  }
  return out;
}

describe('WebAssembly threads', () => {
  it('reads ETUDE_THREADS, one thread per core by default, and refuses nonsense', () => {
    expect(wasmThreadCount(undefined)).toBe(Math.min(8, cores));
    expect(wasmThreadCount('')).toBe(Math.min(8, cores));
    expect(wasmThreadCount('1')).toBe(1);
    expect(wasmThreadCount('4')).toBe(4);
    for (const bad of ['0', '9', '1.5', 'two', '-2']) expect(() => wasmThreadCount(bad)).toThrow(/ETUDE_THREADS must be a whole number from 1 to 8/);
  });

  describe('the threaded build in this process', () => {
    let info: BackendInfo;
    beforeAll(async () => {
      info = await selectBackend('wasm');
    });

    it('starts with one thread per core', (ctx) => {
      if (cores < 2) ctx.skip('this machine has one core, so the single-threaded build is the right choice');
      if (process.env.ETUDE_THREADS) ctx.skip(`ETUDE_THREADS=${process.env.ETUDE_THREADS} is set for this run`);
      expect(info.fallbackReasons).toEqual([]);
      expect(info.threads).toBe(Math.min(8, cores));
    });

    it('computes products split over the threads exactly as one thread would', () => {
      // Large enough that XNNPACK splits it into tiles across the pool.
      const [m, k, n] = [70, 300, 500];
      const a = tf.randomNormal([m, k], 0, 1, 'float32', 7);
      const b = tf.randomNormal([k, n], 0, 1, 'float32', 8);
      const got = tf.matMul(a, b).dataSync();
      const want = matMulReference(a.dataSync() as Float32Array, b.dataSync() as Float32Array, m, k, n);
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / (1 + Math.abs(want[i]!)));
      expect(worst).toBeLessThan(1e-4);
      tf.dispose([a, b]);
    });
  });

  it('lets a process that used the threads end by itself', async (ctx) => {
    if (cores < 2) ctx.skip('this machine has one core: no thread pool is started');
    // The pool's threads are referenced by Emscripten while they run; the backend unreferences them.
    const script = [
      "import { register } from 'tsx/esm/api';",
      'register();',
      "const { selectBackend } = await import('./src/engine/tf/backend.ts');",
      "const tf = await import('@tensorflow/tfjs-core');",
      "const info = await selectBackend('wasm');",
      'tf.matMul(tf.ones([64, 256]), tf.ones([256, 256])).dataSync();',
      'console.log(JSON.stringify({ threads: info.threads }));',
    ].join('\n');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: root, env: { ...process.env, ETUDE_THREADS: '2' } });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise<number | string>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve('still running after 60 s');
      }, 60_000);
      child.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode ?? -1);
      });
    });
    expect(code).toBe(0);
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ threads: 2 });
  }, 90_000);
});
