/** Batches of windows as a model reads them, and the validation pass over held-out windows. */
import * as tf from '@tensorflow/tfjs-core';
import { binaryBatch, featureBatch, tokenBatch, type TranspositionTable, type Windows } from '../../dataset/sequence-dataset';
import { NO_TARGET, type Batch, type TrainableModel } from '../../models/types';

/** How a batch's windows are transposed: a semitone shift per window, through the token table where there is one. */
export interface Shifts {
  table: TranspositionTable | null;
  shifts: number[];
}

/** The batch for some windows, tokens or features as the vocabulary holds. */
export function batchOf(windows: Windows, ids: ArrayLike<number>, transpose: Shifts | null): Batch {
  const n = windows.sequenceLength;
  if (windows.dataset.representation === 'binary') {
    return { kind: 'binary', x: binaryBatch(windows, ids), batch: ids.length, length: n, width: windows.dataset.width };
  }
  if (windows.dataset.representation === 'features') {
    const { x, y } = featureBatch(windows, ids, transpose?.shifts);
    return { kind: 'features', x, y, batch: ids.length, length: n, width: windows.dataset.width };
  }
  const { x, y } = tokenBatch(windows, ids, transpose?.table ? { table: transpose.table, shifts: transpose.shifts } : undefined);
  return { kind: 'tokens', x, y, batch: ids.length, length: n };
}

/** Sums of per-head losses, weighted, and their means. */
export class HeadSums {
  private readonly sums: Record<string, number> = {};
  private weight = 0;

  add(heads: Record<string, number> | null, weight = 1): void {
    if (heads) for (const [k, v] of Object.entries(heads)) this.sums[k] = (this.sums[k] ?? 0) + v * weight;
    this.weight += weight;
  }

  mean(): Record<string, number> | null {
    const keys = Object.keys(this.sums);
    return keys.length === 0 || this.weight === 0 ? null : Object.fromEntries(keys.map((k) => [k, this.sums[k]! / this.weight]));
  }
}

/** Targets a batch holds: every position, but padding in token windows. */
export function targetsOf(batch: Batch): number {
  if (batch.kind !== 'tokens') return batch.batch * batch.length;
  let n = 0;
  for (const t of batch.y) if (t !== NO_TARGET) n++;
  return n;
}

/** Mean loss a target (and per-head losses) over validation windows (non-overlapping), without dropout. */
export function validate(model: TrainableModel, windows: Windows, batchSize: number): { loss: number; heads: Record<string, number> | null } | null {
  if (windows.count === 0) return null;
  let sum = 0;
  let n = 0;
  const heads = new HeadSums();
  for (let start = 0; start < windows.count; start += batchSize) {
    const ids = Array.from({ length: Math.min(batchSize, windows.count - start) }, (_, i) => start + i);
    const batch = batchOf(windows, ids, null);
    // Batches weigh by their targets (padding has none): the mean is a target's, as the loss is.
    const weight = targetsOf(batch);
    tf.tidy(() => {
      const result = model.loss(batch, false, 0);
      sum += result.loss.dataSync()[0]! * weight;
      heads.add(result.heads ? Object.fromEntries(Object.entries(result.heads).map(([k, t]) => [k, t.dataSync()[0]!])) : null, weight);
    });
    n += weight;
  }
  return { loss: sum / n, heads: heads.mean() };
}
