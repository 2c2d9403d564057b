/**
 * A personalised model against its base, on the musician's own pieces it never trained on: both
 * score the same held-out pieces (the model's scoring leaves out what it trained on; the base's is
 * matched to those pieces), and the gain is the share of the base's nats the model saves.
 */
import { EtudeError } from '../../shared/errors';
import type { PersonalGain } from '../../shared/personal-gain';
import type { Store } from '../store/store';
import type { EvaluationService } from './evaluation-service';

export async function personalGain(store: Store, evaluation: EvaluationService, modelId: number): Promise<PersonalGain> {
  const model = store.models.get(modelId);
  if (model.basedOn === null) throw new EtudeError('invalid_input', `"${model.name}" was not personalised from a base model: there is no base to compare it with`);
  if (model.corpusId === null) throw new EtudeError('invalid_input', `"${model.name}" has no corpus of its own to be compared on`);
  const base = store.models.get(model.basedOn);
  const mine = await evaluation.score(modelId, model.corpusId, { detail: true });
  const held = new Map((mine.detail ?? []).map((p) => [p.title, p]));
  if (held.size === 0) throw new EtudeError('invalid_input', `"${model.name}" trained on every piece of its corpus: none is left to compare it with ${base.name} on`);
  const theirs = await evaluation.score(base.id, model.corpusId, { detail: true });
  let steps = 0;
  let natsMine = 0;
  let natsBase = 0;
  let pieces = 0;
  for (const p of theirs.detail ?? []) {
    const m = held.get(p.title);
    // The same piece written the same way: the steps must agree for the two figures to compare.
    if (!m || m.nats.length !== p.nats.length) continue;
    pieces++;
    steps += m.nats.length;
    natsMine += m.nats.reduce((a, b) => a + b, 0);
    natsBase += p.nats.reduce((a, b) => a + b, 0);
  }
  if (pieces === 0 || steps === 0 || natsBase <= 0) throw new EtudeError('invalid_input', `"${model.name}" and ${base.name} read its held-out pieces differently: they cannot be compared`);
  return { base: base.name, pieces, natsPerStep: natsMine / steps, baseNatsPerStep: natsBase / steps, better: 1 - natsMine / natsBase };
}
