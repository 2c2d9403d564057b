import { randomUUID } from 'node:crypto';
import type { EngineEvents, EventName } from '../../shared/api';
import { EtudeError } from '../../shared/errors';
import type { GenerateInput, GenerationInfo, StoredPrimer } from '../../shared/generation';
import type { TrackRule } from '../../shared/library';
import { cutPassage, type Passage } from '../../shared/music/passage';
import type { Store } from '../store/store';
import type { GenerateResult } from '../workers/protocol';
import type { TfClient } from '../workers/tf-client';
import { resolvePrimer, type PrimerReader } from './primer';

/**
 * Generations: the main thread resolves the primer and checks the model, the TF worker samples,
 * and only a finished generation is stored (in one statement), so a cancelled or failed one
 * leaves nothing behind.
 */
export class GenerationService {
  /** Seconds from request to the first continuation notes of the latest generation (for the benchmark and the status bar). */
  lastFirstNotesSeconds: number | null = null;

  constructor(
    private readonly store: Store,
    private readonly tf: TfClient,
    private readonly emit: <E extends EventName>(event: E, payload: EngineEvents[E]) => void,
    /** Reads a dropped MIDI primer off the engine's event loop. */
    private readonly reader?: PrimerReader,
  ) {}

  private trackRule(modelId: number): TrackRule {
    const { corpusId } = this.store.models.get(modelId);
    return corpusId === null ? { kind: 'non-drum' } : (this.store.corpora.byId(corpusId)?.trackRule ?? { kind: 'non-drum' });
  }

  async generate(input: GenerateInput & { jobId?: string | undefined }): Promise<GenerationInfo> {
    const model = this.store.models.get(input.modelId);
    const checkpoint = this.store.runs.generationCheckpoint(model.id, input.checkpointId);
    const passage = await resolvePrimer(this.store, input.primer, this.trackRule(model.id), this.reader);
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
      g.checkpointId !== null ? this.store.runs.checkpoint(g.checkpointId) : this.store.runs.generationCheckpoint(g.modelId);
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

  /** Cancels a generation (nothing stored), or with `keep` ends its takes where they are and stores them. */
  cancel(jobId: string, keep = false): boolean {
    return this.tf.control<'generate'>(jobId, keep ? 'stop' : 'cancel');
  }

  /** The base a personalised model blends with (its generation checkpoint), when the weight asks for one. */
  private blendOf(modelId: number, weight: number): { checkpointId: number; weight: number } | undefined {
    if (weight <= 0) return undefined;
    const model = this.store.models.get(modelId);
    if (model.base) return undefined; // a base model alone is already all base
    if (model.basedOn === null) throw new EtudeError('invalid_input', `"${model.name}" was not grown from a base model: there is no base to blend with (set the base weight to 0)`);
    return { checkpointId: this.store.runs.generationCheckpoint(model.basedOn).id, weight };
  }

  private async run(jobId: string, checkpointId: number, passage: Passage, params: GenerationInfo['params']): Promise<GenerateResult> {
    const { checkpointId: _c, ...options } = params;
    const blend = this.blendOf(this.store.runs.checkpoint(checkpointId).modelId, params.baseWeight ?? 0);
    const job = this.tf.request('generate', { checkpointId, passage, options, ...(blend ? { blend } : {}) }, { id: jobId, onProgress: (progress) => this.emit('generations.progress', { jobId, ...progress }) });
    try {
      const finished = await job.done;
      this.lastFirstNotesSeconds = finished.firstNotesSeconds;
      return finished;
    } catch (err) {
      if (err instanceof EtudeError && err.kind === 'unavailable') throw new EtudeError('unavailable', `${err.message}; nothing was stored`);
      throw err;
    }
  }
}
