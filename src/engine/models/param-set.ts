import * as tf from '@tensorflow/tfjs-core';

export interface ManifestEntry {
  name: string;
  shape: number[];
}

let instances = 0;

/**
 * A model's trainable variables in a fixed order, created from seeded initialisers and saved as
 * one Float32 buffer plus a manifest of names and shapes. Each instance prefixes its variable
 * names, because TF.js refuses two live variables of one name in a thread.
 */
export class ParamSet {
  private readonly prefix = `p${++instances}`;
  readonly entries: { name: string; variable: tf.Variable }[] = [];

  add(name: string, value: tf.Tensor): tf.Variable {
    const variable = tf.variable(value, true, `${this.prefix}/${name}`);
    value.dispose();
    this.entries.push({ name, variable });
    return variable;
  }

  get variables(): tf.Variable[] {
    return this.entries.map((e) => e.variable);
  }

  count(): number {
    return this.entries.reduce((n, e) => n + e.variable.size, 0);
  }

  manifest(): ManifestEntry[] {
    return this.entries.map((e) => ({ name: e.name, shape: e.variable.shape }));
  }

  async save(): Promise<Uint8Array> {
    return concatTensors(this.variables);
  }

  /** Loads weights saved by `save`, checking every name and shape against this model's. */
  load(manifest: ManifestEntry[], bytes: Uint8Array): void {
    if (manifest.length !== this.entries.length) throw new Error(`the checkpoint has ${manifest.length} weights, the model ${this.entries.length}`);
    const floats = toFloat32(bytes);
    let at = 0;
    this.entries.forEach((e, i) => {
      const m = manifest[i]!;
      if (m.name !== e.name || m.shape.join('x') !== e.variable.shape.join('x')) {
        throw new Error(`checkpoint weight ${i} is ${m.name} [${m.shape}], the model wants ${e.name} [${e.variable.shape}]`);
      }
      const size = e.variable.size;
      assignOwned(e.variable, tf.tensor(floats.subarray(at, at + size), e.variable.shape));
      at += size;
    });
    if (at !== floats.length) throw new Error('the checkpoint holds more numbers than the model');
  }

  /**
   * Loads another model's weights into this one where they fit: a weight of the same name and
   * shape is copied; one that differs along a single axis where this model is larger (a
   * vocabulary grown by fine-tuning: embedding rows, output columns) fills the leading slice and
   * keeps this model's fresh initialisation for the rest. Anything else is refused with the reason.
   */
  loadOverlapping(manifest: ManifestEntry[], bytes: Uint8Array): { copied: number; widened: string[] } {
    const floats = toFloat32(bytes);
    const saved = new Map<string, { shape: number[]; at: number }>();
    let at = 0;
    for (const m of manifest) {
      saved.set(m.name, { shape: m.shape, at });
      at += m.shape.reduce((a, b) => a * b, 1);
    }
    if (at !== floats.length) throw new Error(`the checkpoint holds ${floats.length} numbers, its manifest ${at}`);
    const widened: string[] = [];
    for (const e of this.entries) {
      const s = saved.get(e.name);
      if (!s) throw new Error(`the checkpoint has no weight ${e.name}: its architecture differs`);
      const size = s.shape.reduce((a, b) => a * b, 1);
      const values = tf.tensor(floats.subarray(s.at, s.at + size), s.shape);
      const shape = e.variable.shape;
      const differing = shape.map((d, i) => (d === s.shape[i] ? -1 : i)).filter((i) => i >= 0);
      if (s.shape.length !== shape.length || differing.length > 1 || (differing.length === 1 && s.shape[differing[0]!]! > shape[differing[0]!]!)) {
        values.dispose();
        throw new Error(`weight ${e.name} is [${s.shape}] in the checkpoint and [${shape}] here: the models differ in more than their vocabulary`);
      }
      if (differing.length === 0) assignOwned(e.variable, values);
      else {
        const axis = differing[0]!;
        const begin = shape.map((_, i) => (i === axis ? s.shape[axis]! : 0));
        const rest = shape.map((d, i) => (i === axis ? d - s.shape[axis]! : d));
        assignOwned(e.variable, tf.tidy(() => tf.concat([values, tf.slice(e.variable, begin, rest)], axis)));
        values.dispose();
        widened.push(e.name);
      }
    }
    return { copied: this.entries.length, widened };
  }

  dispose(): void {
    for (const e of this.entries) e.variable.dispose();
    this.entries.length = 0;
  }
}

/**
 * Gives a variable a new value and lets go of the value's tensor: TF.js's assign() shares the
 * value's buffer and takes a reference of its own, so the tensor passed in would otherwise stay
 * alive (with the weights' bytes) after the variable is disposed — a model's worth per load.
 */
export function assignOwned(variable: tf.Variable, value: tf.Tensor): void {
  variable.assign(value);
  value.dispose();
}

export function toFloat32(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

export async function concatTensors(tensors: tf.Tensor[]): Promise<Uint8Array> {
  const total = tensors.reduce((n, t) => n + t.size, 0);
  const out = new Float32Array(total);
  let at = 0;
  for (const t of tensors) {
    out.set((await t.data()) as Float32Array, at);
    at += t.size;
  }
  return new Uint8Array(out.buffer);
}

/** Adam's running powers β₁ᵗ and β₂ᵗ (private fields of TF.js's Adam). */
interface AdamPowers {
  accBeta1?: tf.Variable;
  accBeta2?: tf.Variable;
}

/**
 * Optimizer state (Adam's moments, RMSprop's accumulators, the iteration count) as bytes and
 * shapes, plus Adam's running powers: TF.js recomputes those with pow() on restore, which differs
 * in the last bits from the product it keeps while training, so a resumed run would drift.
 */
export async function saveOptimizer(optimizer: tf.Optimizer): Promise<{ shapes: number[][]; bytes: Uint8Array; powers: number[] | null }> {
  const weights = await optimizer.getWeights();
  const adam = optimizer as unknown as AdamPowers;
  const powers = adam.accBeta1 && adam.accBeta2 ? [(await adam.accBeta1.data())[0]!, (await adam.accBeta2.data())[0]!] : null;
  const saved = { shapes: weights.map((w) => w.tensor.shape), bytes: await concatTensors(weights.map((w) => w.tensor)), powers };
  // getWeights() makes a new scalar of the iteration count each call (the rest are the optimizer's own variables).
  tf.dispose(weights.filter((w) => !(w.tensor instanceof tf.Variable)).map((w) => w.tensor));
  return saved;
}

export async function loadOptimizer(optimizer: tf.Optimizer, shapes: number[][], bytes: Uint8Array, powers: number[] | null = null): Promise<void> {
  const floats = toFloat32(bytes);
  let at = 0;
  const weights = shapes.map((shape, i) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const tensor = tf.tensor(floats.subarray(at, at + size), shape);
    at += size;
    return { name: `w${i}`, tensor };
  });
  await optimizer.setWeights(weights);
  // The optimizer's variables took references of their own (and it read the iteration count): ours go.
  tf.dispose(weights.map((w) => w.tensor));
  const adam = optimizer as unknown as AdamPowers;
  if (powers && adam.accBeta1 && adam.accBeta2) {
    assignOwned(adam.accBeta1, tf.scalar(powers[0]!));
    assignOwned(adam.accBeta2, tf.scalar(powers[1]!));
  }
}
