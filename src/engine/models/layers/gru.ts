import * as tf from '@tensorflow/tfjs-core';
import { transposedProduct } from '../../tf/matmul-gradient';
import { timeSteps } from '../../tf/time-steps';

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
