import * as tf from '@tensorflow/tfjs-core';
import type { TransformerSpec } from './spec';
import { glorot, seedFor } from '../init';
import { sparseCrossEntropy } from '../layers/cross-entropy';
import { ParamSet } from '../param-set';
import type { Batch, LossResult, TokenGenerator, TokenStepper, TrainableModel } from '../types';

interface Block {
  norm1: { gain: tf.Variable; bias: tf.Variable };
  qkv: { kernel: tf.Variable; bias: tf.Variable }; // [d, 3d]
  proj: { kernel: tf.Variable; bias: tf.Variable }; // [d, d]
  norm2: { gain: tf.Variable; bias: tf.Variable };
  up: { kernel: tf.Variable; bias: tf.Variable }; // [d, ff]
  down: { kernel: tf.Variable; bias: tf.Variable }; // [ff, d]
}

const MASKED = -1e9;

/** ALiBi slopes: a geometric sequence from 2^(-8/H), one per head (Press et al., 2022). */
export function alibiSlopes(heads: number): number[] {
  return Array.from({ length: heads }, (_, h) => 2 ** (-8 * (h + 1) / heads));
}

function layerNorm(x: tf.Tensor2D, norm: { gain: tf.Variable; bias: tf.Variable }): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, 1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), norm.gain), norm.bias) as tf.Tensor2D;
}

/** GELU, tanh approximation (as GPT-2). */
function gelu(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.mul(x, tf.square(x)))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

function dense(x: tf.Tensor2D, layer: { kernel: tf.Variable; bias: tf.Variable }): tf.Tensor2D {
  return tf.add(tf.matMul(x, layer.kernel), layer.bias) as tf.Tensor2D;
}

/**
 * A decoder-only Transformer (pre-norm, GPT-2 style) predicting every next token of a window.
 * Attention runs as batched matMuls over [batch·heads, T, T]; the causal mask and the relative
 * position penalty are one precomputed additive bias per window length. The embedding is a
 * one-hot matMul while training (the WASM backend has no gather gradient) and a gather when
 * generating; generation keeps every layer's keys and values (a KV cache), so a new token costs
 * attention over the cache, not a pass over the whole window.
 */
export class Transformer implements TrainableModel, TokenGenerator {
  readonly params = new ParamSet();
  private readonly embedding: tf.Variable;
  private readonly positions: tf.Variable | null;
  private readonly blocks: Block[] = [];
  private readonly finalNorm: { gain: tf.Variable; bias: tf.Variable };
  private readonly output: { kernel: tf.Variable; bias: tf.Variable };
  private readonly slopes: number[];
  private readonly biases = new Map<number, tf.Tensor>();

  constructor(
    readonly spec: TransformerSpec,
    readonly vocabSize: number,
    readonly seed: number,
  ) {
    let k = 0;
    const next = () => seedFor(seed, k++);
    const d = spec.embedding;
    const normal = (shape: number[]) => tf.randomNormal(shape, 0, 0.02, 'float32', next());
    this.embedding = this.params.add('embedding', normal([vocabSize, d]));
    this.positions = spec.positions === 'learned' ? this.params.add('positions', normal([spec.context, d])) : null;
    const norm = (name: string) => ({ gain: this.params.add(`${name}/gain`, tf.ones([d])), bias: this.params.add(`${name}/bias`, tf.zeros([d])) });
    const linear = (name: string, input: number, output: number) => ({
      kernel: this.params.add(`${name}/kernel`, glorot([input, output], next())),
      bias: this.params.add(`${name}/bias`, tf.zeros([output])),
    });
    for (let l = 0; l < spec.layers; l++) {
      this.blocks.push({
        norm1: norm(`block${l}/norm1`),
        qkv: linear(`block${l}/qkv`, d, 3 * d),
        proj: linear(`block${l}/proj`, d, d),
        norm2: norm(`block${l}/norm2`),
        up: linear(`block${l}/up`, d, spec.feedForward),
        down: linear(`block${l}/down`, spec.feedForward, d),
      });
    }
    this.finalNorm = norm('final_norm');
    this.output = linear('output', d, vocabSize);
    this.slopes = alibiSlopes(spec.heads);
  }

