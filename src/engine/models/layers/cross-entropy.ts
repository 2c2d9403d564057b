import * as tf from '@tensorflow/tfjs-core';
import { NO_TARGET } from '../types';
import { CROSS_ENTROPY, CROSS_ENTROPY_GRAD, crossEntropyKernelsApply } from '../../tf/kernels/cross-entropy-kernels';

/**
 * Softmax cross-entropy of logits [N, C] against one class id per row, averaged over the rows that
 * have one (NO_TARGET marks padding): every
 * classifier head's loss. On the WebAssembly backend it is one fused kernel each way (see
 * tf/kernels/cross-entropy-kernels.ts); elsewhere TF.js ops.
 */
export function sparseCrossEntropy(logits: tf.Tensor2D, targets: Int32Array): tf.Scalar {
  const [rows, classes] = logits.shape;
  if (targets.length !== rows) throw new Error(`cross-entropy: ${targets.length} targets for ${rows} rows of logits`);
  const outside = targets.findIndex((t) => !((t >= 0 && t < classes) || t === NO_TARGET));
  if (outside >= 0) throw new Error(`cross-entropy: target ${targets[outside]} (row ${outside}) is not one of the ${classes} classes`);
  if (!crossEntropyKernelsApply()) {
    // Rows without a target (padding) weigh nothing; the mean is over the rows that have one.
    const counted = targets.reduce((n, t) => n + (t === NO_TARGET ? 0 : 1), 0);
    const onehot = tf.cast(tf.oneHot(tf.tensor1d(targets, 'int32'), classes), 'float32');
    return tf.div(tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), onehot))), Math.max(1, counted)) as tf.Scalar;
  }
  const fused = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    const [probs, loss] = tf.engine().runKernel(CROSS_ENTROPY, { logits: x }, { targets } as unknown as tf.NamedAttrMap) as tf.Tensor[];
    save([probs!]);
    return {
      value: loss!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.engine().runKernel(CROSS_ENTROPY_GRAD, { probs: saved[0]!, dy }, { targets } as unknown as tf.NamedAttrMap) as tf.Tensor,
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return fused(logits) as tf.Scalar;
}
