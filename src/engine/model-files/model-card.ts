import type { CardRun, ModelCard } from '../../shared/training';
import type { Store } from '../store/store';

/** One point per epoch: the curve a card shows, small enough to carry in a shared file. */
function epochCurve(store: Store, runId: number): CardRun['curve'] {
  return store.runs
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
  const model = store.models.get(modelId);
  const vocab = store.vocabularies.get(model.vocabularyId);
  const stored = store.models.importedCard(modelId);
  const earlier = stored ? (JSON.parse(stored) as ModelCard) : null;
  // An import stores the runs it brings as its first rows (for their curves): the card lists them,
  // and their auditions, as the file had them, followed by what was done here.
  const records = store.models.runRecords(modelId);
  const before = earlier?.runs.length ?? 0;
  const local: CardRun[] = records.slice(before).map((r) => ({
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
  const importedRuns = new Set(records.slice(0, before).map((r) => r.id));
  const runs = [...(earlier?.runs.map((r) => ({ ...r, imported: true })) ?? []), ...local];
  const auditions = [
    ...(earlier?.auditions ?? []),
    ...store.models
      .auditions(modelId)
      .filter((a) => !importedRuns.has(a.runId))
      .map(({ runId: _run, ...a }) => a),
  ];
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
    auditions,
    trainingSeconds: runs.reduce((s, r) => s + r.seconds, 0),
    epochs: runs.reduce((s, r) => s + r.epochs, 0),
    bestValLoss: losses.length ? Math.min(...losses) : null,
    createdAt: earlier?.createdAt ?? model.createdAt,
  };
}
