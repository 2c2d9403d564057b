import { randomUUID } from 'node:crypto';
import type { EngineEvents, EventName } from '../../shared/api';
import { EtudeError } from '../../shared/errors';
import type { GenerateInput, GenerationInfo, StoredPrimer, Take } from '../../shared/generation';
import type { TrackRule } from '../../shared/library';
import type { Store } from '../store/store';
import type { FromTfWorker } from '../workers/protocol';
import type { TfHost } from '../workers/tf-host';
import type { GeneratorMessage } from './job';
import { cutPassage, resolvePrimer, type Passage } from './primer';

type Finished = Extract<GeneratorMessage, { type: 'generate.done' }>;

/**
 * Generations: the main thread resolves the primer and checks the model, the TF worker samples,
 * and only a finished generation is stored (in one statement), so a cancelled or failed one
 * leaves nothing behind.
 */
export class GenerationService {
  private readonly pending = new Map<string, { resolve: (m: Finished) => void; reject: (err: Error) => void }>();
  /** Seconds from request to the first continuation notes of the latest generation (for the benchmark and the status bar). */
  lastFirstNotesSeconds: number | null = null;

  constructor(
    private readonly store: Store,
    private readonly tf: TfHost,
    private readonly emit: <E extends EventName>(event: E, payload: EngineEvents[E]) => void,
    private readonly job: { dbPath: string; nativeBinding?: string },
  ) {
    tf.onMessage((m) => this.onWorker(m));
  }

  private trackRule(modelId: number): TrackRule {
    const { corpusId } = this.store.training.model(modelId);
    return corpusId === null ? { kind: 'non-drum' } : (this.store.corpora.byId(corpusId)?.trackRule ?? { kind: 'non-drum' });
  }

  async generate(input: GenerateInput & { jobId?: string | undefined }): Promise<GenerationInfo> {
    const model = this.store.training.model(input.modelId);
    const checkpoint = this.store.training.generationCheckpoint(model.id, input.checkpointId);
    const passage = resolvePrimer(this.store, input.primer, this.trackRule(model.id));
    const { modelId: _m, primer, name, jobId: _j, ...params } = input;
    const result = await this.run(input.jobId ?? randomUUID(), checkpoint.id, passage, params);
    const stored: StoredPrimer = primer.kind === 'midi' ? { kind: 'midi', name: primer.name } : primer;
    return this.store.generations.insert({
      name: name ?? this.store.generations.nextName(model.name),
      modelId: model.id,
      checkpointId: checkpoint.id,
      checkpointEpoch: checkpoint.epoch,
      primerLabel: passage.label,
      primer: stored,
      params,
      parentId: primer.kind === 'generation' ? primer.generationId : null,
      ppq: passage.ppq,
      tempos: passage.tempos,
      timeSignatures: passage.timeSignatures,
      takes: result.takes,
      notices: result.notices,
      seconds: result.seconds,
    });
  }

  /** Makes one take again with another seed, from the same passage (as the take holds it) and parameters. */
  async regenerate(id: number, take: number, seed: number | undefined, jobId: string | undefined): Promise<GenerationInfo> {
    const g = this.store.generations.get(id);
    const old = g.takes.find((t) => t.index === take);
    if (!old) throw new EtudeError('invalid_input', `generation ${id} has ${g.takes.length} takes; there is no take ${take + 1}`);
    const checkpoint =
      g.checkpointId !== null ? this.store.training.checkpoint(g.checkpointId) : this.store.training.generationCheckpoint(g.modelId);
    const passage = cutPassage(
      { ppq: g.ppq, tempos: g.tempos, timeSignatures: g.timeSignatures, keySignatures: [], notes: old.notes.filter((n) => n.startTick < old.seamTick) },
      0,
      old.seamTick,
      g.primerLabel,
    );
    const params = { ...g.params, variations: 1, seed: seed ?? Math.floor(Math.random() * 2 ** 31) };
    const result = await this.run(jobId ?? randomUUID(), checkpoint.id, passage, params);
    return this.store.generations.replaceTake(id, { ...result.takes[0]!, index: take });
  }

  cancel(jobId: string): boolean {
    if (!this.pending.has(jobId)) return false;
    void this.tf.send({ type: 'generate.cancel', jobId });
    return true;
  }

  private async run(jobId: string, checkpointId: number, passage: Passage, params: GenerationInfo['params']): Promise<{ takes: Take[]; notices: string[]; seconds: number }> {
    if (this.pending.has(jobId)) throw new EtudeError('conflict', `a generation with job id ${jobId} is already running`);
    const done = new Promise<Finished>((resolve, reject) => this.pending.set(jobId, { resolve, reject }));
    try {
      await this.tf.send({
        type: 'generate',
        job: {
          jobId,
          dbPath: this.job.dbPath,
          ...(this.job.nativeBinding ? { nativeBinding: this.job.nativeBinding } : {}),
          checkpointId,
          passage,
          options: {
            length: params.length,
            temperature: params.temperature,
            topK: params.topK,
            topP: params.topP,
            greedy: params.greedy,
            variations: params.variations,
            seed: params.seed,
            constraints: params.constraints,
          },
        },
      });
      const finished = await done;
      this.lastFirstNotesSeconds = finished.firstNotesSeconds;
      return finished;
    } finally {
      this.pending.delete(jobId);
    }
  }

  private onWorker(m: FromTfWorker): void {
    switch (m.type) {
      case 'generate.progress':
        this.emit('generate.progress', m.progress);
        break;
      case 'generate.done':
        this.pending.get(m.jobId)?.resolve(m);
        break;
      case 'generate.failed':
        this.pending.get(m.jobId)?.reject(m.cancelled ? new EtudeError('cancelled', 'the generation was cancelled; nothing was stored') : new EtudeError('internal', `the generation failed: ${m.message}`));
        break;
      case 'exit':
        for (const [, p] of this.pending) p.reject(new EtudeError('unavailable', `the generation worker stopped unexpectedly (code ${m.code}); nothing was stored`));
        break;
    }
  }
}
