import os from 'node:os';
import type { BackendInfo } from '../../../shared/api';
import type { MachineInfo } from '../../../shared/training';

/** The machine and TF.js backend a run trains on, as the model card shows it. */
export function machineInfo(backend: BackendInfo): MachineInfo {
  return {
    os: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    backend: backend.name,
    threads: backend.threads,
    simd: backend.simd,
  };
}
