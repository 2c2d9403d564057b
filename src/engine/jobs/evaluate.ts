/** Scoring a checkpoint on its run's validation pieces, by kind of token (runs in the TF worker). */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelEvaluation } from '../../shared/evaluation';
import { SequenceDataset, WindowSet, binaryBatch, featureBatch } from '../dataset/sequence-dataset';
import { tokenType } from '../encode/token-types';
import type { JobRunner } from './job-context';
import { loadCheckpointModel } from './generate/load';

const BATCH = 32;

export const evaluateCheckpoint: JobRunner<'evaluate'> = async ({ checkpointId }, { store }): Promise<ModelEvaluation> => {
  const started = performance.now();
  let loaded: ReturnType<typeof loadCheckpointModel> | null = null;
  try {
    const checkpoint = store.runs.checkpoint(checkpointId);
    loaded = loadCheckpointModel(store, checkpoint);
    const { model, info, vocab, window } = loaded;
    const hp = store.runs.run(checkpoint.runId).hyperparams;
    const dataset = SequenceDataset.load(store, info.vocabularyId);
    const split = dataset.split({ sequenceLength: hp.sequenceLength, validationFraction: hp.validationFraction, validationTitles: hp.validationTitles, seed: hp.seed });
    // The held-out pieces, in windows that do not overlap (as validation during training).
    const validation = new WindowSet(dataset, split.validation.pieces.length > 0 ? split.validation.pieces : split.train.pieces, window, window);
    const base = { modelId: info.id, checkpointId, epoch: checkpoint.epoch, windows: validation.count };
    if (vocab.representation !== 'tokens') {
      // Several heads or a reconstruction: the model's own validation losses.
      const heads: Record<string, number> = {};
      let loss = 0;
      let n = 0;
      for (let start = 0; start < validation.count; start += BATCH) {
        const ids = Array.from({ length: Math.min(BATCH, validation.count - start) }, (_, i) => start + i);
        const batch =
          vocab.representation === 'features'
            ? { kind: 'features' as const, ...featureBatch(validation, ids), batch: ids.length, length: window, width: dataset.width }
            : { kind: 'binary' as const, x: binaryBatch(validation, ids), batch: ids.length, length: window, width: dataset.width };
        tf.tidy(() => {
          const r = model.loss(batch, false, 0);
          loss += r.loss.dataSync()[0]! * ids.length;
          for (const [k, t] of Object.entries(r.heads ?? {})) heads[k] = (heads[k] ?? 0) + t.dataSync()[0]! * ids.length;
        });
        n += ids.length;
      }
      const mean = n > 0 ? loss / n : 0;
      return { ...base, tokens: n * window, loss: mean, perplexity: Math.exp(mean), accuracy: 0, byType: [], heads: Object.fromEntries(Object.entries(heads).map(([k, v]) => [k, v / Math.max(1, n)])), seconds: (performance.now() - started) / 1000 };
    }
    const types = vocab.tokens.map((t) => tokenType(vocab.encoding, t));
    const sums = new Map<string, { tokens: number; loss: number; right: number }>();
    const logitsOf = model as unknown as { logits(x: Int32Array, b: number, t: number, training: boolean, step: number): tf.Tensor2D };
    for (let start = 0; start < validation.count; start += BATCH) {
      const ids = Array.from({ length: Math.min(BATCH, validation.count - start) }, (_, i) => start + i);
      const { x, y } = validation.tokenBatch(ids);
      const [logProbs, rows] = tf.tidy(() => {
        const logits = logitsOf.logits(x, ids.length, window, false, 0);
        return [tf.logSoftmax(logits).dataSync() as Float32Array, logits.shape[0]] as const;
      });
      const V = vocab.tokens.length;
      // Models that predict every next token give B·T rows; a many-to-one model (seed 002) gives B, for the last.
      const targets = rows === ids.length * window ? y : Int32Array.from(ids, (_, b) => y[b * window + window - 1]!);
      for (let r = 0; r < rows; r++) {
        const target = targets[r]!;
        let argmax = 0;
        for (let v = 1; v < V; v++) if (logProbs[r * V + v]! > logProbs[r * V + argmax]!) argmax = v;
        const type = types[target]!;
        const s = sums.get(type) ?? { tokens: 0, loss: 0, right: 0 };
        s.tokens++;
        s.loss -= logProbs[r * V + target]!;
        if (argmax === target) s.right++;
        sums.set(type, s);
      }
      await new Promise((resolve) => setImmediate(resolve)); // let training messages in
    }
    const total = [...sums.values()].reduce((a, s) => ({ tokens: a.tokens + s.tokens, loss: a.loss + s.loss, right: a.right + s.right }), { tokens: 0, loss: 0, right: 0 });
    const mean = total.tokens > 0 ? total.loss / total.tokens : 0;
    return {
      ...base,
      tokens: total.tokens,
      loss: mean,
      perplexity: Math.exp(mean),
      accuracy: total.tokens > 0 ? total.right / total.tokens : 0,
      byType: [...sums.entries()]
        .map(([type, s]) => ({ type, tokens: s.tokens, share: s.tokens / Math.max(1, total.tokens), loss: s.loss / s.tokens, perplexity: Math.exp(s.loss / s.tokens), accuracy: s.right / s.tokens }))
        .sort((a, b) => b.tokens - a.tokens),
      heads: null,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    loaded?.model.dispose();
  }
};
