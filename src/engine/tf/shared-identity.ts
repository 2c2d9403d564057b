import * as tf from '@tensorflow/tfjs-core';

/**
 * `tf.clone` (the Identity kernel) on the WebAssembly backend shares the tensor's memory, counted
 * by reference, as the CPU backend's does; the stock kernel copies every number. Tensors are never
 * written in place, so a shared copy cannot change under anyone. It matters because every tensor a
 * custom gradient saves is cloned: the copies cost 2–5 ms a training step.
 */
export function registerSharedIdentity(): void {
  if (tf.getKernel(tf.Identity, 'wasm') !== undefined) tf.unregisterKernel(tf.Identity, 'wasm');
  tf.registerKernel({
    kernelName: tf.Identity,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      if (x.dtype === 'string') throw new Error('Identity of string tensors is not used by the studio');
      (backend as unknown as { incRef(dataId: tf.DataId): void }).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
}
