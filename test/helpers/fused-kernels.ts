/** Runs `run` with the hand-written WebAssembly kernels on or off (`ETUDE_FUSED_KERNELS`), restoring the setting after. */
export function withFusedKernels<T>(on: boolean, run: () => T): T {
  const saved = process.env.ETUDE_FUSED_KERNELS;
  process.env.ETUDE_FUSED_KERNELS = on ? '1' : '0';
  try {
    return run();
  } finally {
    if (saved === undefined) delete process.env.ETUDE_FUSED_KERNELS;
    else process.env.ETUDE_FUSED_KERNELS = saved;
  }
}
