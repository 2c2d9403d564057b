import type { CardRun, ModelCard } from '../../shared/training';
import type { Store } from '../store/store';

/** One point per epoch: the curve a card shows, small enough to carry in a shared file. */
function epochCurve(store: Store, runId: number): CardRun['curve'] {
  return store.training
    .metrics(runId)
    .filter((p) => p.kind === 'epoch')
    .map((p) => ({ epoch: p.epoch, loss: p.loss, valLoss: p.valLoss }));
}

/**
 * A model's card: its corpus (with the hash of the music it learned), encoding and vocabulary,
 * architecture, every run's hyperparameters, curve, time and machine, and the auditions pinned to
 * its checkpoints. An imported model's card starts with the history it came with.
 */
export function modelCard(store: Store, modelId: number): ModelCard {
  const model = store.training.model(modelId);
  const vocab = store.vocabularies.get(model.vocabularyId);
  const before = store.models.importedCard(modelId);
  const earlier = before ? (JSON.parse(before) as ModelCard) : null;
  const local: CardRun[] = store.models.runRecords(modelId).map((r) => ({
    hyperparams: r.hyperparams,
    status: r.status,
    epochs: r.epoch,
    steps: r.step,
    bestValLoss: r.bestValLoss,
    seconds: r.seconds,
    backend: r.backend,
    machine: r.machine,
    startedFrom: r.startedFrom,
    createdAt: r.createdAt,
    endedAt: r.endedAt,
    curve: epochCurve(store, r.id),
    imported: false,
  }));
  // Runs brought by an import are also rows here (for the curves): the card lists them once, as imported.
  const runs = earlier ? [...earlier.runs.map((r) => ({ ...r, imported: true })), ...local.slice(earlier.runs.length)] : local;
  const auditions = [...(earlier?.auditions ?? []), ...store.models.auditions(modelId)];
  const seen = new Set<string>();
  const uniqueAuditions = auditions.filter((a) => {
    const key = `${a.epoch}/${a.audition.seconds}/${a.audition.notes.length}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const losses = runs.map((r) => r.bestValLoss).filter((v): v is number => v !== null);
  return {
    name: model.name,
    architecture: model.architecture,
    spec: model.spec,
    parameters: model.parameters,
    origin: model.origin,
    corpus: earlier && vocab.pieces === 0 ? earlier.corpus : { name: vocab.corpus, hash: store.vocabularies.corpusHash(vocab.id), pieces: vocab.pieces, steps: vocab.steps },
    vocabulary: { encoding: vocab.encoding, encodingVersion: vocab.encodingVersion, params: vocab.params, size: vocab.size, coverage: vocab.coverage },
    runs,
    auditions: uniqueAuditions,
    trainingSeconds: runs.reduce((s, r) => s + r.seconds, 0),
    epochs: runs.reduce((s, r) => s + r.epochs, 0),
    bestValLoss: losses.length ? Math.min(...losses) : null,
    createdAt: earlier?.createdAt ?? model.createdAt,
  };
}