  /** The additive attention bias [H, T, T]: the causal mask, plus ALiBi's distance penalty. */
  private attentionBias(length: number): tf.Tensor {
    let bias = this.biases.get(length);
    if (!bias) {
      const h = this.spec.heads;
      const values = new Float32Array(h * length * length);
      for (let head = 0; head < h; head++) {
        const slope = this.spec.positions === 'relative' ? this.slopes[head]! : 0;
        for (let i = 0; i < length; i++) {
          for (let j = 0; j < length; j++) values[(head * length + i) * length + j] = j <= i ? -slope * (i - j) : MASKED;
        }
      }
      bias = tf.keep(tf.tensor3d(values, [h, length, length]));
      this.biases.set(length, bias);
    }
    return bias;
  }

  /** [B·T, d] → [B·H, T, dh] */
  private splitHeads(x: tf.Tensor2D, batch: number, length: number): tf.Tensor3D {
    const { heads, embedding } = this.spec;
    const dh = embedding / heads;
    return tf.reshape(tf.transpose(tf.reshape(x, [batch, length, heads, dh]), [0, 2, 1, 3]), [batch * heads, length, dh]);
  }

  /** Logits [batch·length, vocab] for token windows. */
  logits(x: Int32Array, batch: number, length: number, training: boolean, step: number): tf.Tensor2D {
    const { heads, embedding: d, context } = this.spec;
    if (this.positions && length > context) throw new Error(`windows of ${length} tokens exceed the model's learned positions (${context}); raise "context" or shorten the sequence`);
    const dh = d / heads;
    const dropout = training ? this.spec.dropout : 0;
    let k = 0;
    const drop = <T extends tf.Tensor>(t: T): T => (dropout > 0 ? (tf.dropout(t, dropout, undefined, seedFor(step, 4000 + k++)) as T) : t);
    const ids = tf.tensor1d(x, 'int32');
    let h: tf.Tensor2D = tf.matMul(tf.cast(tf.oneHot(ids, this.vocabSize), 'float32'), this.embedding);
    if (this.positions) {
      const table = tf.slice(this.positions, [0, 0], [length, d]);
      h = tf.reshape(tf.add(tf.reshape(h, [batch, length, d]), table), [batch * length, d]);
    }
    h = drop(h);
    const bias = this.attentionBias(length);
    for (const block of this.blocks) {
      const [q, kk, v] = tf.split(dense(layerNorm(h, block.norm1), block.qkv), 3, 1) as tf.Tensor2D[];
      const qh = this.splitHeads(q!, batch, length);
      const kh = this.splitHeads(kk!, batch, length);
      const vh = this.splitHeads(v!, batch, length);
      // Explicit transpose: the WASM backend's transposed matMul is many times slower (matmul-gradient.ts).
      const scores = tf.mul(tf.matMul(qh, tf.transpose(kh, [0, 2, 1])), 1 / Math.sqrt(dh));
      const weights = drop(tf.softmax(tf.reshape(tf.add(tf.reshape(scores, [batch, heads, length, length]), bias), [batch * heads, length, length])));
      const attended = tf.reshape(tf.transpose(tf.reshape(tf.matMul(weights, vh), [batch, heads, length, dh]), [0, 2, 1, 3]), [batch * length, d]);
      h = tf.add(h, drop(dense(attended as tf.Tensor2D, block.proj)));
      h = tf.add(h, drop(dense(gelu(dense(layerNorm(h, block.norm2), block.up)) as tf.Tensor2D, block.down)));
    }
    return dense(layerNorm(h, this.finalNorm), this.output);
  }

