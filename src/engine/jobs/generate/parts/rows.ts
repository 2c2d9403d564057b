/** Piano-roll models (the RBM): windows sampled by Gibbs steps with the known half clamped, the fresh half appended. */
import type { Passage } from '../../../../shared/music/passage';
import { seedFor } from '../../../models/init';
import type { RowGenerator } from '../../../models/types';
import { pitchAllowed } from '../constraints';
import { continuationNotes, noteKey, passageAsEncodable, passageProgram, type Plan, type VocabularyContext } from '../decoding';
import type { ContinueOptions } from '../continue';
import type { ContinuationPart } from './part';

export function rowPart(model: RowGenerator, vocab: VocabularyContext, passage: Passage, options: ContinueOptions, plan: Plan): ContinuationPart {
  const { encoding } = plan;
  const notices: string[] = [];
  const width = vocab.width;
  const W = options.window;
  const known = Math.floor(W / 2);
  const fresh = W - known;
  const encoded = passage.notes.length > 0 ? encoding.encode(passageAsEncodable(passage), vocab.params) : { representation: 'binary' as const, width, data: new Uint8Array(0) };
  if (encoded.representation !== 'binary') throw new Error(`${vocab.encoding} does not encode piano-roll rows`);
  const lowest = Number(vocab.params.lowest ?? 24);
  // Columns are (play, articulate) pairs from the lowest pitch up; a column outside the constraints is never set.
  const allowed = Uint8Array.from({ length: width }, (_, col) => (pitchAllowed(lowest + Math.floor(col / 2), options.constraints) ? 1 : 0));
  if (options.constraints.density !== undefined || options.constraints.rhythmLock) notices.push('density and the rhythm lock do not apply to the RBM: it samples whole windows at once');
  const V = options.variations;
  const rows: Uint8Array[] = Array.from({ length: V }, () => Uint8Array.from(encoded.data));
  const primerRows = encoded.data.length / width;
  const primerKeys = new Set(encoding.decode(encoded, vocab.params, plan.context).map(noteKey));
  const program = passageProgram(passage, vocab);
  let round = 0;
  return {
    primedSteps: 0,
    checkEvery: 1,
    steps: (v) => rows[v]!.length / width - primerRows,
    round(finished) {
      const contextRows = new Float32Array(V * W * width);
      for (let v = 0; v < V; v++) {
        const have = rows[v]!.length / width;
        const from = Math.max(0, have - known);
        // The known rows sit at the end of the clamped half (zeros before a short passage).
        contextRows.set(rows[v]!.subarray(from * width, have * width), v * W * width + (known - (have - from)) * width);
      }
      const sample = model.continueWindow(contextRows, V, known * width, options.gibbsSteps ?? 20, seedFor(options.seed, 1000 + round++));
      for (let v = 0; v < V; v++) {
        if (finished[v]) continue;
        const next = new Uint8Array(rows[v]!.length + fresh * width);
        next.set(rows[v]!);
        for (let i = 0; i < fresh * width; i++) next[rows[v]!.length + i] = sample[v * W * width + known * width + i]! > 0.5 && allowed[i % width] ? 1 : 0;
        rows[v] = next;
      }
      return fresh;
    },
    decode: (v) => continuationNotes(encoding.decode({ representation: 'binary', width, data: rows[v]! }, vocab.params, plan.context), primerKeys, 0, plan, passage.endTick, program),
    notices: () => notices,
    dispose: () => undefined,
  };
}
