import * as tf from '@tensorflow/tfjs-core';
import { transposedProduct } from '../../tf/matmul-gradient';
import { timeSteps } from '../../tf/time-steps';
import { LSTM_BACKWARD, LSTM_FORWARD, lstmKernelsApply } from '../../tf/kernels/lstm-kernels';

/**
 * The LSTM recurrence in TF.js ops with a hand-written backward pass (tf.customGrad), for
 * backends without the fused kernels (see `lstmLayerTimeMajor`). Inputs are the input
 * projections of every timestep, already computed in one matMul with the bias added
 * (`xw`, time-major [T, B, 4U], gates in Keras order i, f, c, o), and the recurrent kernel
 * `recurrent` [U, 4U]. Returns every hidden state, time-major [T, B, U], from zero initial state.
 *
 * The generic gradient tape spends ~17× the forward time on this loop on the WASM backend; here
 * the backward is a few elementwise ops and one small matMul a step, and the recurrent kernel's
 * gradient is one large matMul over all timesteps.
 */
export const lstmRecurrence = tf.customGrad(((xw: tf.Tensor, recurrent: tf.Tensor, save: tf.GradSaveFunc) => {
  const [T, B, G] = xw.shape as [number, number, number];
  const U = G / 4;
  const steps = timeSteps(xw) as tf.Tensor2D[];
  let h: tf.Tensor2D = tf.zeros([B, U]);
  let c: tf.Tensor2D = tf.zeros([B, U]);
  const hs: tf.Tensor2D[] = [];
  const record = { hPrev: [] as tf.Tensor[], cPrev: [] as tf.Tensor[], i: [] as tf.Tensor[], f: [] as tf.Tensor[], g: [] as tf.Tensor[], o: [] as tf.Tensor[], tc: [] as tf.Tensor[] };
  for (let t = 0; t < T; t++) {
    // One timestep in its own scope: only what the backward pass needs outlives it.
    const [i, f, g, o, cNext, tc, hNext] = tf.tidy(() => {
      const z = tf.add(steps[t]!, tf.matMul(h, recurrent));
      const [zi, zf, zg, zo] = tf.split(z, 4, 1);
      const gi = tf.sigmoid(zi!);
      const gf = tf.sigmoid(zf!);
      const gg = tf.tanh(zg!);
      const go = tf.sigmoid(zo!);
      const cn = tf.add(tf.mul(gf, c), tf.mul(gi, gg));
      const tcn = tf.tanh(cn);
      return [gi, gf, gg, go, cn, tcn, tf.mul(go, tcn)] as tf.Tensor2D[];
    });
    record.hPrev.push(h);
    record.cPrev.push(c);
    record.i.push(i!);
    record.f.push(f!);
    record.g.push(g!);
    record.o.push(o!);
    record.tc.push(tc!);
    c = cNext!;
    h = hNext!;
    hs.push(h);
  }
  for (const s of steps) s.dispose();
  const value = tf.stack(hs, 0);
  // Saved step by step: stacking and unstacking [T, B, U] tensors costs more than the backward itself.
  const keys = ['hPrev', 'cPrev', 'i', 'f', 'g', 'o', 'tc'] as const;
  save([recurrent, ...keys.flatMap((k) => record[k])]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const kernel = saved[0]!;
      const [hPrev, cPrev, is, fs, gs, os, tcs] = keys.map((_, k) => saved.slice(1 + k * T, 1 + (k + 1) * T));
      const dys = timeSteps(dy);
      const kernelT = tf.transpose(kernel);
      const one = tf.scalar(1);
      // The factors of the backward that depend on the forward activations alone, for every
      // timestep in a few large ops: each step below is then 7 small ops instead of 26.
      //   dz = [dc·g·i(1−i) | dc·c₋₁·f(1−f) | dc·i(1−g²) | dh·tanh(c)·o(1−o)],  dc += dh·o(1−tanh²(c))
      const [factors, cellFactors] = tf.tidy(() => {
        const [I, F, Gc, O, TC, CP] = [is!, fs!, gs!, os!, tcs!, cPrev!].map((steps) => tf.stack(steps, 0));
        const sigmoidSlope = (s: tf.Tensor) => tf.mul(s, tf.sub(one, s));
        const gates = tf.concat(
          [tf.mul(Gc!, sigmoidSlope(I!)), tf.mul(CP!, sigmoidSlope(F!)), tf.mul(I!, tf.sub(one, tf.square(Gc!))), tf.mul(TC!, sigmoidSlope(O!))],
          2,
        );
        return [timeSteps(gates), timeSteps(tf.mul(O!, tf.sub(one, tf.square(TC!))))];
      });
      let dhNext: tf.Tensor = tf.zeros([B, U]);
      let dcNext: tf.Tensor = tf.zeros([B, U]);
      const dz: tf.Tensor[] = new Array(T);
      for (let t = T - 1; t >= 0; t--) {
        const [dzt, dcn, dhn] = tf.tidy(() => {
          const dh = tf.add(dys[t]!, dhNext);
          const dc = tf.add(tf.mul(dh, cellFactors![t]!), dcNext);
          const z = tf.mul(tf.concat([dc, dc, dc, dh], 1), factors![t]!);
          return [z, tf.mul(dc, fs![t]!), tf.matMul(z, kernelT)];
        });
        dhNext.dispose();
        dcNext.dispose();
        dz[t] = dzt!;
        dcNext = dcn!;
        dhNext = dhn!;
      }
      tf.dispose([...factors!, ...cellFactors!]);
      const dxw = tf.stack(dz, 0);
      // dKernel = Σ_t h_{t-1}ᵀ dz_t, as one matMul over all timesteps (the faster orientation: see matmul-gradient.ts).
      const dKernel = transposedProduct(tf.concat(hPrev!, 0) as tf.Tensor2D, tf.reshape(dxw, [T * B, G]));
      return [dxw, dKernel];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (xw: tf.Tensor, recurrent: tf.Tensor) => tf.Tensor;

/**
 * One LSTM layer over time-major sequences [T, B, D] → hidden states [T, B, U]: the input
 * projection of every timestep (one matMul, bias fused) and the recurrence. On the WebAssembly
 * backend's kernels the whole layer is one op with its own backward pass, which lays the
 * weight gradients out so the gate gradients are transposed once (not once per weight, plus once
 * inside the bias's Sum), and every weight's gradient comes from one product:
 * [dKernel; dRecurrent]ᵀ = dzᵀ·[x | h₋₁], dBias = the row sums of dzᵀ.
 */
export function lstmLayerTimeMajor(seq: tf.Tensor3D, kernel: tf.Tensor2D, recurrent: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor3D {
  const [T, B, D] = seq.shape;
  const G = bias.shape[0];
  if (lstmKernelsApply(G / 4)) return fusedLayer(seq, kernel, recurrent, bias) as tf.Tensor3D;
  const xw = tf.reshape(tf.add(tf.matMul(tf.reshape(seq, [T * B, D]), kernel), bias), [T, B, G]);
  return lstmRecurrence(xw, recurrent) as tf.Tensor3D;
}

const fusedLayer = tf.customGrad(((seq: tf.Tensor, kernel: tf.Tensor, recurrent: tf.Tensor, bias: tf.Tensor, save: tf.GradSaveFunc) => {
  const [T, B, D] = seq.shape as [number, number, number];
  const G = bias.shape[0]!;
  const U = G / 4;
  const xw = tf.reshape(tf.fused.matMul({ a: tf.reshape(seq, [T * B, D]), b: kernel as tf.Tensor2D, bias }), [T, B, G]);
  const [hidden, act, cell] = tf.engine().runKernel(LSTM_FORWARD, { xw, recurrent }) as tf.Tensor[];
  xw.dispose();
  save([seq, kernel, recurrent, hidden!, act!, cell!]);
  return {
    value: hidden!,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [x, inputKernel, recurrentKernel, hiddenSaved, actSaved, cellSaved] = saved as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
      const dz = tf.engine().runKernel(LSTM_BACKWARD, { dy, act: actSaved, cell: cellSaved, recurrentT: tf.transpose(recurrentKernel) }) as tf.Tensor3D;
      const dzRows = tf.reshape(dz, [T * B, G]) as tf.Tensor2D;
      const dzT = tf.transpose(dzRows);
      // Each row: this timestep's input, then the previous hidden state (zero before the first).
      const hPrev = T === 1 ? tf.zeros([B, U]) : tf.concat([tf.zeros([B, U]), tf.reshape(tf.slice(hiddenSaved, [0, 0, 0], [T - 1, B, U]), [(T - 1) * B, U])], 0);
      // One product over [x | h₋₁] (measured faster than two), its rows then split (contiguous slices).
      const weights = tf.transpose(tf.matMul(dzT, tf.concat([tf.reshape(x, [T * B, D]), hPrev], 1)));
      const dKernel = tf.slice(weights, [0, 0], [D, G]);
      const dRecurrent = tf.slice(weights, [D, 0], [U, G]);
      const dSeq = tf.reshape(tf.matMul(dzRows, tf.transpose(inputKernel)), [T, B, D]);
      return [dSeq, dKernel, dRecurrent, tf.sum(dzT, 1)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (seq: tf.Tensor, kernel: tf.Tensor, recurrent: tf.Tensor, bias: tf.Tensor) => tf.Tensor;
