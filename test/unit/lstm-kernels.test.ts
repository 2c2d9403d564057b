import fs from 'node:fs';
import { spawn } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/tf/backend';
import { LSTM_FORWARD, lstmKernelsApply } from '../../src/engine/tf/kernels/lstm-kernels';
import { generateKernelModule, generatedPath } from '../../scripts/build-wasm-kernels.mjs';
import { REPO_ROOT } from '../helpers/repo';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Runs a script in a fresh Node process (tsx for the TypeScript), returning its last output line as JSON. */
async function inChild(script: string, env: Record<string, string>): Promise<unknown> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', ["import { register } from 'tsx/esm/api';", 'register();', script].join('\n')], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? -1)));
  if (code !== 0) throw new Error(`child exited ${code}: ${stderr.slice(-2000)}`);
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

describe('LSTM kernels of the WebAssembly backend', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('ship assembled from their .wat source (run scripts/build-wasm-kernels.mjs after editing it)', async () => {
    expect(fs.readFileSync(generatedPath, 'utf8')).toBe(await generateKernelModule());
  });

  it('compute the gates to float precision, saturating cleanly far from zero', () => {
    const U = 8;
    const B = 4;
    // Every gate of every row gets values from −100 to 100, including exact zero.
    const values = Float32Array.from({ length: B * 4 * U }, (_, k) => (k % 2 === 0 ? 1 : -1) * [0, 1e-4, 0.3, 1, 2.5, 9, 20, 40, 88, 100][k % 10]!);
    const xw = tf.tensor3d(values, [1, B, 4 * U]);
    const [hidden, act, cell] = tf.engine().runKernel(LSTM_FORWARD, { xw, recurrent: tf.zeros([U, 4 * U]) }) as tf.Tensor[];
    const a = act!.dataSync();
    const h = hidden!.dataSync();
    const c = cell!.dataSync();
    let worst = 0;
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < U; j++) {
        const z = (g: number) => values[b * 4 * U + g * U + j]!;
        const want = [sigmoid(z(0)), sigmoid(z(1)), Math.tanh(z(2)), sigmoid(z(3))];
        for (let g = 0; g < 4; g++) worst = Math.max(worst, Math.abs(a[b * 4 * U + g * U + j]! - want[g]!));
        const cWant = want[0]! * want[2]!; // zero previous cell state
        worst = Math.max(worst, Math.abs(c[b * U + j]! - cWant), Math.abs(h[b * U + j]! - want[3]! * Math.tanh(cWant)));
      }
    }
    expect(Number.isFinite(worst)).toBe(true);
    expect(worst).toBeLessThan(5e-7);
  });

  it('let NaN through, so a diverging run is still caught by its loss', () => {
    const xw = tf.tensor3d(Float32Array.from({ length: 16 }, (_, k) => (k % 4 === 1 ? NaN : 0.5)), [1, 1, 16]);
    const [hidden, act] = tf.engine().runKernel(LSTM_FORWARD, { xw, recurrent: tf.zeros([4, 16]) }) as tf.Tensor[];
    const a = act!.dataSync();
    for (let k = 0; k < 16; k++) expect(Number.isNaN(a[k]!), `gate value ${k}`).toBe(k % 4 === 1);
    expect(Array.from(hidden!.dataSync()).map(Number.isNaN)).toEqual([false, true, false, false]);
  });

  it('refuse unit counts the four-lane cell cannot take (those use TF.js ops)', () => {
    expect(lstmKernelsApply(128)).toBe(true);
    expect(lstmKernelsApply(130)).toBe(false);
  });

  it('work on the single-threaded build too (its memory is not shared)', async () => {
    const result = (await inChild(
      [
        "const { selectBackend } = await import('./src/engine/tf/backend.ts');",
        "const { lstmKernelsApply } = await import('./src/engine/tf/kernels/lstm-kernels.ts');",
        "const { recurrenceErrors } = await import('./test/helpers/lstm-reference.ts');",
        "const info = await selectBackend('wasm');",
        'console.log(JSON.stringify({ threads: info.threads, fused: lstmKernelsApply(64), ...recurrenceErrors(12, 8, 64) }));',
      ].join('\n'),
      { ETUDE_THREADS: '1' },
    )) as { threads: number; fused: boolean; output: number; dInput: number; dRecurrent: number };
    expect(result.threads).toBe(1);
    expect(result.fused).toBe(true);
    expect(result.output).toBeLessThan(1e-5);
    expect(result.dInput).toBeLessThan(1e-4);
    expect(result.dRecurrent).toBeLessThan(1e-4);
  }, 60_000);
});

describe('tf.clone on the WebAssembly backend', () => {
  it('shares the memory, which outlives the original', async () => {
    await selectBackend('wasm');
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const x = tf.tensor1d([1, 2, 3]);
    const before = backend.numDataIds();
    const copy = tf.clone(x);
    expect(backend.numDataIds()).toBe(before);
    x.dispose();
    expect(Array.from(copy.dataSync())).toEqual([1, 2, 3]);
    expect(backend.numDataIds()).toBe(before);
    copy.dispose();
    expect(backend.numDataIds()).toBe(before - 1);
  });
});
