import * as tf from '@tensorflow/tfjs-core';
import { transposedProduct } from '../../tf/matmul-gradient';
import { reverseTime, timeSteps } from '../../tf/time-steps';
import { GRU_BACKWARD, GRU_FORWARD, gruKernelsApply } from '../../tf/kernels/gru-kernels';

/**
 * The GRU recurrence as Keras computes it by default (reset gate applied after the recurrent
 * matMul, separate recurrent bias), with a hand-written backward pass. `xw` holds every
 * timestep's input projections with the input bias, time-major [T, B, 3U], gates in Keras order
 * z (update), r (reset), h (candidate); `recurrent` is [U, 3U] and `recurrentBias` [3U].
 * Returns every hidden state, time-major [T, B, U], from zero initial state.
 *
 *   hu = h·U + b_r;  z = σ(x_z + hu_z);  r = σ(x_r + hu_r);  n = tanh(x_h + r ⊙ hu_h);  h' = z ⊙ h + (1 − z) ⊙ n
 */
export const gruRecurrence = tf.customGrad(((xw: tf.Tensor, recurrent: tf.Tensor, recurrentBias: tf.Tensor, save: tf.GradSaveFunc) => {
  const [T, B, G] = xw.shape as [number, number, number];
  const U = G / 3;
  const steps = timeSteps(xw) as tf.Tensor2D[];
  let h: tf.Tensor2D = tf.zeros([B, U]);
  const hs: tf.Tensor2D[] = [];
  const record = { hPrev: [] as tf.Tensor[], z: [] as tf.Tensor[], r: [] as tf.Tensor[], n: [] as tf.Tensor[], hh: [] as tf.Tensor[] };
  for (let t = 0; t < T; t++) {
    const [z, r, n, hh, hNext] = tf.tidy(() => {
      const hu = tf.add(tf.matMul(h, recurrent), recurrentBias);
      const [xz, xr, xh] = tf.split(steps[t]!, 3, 1);
      const [uz, ur, uh] = tf.split(hu, 3, 1);
      const gz = tf.sigmoid(tf.add(xz!, uz!));
      const gr = tf.sigmoid(tf.add(xr!, ur!));
      const gn = tf.tanh(tf.add(xh!, tf.mul(gr, uh!)));
      const next = tf.add(tf.mul(gz, h), tf.mul(tf.sub(1, gz), gn));
      return [gz, gr, gn, uh!, next] as tf.Tensor2D[];
    });
    record.hPrev.push(h);
    record.z.push(z!);
    record.r.push(r!);
    record.n.push(n!);
    record.hh.push(hh!);
    h = hNext!;
    hs.push(h);
  }
  for (const s of steps) s.dispose();
  const value = tf.stack(hs, 0);
  const keys = ['hPrev', 'z', 'r', 'n', 'hh'] as const;
  save([recurrent, ...keys.flatMap((k) => record[k])]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const kernel = saved[0]!;
      const [hPrev, zs, rs, ns, hhs] = keys.map((_, k) => saved.slice(1 + k * T, 1 + (k + 1) * T));
      const dys = timeSteps(dy);
      const kernelT = tf.transpose(kernel);
      let dhNext: tf.Tensor = tf.zeros([B, U]);
      const dxs: tf.Tensor[] = new Array(T);
      const dhus: tf.Tensor[] = new Array(T);
      for (let t = T - 1; t >= 0; t--) {
        const [dx, dhu, dhn] = tf.tidy(() => {
          const [z, r, n, hh, hp] = [zs![t]!, rs![t]!, ns![t]!, hhs![t]!, hPrev![t]!];
          const dh = tf.add(dys[t]!, dhNext);
          const dan = tf.mul(tf.mul(dh, tf.sub(1, z)), tf.sub(1, tf.square(n)));
          const daz = tf.mul(tf.mul(dh, tf.sub(hp, n)), tf.mul(z, tf.sub(1, z)));
          const dar = tf.mul(tf.mul(dan, hh), tf.mul(r, tf.sub(1, r)));
          const dRec = tf.concat([daz, dar, tf.mul(dan, r)], 1);
          return [tf.concat([daz, dar, dan], 1), dRec, tf.add(tf.mul(dh, z), tf.matMul(dRec, kernelT))];
        });
        dhNext.dispose();
        dxs[t] = dx!;
        dhus[t] = dhu!;
        dhNext = dhn!;
      }
      const dxw = tf.stack(dxs, 0);
      const dhu = tf.concat(dhus, 0); // [T·B, 3U]
      const dKernel = transposedProduct(tf.concat(hPrev!, 0) as tf.Tensor2D, dhu as tf.Tensor2D);
      const dBias = tf.sum(dhu, 0);
      return [dxw, dKernel, dBias];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (xw: tf.Tensor, recurrent: tf.Tensor, recurrentBias: tf.Tensor) => tf.Tensor;

interface GruWeights {
  kernel: tf.Tensor; // [D, 3U]
  bias: tf.Tensor; // [3U], input bias
  recurrent: tf.Tensor; // [U, 3U]
  recurrentBias: tf.Tensor; // [3U]
}

/**
 * One GRU direction over time-major sequences [T, B, D] → hidden states [T, B, U] in the input's
 * time order; `reverse` runs it from the last timestep to the first (the backward direction of a
 * bidirectional layer, whose final state is then at t = 0). On the WebAssembly backend's kernels
 * the input projection and the recurrence are one op with its own backward pass, the weights'
 * gradients each one product over all timesteps (as `lstmLayerTimeMajor`).
 */
export function gruLayerTimeMajor(seq: tf.Tensor3D, weights: GruWeights, reverse: boolean): tf.Tensor3D {
  const [T, B, D] = seq.shape;
  const G = weights.bias.shape[0]!;
  if (gruKernelsApply(G / 3)) {
    const layer = reverse ? fusedLayerReversed : fusedLayerForward;
    return layer(seq, weights.kernel, weights.bias, weights.recurrent, weights.recurrentBias) as tf.Tensor3D;
  }
  const xw = tf.reshape(tf.add(tf.matMul(tf.reshape(seq, [T * B, D]), weights.kernel), weights.bias), [T, B, G]);
  if (!reverse) return gruRecurrence(xw, weights.recurrent, weights.recurrentBias) as tf.Tensor3D;
  return reverseTime(gruRecurrence(reverseTime(xw), weights.recurrent, weights.recurrentBias)) as tf.Tensor3D;
}

function fusedLayer(reverse: boolean) {
  return tf.customGrad(((seq: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor, recurrent: tf.Tensor, recurrentBias: tf.Tensor, save: tf.GradSaveFunc) => {
    const [T, B, D] = seq.shape as [number, number, number];
    const G = bias.shape[0]!;
    const U = G / 3;
    const xw = tf.reshape(tf.fused.matMul({ a: tf.reshape(seq, [T * B, D]), b: kernel as tf.Tensor2D, bias }), [T, B, G]);
    const [hidden, act] = tf.engine().runKernel(GRU_FORWARD, { xw, recurrent, recurrentBias }, { reverse }) as tf.Tensor[];
    xw.dispose();
    save([seq, kernel, recurrent, hidden!, act!]);
    return {
      value: hidden!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [x, inputKernel, recurrentKernel, hiddenSaved, actSaved] = saved as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor3D, tf.Tensor3D];
        const [dx, dhu] = tf.engine().runKernel(GRU_BACKWARD, { dy, act: actSaved, hidden: hiddenSaved, recurrentT: tf.transpose(recurrentKernel) }, { reverse }) as tf.Tensor3D[];
        const dxRows = tf.reshape(dx!, [T * B, G]) as tf.Tensor2D;
        const dxT = tf.transpose(dxRows);
        const dhuT = tf.transpose(tf.reshape(dhu!, [T * B, G]));
        // The state each timestep started from: the one before it in the direction of travel (zero first).
        const zeros = tf.zeros([1, B, U]);
        const others = T === 1 ? null : reverse ? tf.slice(hiddenSaved, [1, 0, 0], [T - 1, B, U]) : tf.slice(hiddenSaved, [0, 0, 0], [T - 1, B, U]);
        const hPrev = others === null ? zeros : tf.concat(reverse ? [others, zeros] : [zeros, others], 0);
        const dKernel = tf.transpose(tf.matMul(dxT, tf.reshape(x, [T * B, D])));
        const dRecurrent = tf.transpose(tf.matMul(dhuT, tf.reshape(hPrev, [T * B, U])));
        const dSeq = tf.reshape(tf.matMul(dxRows, tf.transpose(inputKernel)), [T, B, D]);
        return [dSeq, dKernel, tf.sum(dxT, 1), dRecurrent, tf.sum(dhuT, 1)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as (seq: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor, recurrent: tf.Tensor, recurrentBias: tf.Tensor) => tf.Tensor;
}

const fusedLayerForward = fusedLayer(false);
const fusedLayerReversed = fusedLayer(true);