  loss(batch: Batch, training: boolean, step: number): LossResult {
    if (batch.kind !== 'tokens') throw new Error('the Transformer learns token windows');
    const logits = this.logits(batch.x, batch.batch, batch.length, training, step);
    return { loss: sparseCrossEntropy(logits, batch.y) };
  }

  /**
   * Generation with a key/value cache. The cache holds at most `context` positions: with relative
   * positions the oldest simply fall away (ALiBi only sees distances); with learned positions,
   * when the table runs out, the cache is rebuilt from the last half of the history at positions
   * 0…, the way a sliding window would see it.
   */
  stepper(batch: number): TokenStepper {
    const { heads, embedding: d, context } = this.spec;
    const dh = d / heads;
    const caches: { k: tf.Tensor3D | null; v: tf.Tensor3D | null }[] = this.blocks.map(() => ({ k: null, v: null }));
    const history: Int32Array[] = [];
    let position = 0;
    const reset = () => {
      for (const c of caches) {
        tf.dispose([c.k!, c.v!].filter(Boolean));
        c.k = null;
        c.v = null;
      }
      position = 0;
    };
    const forward = (tokens: Int32Array): tf.Tensor2D =>
      tf.tidy(() => {
        let h = tf.gather(this.embedding, tf.tensor1d(tokens, 'int32')) as tf.Tensor2D;
        if (this.positions) h = tf.add(h, tf.slice(this.positions, [position, 0], [1, d]));
        this.blocks.forEach((block, l) => {
          const [q, k, v] = tf.split(dense(layerNorm(h, block.norm1), block.qkv), 3, 1).map((t) => tf.reshape(t, [batch * heads, 1, dh]) as tf.Tensor3D);
          const cache = caches[l]!;
          let keys = cache.k ? tf.concat([cache.k, k!], 1) : k!;
          let values = cache.v ? tf.concat([cache.v, v!], 1) : v!;
          if (keys.shape[1]! > context) {
            keys = tf.slice(keys, [0, 1, 0], [-1, context, -1]);
            values = tf.slice(values, [0, 1, 0], [-1, context, -1]);
          }
          if (cache.k) tf.dispose([cache.k, cache.v!]);
          cache.k = tf.keep(keys);
          cache.v = tf.keep(values);
          const t = keys.shape[1]!;
          const scores = tf.reshape(tf.mul(tf.matMul(q!, tf.transpose(keys, [0, 2, 1])), 1 / Math.sqrt(dh)), [batch, heads, 1, t]);
          let biased: tf.Tensor = scores;
          if (this.spec.positions === 'relative') {
            const penalty = new Float32Array(heads * t);
            for (let head = 0; head < heads; head++) for (let j = 0; j < t; j++) penalty[head * t + j] = -this.slopes[head]! * (t - 1 - j);
            biased = tf.add(scores, tf.tensor3d(penalty, [heads, 1, t]));
          }
          const weights = tf.reshape(tf.softmax(biased), [batch * heads, 1, t]);
          const attended = tf.reshape(tf.matMul(weights, values), [batch, d]) as tf.Tensor2D;
          h = tf.add(h, dense(attended, block.proj));
          h = tf.add(h, dense(gelu(dense(layerNorm(h, block.norm2), block.up)) as tf.Tensor2D, block.down));
        });
        return dense(layerNorm(h, this.finalNorm), this.output);
      });
    return {
      batch,
      step: (tokens) => {
        if (this.positions && position >= context) {
          const keep = history.slice(-Math.floor(context / 2));
          reset();
          for (const t of keep) {
            forward(t).dispose();
            position++;
          }
        }
        history.push(Int32Array.from(tokens));
        if (history.length > context) history.shift();
        const logits = forward(tokens);
        position++;
        const out = logits.dataSync() as Float32Array;
        logits.dispose();
        return out;
      },
      dispose: reset,
    };
  }

  dispose(): void {
    for (const bias of this.biases.values()) bias.dispose();
    this.biases.clear();
    this.params.dispose();
  }
}
