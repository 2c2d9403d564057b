/** Pitch/step/duration models (seed 004): each note's pitch sampled, its step and duration as predicted (clamped, or snapped to the passage's). */
import type { Passage } from '../../../../shared/music/passage';
import { seededRandom } from '../../../../shared/random';
import { seedFor } from '../../../models/init';
import type { FeatureGenerator } from '../../../models/types';
import { nearest, pitchBias } from '../constraints';
import { continuationNotes, noteKey, passageAsEncodable, passageProgram, type Plan, type VocabularyContext } from '../decoding';
import { sampleIndex } from '../sampling';
import type { ContinueOptions } from '../continue';
import type { ContinuationPart } from './part';

const WIDTH = 3;

export function featurePart(model: FeatureGenerator, vocab: VocabularyContext, passage: Passage, options: ContinueOptions, plan: Plan): ContinuationPart {
  const { encoding } = plan;
  const notices: string[] = [];
  const encoded = passage.notes.length > 0 ? encoding.encode(passageAsEncodable(passage), vocab.params) : { representation: 'features' as const, width: WIDTH, data: new Float32Array(0) };
  if (encoded.representation !== 'features') throw new Error(`${vocab.encoding} does not encode features`);
  const rows = encoded.data.length / WIDTH;
  const V = options.variations;
  const c = options.constraints;
  const pBias = pitchBias(c);
  const density = c.density ?? 1;
  const column = (k: number) => [...new Set(Array.from({ length: rows }, (_, i) => encoded.data[i * WIDTH + k]!))].sort((a, b) => a - b);
  const steps = column(1);
  const durations = column(2);
  const lock = c.rhythmLock === true && rows > 0;
  if (c.rhythmLock && rows === 0) notices.push('the rhythm lock needs a passage to take its rhythm from: not applied');
  const randoms = Array.from({ length: V }, (_, v) => seededRandom(seedFor(options.seed, v)));
  const generated: number[][] = Array.from({ length: V }, () => []);
  const primerKeys = new Set(encoding.decode(encoded, vocab.params, plan.context).map(noteKey));
  const program = passageProgram(passage, vocab);

  const stepper = model.featureStepper(V);
  let out: ReturnType<typeof stepper.step> = { pitch: new Float32Array(V * 128), step: new Float32Array(V), duration: new Float32Array(V) };
  try {
    for (let i = 0; i < rows; i++) {
      const input = new Float32Array(V * WIDTH);
      for (let v = 0; v < V; v++) input.set(encoded.data.subarray(i * WIDTH, (i + 1) * WIDTH), v * WIDTH);
      out = stepper.step(input);
    }
    if (rows === 0) out = stepper.step(new Float32Array(V * WIDTH));
  } catch (err) {
    stepper.dispose();
    throw err;
  }
  return {
    primedSteps: 0,
    checkEvery: 16,
    steps: (v) => generated[v]!.length / WIDTH,
    round(finished) {
      const input = new Float32Array(V * WIDTH);
      for (let v = 0; v < V; v++) {
        const pitch = sampleIndex(out.pitch, v * 128, 128, options, randoms[v]!, pBias).index;
        // As the tutorial: negative predictions clamp to zero. Density scales the gaps; the lock snaps to the passage's values.
        let step = Math.max(0, out.step[v]!) / density;
        let duration = Math.max(0, out.duration[v]!);
        if (lock) {
          step = nearest(steps, step);
          duration = nearest(durations, duration);
        }
        input.set([pitch, step, duration], v * WIDTH);
        if (!finished[v]) generated[v]!.push(pitch, step, duration);
      }
      out = stepper.step(input);
      return 1;
    },
    decode(v) {
      const data = new Float32Array(encoded.data.length + generated[v]!.length);
      data.set(encoded.data);
      data.set(generated[v]!, encoded.data.length);
      return continuationNotes(encoding.decode({ representation: 'features', width: WIDTH, data }, vocab.params, plan.context), primerKeys, 0, plan, passage.endTick, program);
    },
    notices: () => notices,
    dispose: () => stepper.dispose(),
  };
}
