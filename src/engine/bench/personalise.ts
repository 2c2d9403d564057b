/**
 * What a base model is worth to a musician with a small corpus: 20 jigs to learn from and 10 of
 * the same kind held out, a model trained from nothing for 5 minutes against the folk base model
 * personalised on the same 20 for the same 5 minutes, both scored on the 10 held-out jigs (nats a
 * note, a true likelihood) and both asked for 8 takes whose copying of the 20 is checked.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../engine';
import type { MethodInput, MethodName, MethodResult } from '../../shared/api';
import { unwrapReply } from '../../shared/reply';
import type { BenchResult } from './workloads';

export const PERSONALISE_MINUTES = 5;
const TAKES = 8;

export async function personaliseJigs(corporaDir: string, minutes = PERSONALISE_MINUTES): Promise<BenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-bench-personalise-'));
  const engine = Engine.open({ dbPath: path.join(dir, 'bench.db'), starterCorpus: false });
  const call = async <M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodResult<M>> => unwrapReply(await engine.call(method, input)) as MethodResult<M>;
  try {
    const folder = path.join(corporaDir, 'nottingham-jigs');
    // Thirty jigs spread over the collection: every twelfth file, the first 20 to learn from, the next 10 held out.
    const files = fs.readdirSync(folder).filter((f) => f.endsWith('.mid')).sort().filter((_, i) => i % 12 === 0).slice(0, 30).map((f) => path.join(folder, f));
    await call('corpora.import', { corpus: 'My jigs', paths: files.slice(0, 20) });
    await call('corpora.import', { corpus: 'Held-out jigs', paths: files.slice(20) });
    const corpora = await call('corpora.list', {});
    const mine = corpora.find((c) => c.name === 'My jigs')!;
    const held = corpora.find((c) => c.name === 'Held-out jigs')!;

    const advice = await call('training.recommend', { corpusId: mine.id });
    const vocab = await call('vocabularies.build', { corpusId: mine.id, encoding: advice.encoding as never, params: advice.params });
    const scratchRun = await call('training.start', { vocabularyId: vocab.id, model: 'From scratch', spec: advice.spec, hyperparams: advice.hyperparams, budgetMinutes: minutes });
    const scratchDone = await engine.training.waitFor(scratchRun.id);
    const personal = await call('models.personalize', { corpusId: mine.id, name: 'Personalised', base: 'auto', budgetMinutes: minutes });
    const personalDone = await engine.training.waitFor(personal.run.id);

    const scratch = await call('models.score', { id: scratchRun.modelId, corpusId: held.id });
    const personalised = await call('models.score', { id: personal.model.id, corpusId: held.id });
    // Eight takes from the opening bars of a held-out jig, then: how many copy the 20 they learned from?
    const { pieces } = await call('pieces.list', { corpusId: held.id, sort: 'title', limit: 1 });
    const copies = async (modelId: number) => {
      const g = await call('generations.generate', { modelId, primer: { kind: 'piece', pieceId: pieces[0]!.id, bars: [1, 2] }, length: { unit: 'bars', value: 8 }, variations: TAKES, seed: 1 });
      const check = await call('generations.check', { id: g.id, threshold: 8 });
      return check.takes.filter((t) => t.copies).length;
    };
    const round = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);
    return {
      workload: 'personalise-jigs',
      minutes,
      base: personal.base.name,
      scratch_encoding: `${advice.encoding} ${JSON.stringify(vocab.params)}`,
      scratch_model: JSON.stringify(scratchDone.hyperparams.epochs) + ' epochs, ' + JSON.stringify((await call('models.list', {})).find((m) => m.id === scratchRun.modelId)!.spec),
      scratch_seconds: Math.round(scratchDone.seconds),
      scratch_nats_per_note: round(scratch.natsPerNote),
      scratch_exact: scratch.exact,
      personalised_seconds: Math.round(personalDone.seconds),
      personalised_epochs: personalDone.epoch,
      personalised_nats_per_note: round(personalised.natsPerNote),
      personalised_exact: personalised.exact,
      improvement: scratch.natsPerNote && personalised.natsPerNote ? round(1 - personalised.natsPerNote / scratch.natsPerNote) : null,
      held_out_pieces: personalised.pieces,
      scratch_copies_of_8: await copies(scratchRun.modelId),
      personalised_copies_of_8: await copies(personal.model.id),
    };
  } finally {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
