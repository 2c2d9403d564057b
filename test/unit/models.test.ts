import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, expectedManifest, parameterCount } from '../../src/engine/models/registry';
import { PRESETS } from '../../src/engine/models/registry';
import { modelSpec } from '../../src/shared/training';
import { selectBackend } from '../../src/engine/tf/backend';

describe('model specs', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('counts the parameters of every preset exactly as the built model has them', () => {
    for (const preset of PRESETS) {
      const vocab = 97;
      const visible = 16 * 158; // an RBM over 16 piano-roll rows
      const model = createModel(preset.spec, vocab, 1, { visible });
      expect(parameterCount(preset.spec, vocab, visible), preset.name).toBe(model.params.count());
      model.dispose();
    }
  }, 60_000); // builds seed 000's 5.6 million parameters

  it('lists, without building, exactly the weights each architecture builds (what a model file is checked against)', () => {
    const specs = [
      { arch: 'lstm', embedding: 5, units: 6, layers: 2, dense: 7 },
      { arch: 'lstm', input: 'scaled', units: 4, layers: 1, dense: 0 },
      { arch: 'bigru', embedding: 5, units: 4, layers: 2, dense: 6 },
      { arch: 'psd-lstm', units: 6, layers: 2 },
      { arch: 'rbm', hidden: 5 },
      { arch: 'transformer', embedding: 8, heads: 2, layers: 2, feedForward: 12, context: 16, positions: 'learned' },
      { arch: 'transformer', embedding: 8, heads: 2, layers: 1, feedForward: 12, context: 16, positions: 'relative' },
    ];
    for (const raw of specs) {
      const spec = modelSpec.parse(raw);
      const model = createModel(spec, 11, 1, { visible: 24 });
      const listed = expectedManifest(spec, 11, 24);
      expect(listed, JSON.stringify(raw)).toEqual(model.params.manifest());
      expect(listed.reduce((n, e) => n + e.shape.reduce((a, b) => a * b, 1), 0)).toBe(parameterCount(spec, 11, 24));
      model.dispose();
    }
  });

  it('gives the same initial weights for the same seed, and other weights for another', async () => {
    const spec = modelSpec.parse({ arch: 'bigru', embedding: 8, units: 6, layers: 2, dense: 10 });
    const [a, b, c] = [createModel(spec, 20, 7), createModel(spec, 20, 7), createModel(spec, 20, 8)];
    const bytes = async (m: typeof a) => Buffer.from(await m.params.save());
    expect((await bytes(a)).equals(await bytes(b))).toBe(true);
    expect((await bytes(a)).equals(await bytes(c))).toBe(false);
    [a, b, c].forEach((m) => m.dispose());
  });
});

describe('orthogonal initialiser', () => {
  it('makes orthonormal columns (or rows) quickly and deterministically', async () => {
    const { orthogonal } = await import('../../src/engine/models/init');
    const tf = await import('@tensorflow/tfjs-core');
    const started = performance.now();
    const q = orthogonal([512, 512], 3);
    expect(performance.now() - started).toBeLessThan(5000);
    const gram = tf.matMul(tf.transpose(q), q);
    expect(tf.max(tf.abs(tf.sub(gram, tf.eye(512)))).dataSync()[0]).toBeLessThan(1e-4);
    const wide = orthogonal([3, 7], 4);
    expect(tf.max(tf.abs(tf.sub(tf.matMul(wide, tf.transpose(wide)), tf.eye(3)))).dataSync()[0]).toBeLessThan(1e-5);
    expect(Buffer.from(orthogonal([5, 5], 9).dataSync().buffer).equals(Buffer.from(orthogonal([5, 5], 9).dataSync().buffer))).toBe(true);
  });
});

describe('gradient passes', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('a batch taken in passes makes the same update as in one pass', async () => {
    const { makeOptimizer, trainStep } = await import('../../src/engine/jobs/train/step');
    const spec = modelSpec.parse({ arch: 'lstm', embedding: 8, units: 12, layers: 2, dense: 6, dropout: 0 });
    const [whole, parts] = [createModel(spec, 17, 3), createModel(spec, 17, 3)];
    const x = Int32Array.from({ length: 10 * 7 }, (_, i) => (i * 7) % 17);
    const y = Int32Array.from({ length: 10 * 7 }, (_, i) => (i * 5 + 3) % 17);
    const batch = { kind: 'tokens' as const, x, y, batch: 10, length: 7 };
    const a = await trainStep(whole, makeOptimizer({ optimizer: 'sgd', learningRate: 0.5 }), batch, 1, 0);
    const b = await trainStep(parts, makeOptimizer({ optimizer: 'sgd', learningRate: 0.5 }), batch, 1, 0, 3); // passes of 3, 3, 3 and 1 rows
    expect(b.loss).toBeCloseTo(a.loss, 5);
    const [wa, wb] = [new Float32Array((await whole.params.save()).buffer), new Float32Array((await parts.params.save()).buffer)];
    let max = 0;
    for (let i = 0; i < wa.length; i++) max = Math.max(max, Math.abs(wa[i]! - wb[i]!));
    expect(max).toBeLessThan(1e-5);
    // And the step did move the weights (the comparison above is not of two untouched models).
    const fresh = new Float32Array((await createModel(spec, 17, 3).params.save()).buffer);
    expect(fresh.some((v, i) => Math.abs(v - wa[i]!) > 1e-3)).toBe(true);
    [whole, parts].forEach((m) => m.dispose());
  });

  it('splits only batches whose activations would not fit the pass budget', async () => {
    const { rowsPerPass } = await import('../../src/engine/models/registry');
    expect(rowsPerPass(PRESETS.find((p) => p.name === 'seed000')!.spec, 358, 100, 128)).toBeLessThan(64);
    expect(rowsPerPass(PRESETS.find((p) => p.name === 'lstm-small')!.spec, 200, 50, 64)).toBe(64);
  });
});

describe('the architecture registry', () => {
  it('lists every architecture folder once: adding one is a folder and a line', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const { ARCHITECTURES } = await import('../../src/engine/models/registry');
    const folder = path.resolve(import.meta.dirname, '../../src/engine/models');
    const folders = fs.readdirSync(folder).filter((f) => fs.existsSync(path.join(folder, f, 'index.ts')));
    expect(folders.sort()).toEqual(ARCHITECTURES.map((a) => a.name).sort());
    for (const a of ARCHITECTURES) {
      expect(a.presets.map((p) => p.name)).toContain(a.defaultPreset);
      for (const p of a.presets) expect(p.spec.arch).toBe(a.name);
    }
  });

  it('describes each setting for a form from its schema, and names a bad or unknown one', async () => {
    const { architectureInfos, parseSpec } = await import('../../src/engine/models/registry');
    const transformer = architectureInfos().find((a) => a.name === 'transformer')!;
    expect(transformer.fields.find((f) => f.key === 'positions')).toMatchObject({ kind: 'choice', choices: ['relative', 'learned'], default: 'relative', label: 'Positions' });
    expect(transformer.fields.find((f) => f.key === 'heads')).toMatchObject({ kind: 'integer', min: 1, max: 32, default: 4 });
    for (const a of architectureInfos()) for (const f of a.fields) expect(f.label, `${a.name}.${f.key}`).toBeTruthy();
    expect(parseSpec({ arch: 'lstm' })).toMatchObject({ units: 256, layers: 1, dense: 256 });
    expect(() => parseSpec({ arch: 'lstm', units: 0 })).toThrow(/spec\.units/);
    expect(() => parseSpec({ arch: 'lstm', colour: 3 })).toThrow(/colour/);
    expect(() => parseSpec({ arch: 'mamba' })).toThrow(/unknown architecture "mamba".*lstm, bigru/);
    expect(() => parseSpec({ arch: 'transformer', embedding: 30, heads: 4 })).toThrow(/multiple of heads/);
  });
});
