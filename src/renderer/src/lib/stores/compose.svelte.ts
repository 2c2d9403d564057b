import type { GenerationCheck } from '../../../../shared/originality';
import type { Constraints, GenerateRequest, GenerationInfo, GenerationProgress, GenerationSummary, LengthSpec, ScaleName, Take } from '../../../../shared/generation';
import type { CorpusSummary, PieceDetail, PieceSummary } from '../../../../shared/library';
import type { CheckpointInfo, ModelSummary } from '../../../../shared/training';
import { engine } from './engine.svelte';
import { fileToBase64 } from '../file-bytes';
// Fewer epochs than this and a model has barely begun to learn: Compose says so before it generates.
import { BARELY_TRAINED_EPOCHS } from '../../../../shared/training-advice';

/** What the Compose page holds: the model, the passage, the controls, and the takes. */
class ComposeState {
  models = $state<ModelSummary[]>([]);
  modelId = $state<number | null>(null);
  /** Other models that continue the same passage with the same seed, shown side by side. */
  compareIds = $state<number[]>([]);
  comparison = $state<{ modelId: number; model: string; generation: GenerationInfo | null; error: string | null }[]>([]);
  checkpoints = $state<CheckpointInfo[]>([]);
  checkpointId = $state<number | null>(null);

  corpora = $state<CorpusSummary[]>([]);
  corpusId = $state<number | null>(null);
  pieces = $state<PieceSummary[]>([]);
  piece = $state<PieceDetail | null>(null);
  /** The passage as bars, 1-based and inclusive. */
  bars = $state<[number, number]>([1, 4]);
  primerKind = $state<'piece' | 'midi' | 'note' | 'none'>('piece');
  /** Seed 002's start: silence, then this note. */
  notePitch = $state(60);
  /** A MIDI file dropped in or chosen, as base64. */
  midiFile = $state<{ name: string; data: string } | null>(null);

  length = $state<LengthSpec>({ unit: 'bars', value: 8 });
  temperature = $state(1);
  topK = $state(0);
  topP = $state(1);
  greedy = $state(false);
  variations = $state(4);
  seed = $state(1);
  keyTonic = $state<number | null>(null);
  keyScale = $state<ScaleName>('major');
  rangeOn = $state(false);
  range = $state<[number, number]>([48, 84]);
  density = $state(1);
  rhythmLock = $state(false);
  /** A personalised model's blend with its base: 0 = only yours, 1 = only the base. */
  baseWeight = $state(0);
  /** Never copy more than this many bars of the model's corpus; 0 allows exact quotations. */
  maxCopyBars = $state(4);

  generating = $state(false);
  jobId = $state<string | null>(null);
  done = $state(0);
  total = $state(0);
  /** Takes as they arrive (previews) and when finished. */
  takes = $state<Take[]>([]);
  current = $state<GenerationInfo | null>(null);
  /** The timeline of takes still arriving (before the generation is stored). */
  previewTimeline = $state<GenerationProgress['timeline']>(null);
  generations = $state<GenerationSummary[]>([]);
  /** Originality and style of the shown generation's takes. */
  check = $state<GenerationCheck | null>(null);
  /** Hide takes that copy their corpus. */
  hideCopies = $state(false);
  error = $state<string | null>(null);
  startedAt = 0;
  /** Previews replace the takes only for a new generation (a regenerated take arrives whole). */
  private previewing = false;
  /** Milliseconds from Generate to the first note handed to the audio clock (listening while generating). */
  firstAudibleMs = $state<number | null>(null);
  listen = $state(true);

  constructor() {
    engine.client.on('generations.progress', (p) => {
      if (p.jobId !== this.jobId) return;
      this.done = p.done;
      this.total = p.total;
      if (p.takes && this.previewing) {
        this.takes = p.takes;
        this.previewTimeline = p.timeline;
      }
    });
    engine.client.on('generations.changed', ({ modelId }) => {
      if (modelId === this.modelId) void this.loadGenerations();
    });
    engine.client.on('training.checkpoint', () => void this.loadModels());
  }

  async loadModels(): Promise<void> {
    const all = await engine.client.call('models.list', {});
    // Models that can generate first (the most trained first), then the ones still without a checkpoint.
    this.models = [...all].sort((a, b) => Number(b.checkpoints > 0) - Number(a.checkpoints > 0) || b.epochs - a.epochs);
    const first = this.models.find((m) => m.checkpoints > 0);
    if (this.modelId === null && first) await this.chooseModel(first.id);
  }

  /** What a model is ready for, in words: null when it generates as trained. */
  readiness(m: ModelSummary): { ready: boolean; note: string | null } {
    if (m.checkpoints === 0) return { ready: false, note: m.status === 'running' || m.status === 'queued' ? 'training: no checkpoint yet' : 'not trained yet' };
    if (m.epochs < BARELY_TRAINED_EPOCHS) return { ready: true, note: `only ${m.epochs} epoch${m.epochs === 1 ? '' : 's'} trained: expect something close to noise` };
    return { ready: true, note: null };
  }

  async chooseModel(id: number): Promise<void> {
    this.modelId = id;
    this.checkpoints = await engine.client.call('models.checkpoints', { modelId: id });
    this.checkpointId = null; // the best of the newest run
    this.current = null;
    this.takes = [];
    await this.loadGenerations();
  }

  async loadGenerations(): Promise<void> {
    if (this.modelId === null) return;
    this.generations = await engine.client.call('generations.list', { modelId: this.modelId });
  }

  async loadCorpora(): Promise<void> {
    this.corpora = await engine.client.call('corpora.list', {});
    const model = this.models.find((m) => m.id === this.modelId);
    const preferred = model?.corpusId ?? this.corpora[0]?.id ?? null;
    if (this.corpusId === null && preferred !== null) await this.chooseCorpus(preferred);
  }

  async chooseCorpus(id: number): Promise<void> {
    this.corpusId = id;
    this.pieces = (await engine.client.call('pieces.list', { corpusId: id, sort: 'title', limit: 10_000 })).pieces;
    if (this.pieces.length > 0) await this.choosePiece(this.pieces[0]!.id);
  }

  async choosePiece(id: number): Promise<void> {
    this.piece = await engine.client.call('pieces.get', { id });
    this.bars = [1, 4];
  }

  constraints(): Constraints {
    const c: Constraints = {};
    if (this.keyTonic !== null) c.key = { tonic: this.keyTonic, scale: this.keyScale };
    if (this.rangeOn) c.pitchRange = [Math.min(...this.range), Math.max(...this.range)];
    if (this.density !== 1) c.density = this.density;
    if (this.rhythmLock) c.rhythmLock = true;
    return c;
  }

  private request(primer: GenerateRequest['primer']): GenerateRequest {
    return {
      modelId: this.modelId!,
      ...(this.checkpointId !== null ? { checkpointId: this.checkpointId } : {}),
      primer,
      length: $state.snapshot(this.length),
      temperature: this.temperature,
      topK: this.topK,
      topP: this.topP,
      greedy: this.greedy,
      variations: this.variations,
      seed: this.seed,
      constraints: this.constraints(),
      // Only a model grown from a base blends with it.
      baseWeight: this.models.find((m) => m.id === this.modelId)?.basedOn != null ? this.baseWeight : 0,
      maxCopyBars: this.maxCopyBars,
    };
  }

  private async run<T>(work: (jobId: string) => Promise<T>): Promise<T | null> {
    const jobId = `compose-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    this.jobId = jobId;
    this.generating = true;
    this.error = null;
    this.done = 0;
    this.total = 0;
    this.firstAudibleMs = null;
    this.startedAt = performance.now();
    try {
      return await work(jobId);
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
      return null;
    } finally {
      this.generating = false;
      this.jobId = null;
    }
  }

  async generate(primer?: GenerateRequest['primer']): Promise<void> {
    if (this.modelId === null) return;
    const source = primer ?? this.primer();
    if (!source) return;
    this.takes = [];
    this.current = null;
    this.previewTimeline = null;
    this.previewing = true;
    const others = this.compareIds.filter((id) => id !== this.modelId && this.models.some((m) => m.id === id));
    this.comparison = [];
    const g = await this.run((jobId) => engine.client.call('generations.generate', { ...this.request(source), jobId }));
    // The other models' previews are theirs: they must never replace this model's takes.
    this.previewing = false;
    if (g) this.show(g);
    if (g && others.length > 0) await this.compareWith(source, g, others);
  }

  /** The same passage, controls and seed through each other model (its own generation checkpoint), one after another. */
  private async compareWith(source: GenerateRequest['primer'], first: GenerationInfo, others: number[]): Promise<void> {
    this.comparison = [
      { modelId: first.modelId, model: first.model, generation: first, error: null },
      ...others.map((id) => ({ modelId: id, model: this.models.find((m) => m.id === id)?.name ?? `model ${id}`, generation: null, error: null })),
    ];
    for (const id of others) {
      const { checkpointId: _own, ...request } = { ...this.request(source), modelId: id };
      try {
        const g = await this.run((jobId) => engine.client.call('generations.generate', { ...request, jobId }));
        this.comparison = this.comparison.map((c) => (c.modelId === id ? { ...c, generation: g, error: g ? null : this.error } : c));
      } catch (err) {
        this.comparison = this.comparison.map((c) => (c.modelId === id ? { ...c, error: (err as Error).message } : c));
      }
    }
  }

  toggleCompare(id: number): void {
    this.compareIds = this.compareIds.includes(id) ? this.compareIds.filter((x) => x !== id) : [...this.compareIds, id];
  }

  /** The primer the controls describe, or null (with the reason in `error`) when one is missing. */
  primer(): GenerateRequest['primer'] | null {
    switch (this.primerKind) {
      case 'piece':
        if (!this.piece) return null;
        return { kind: 'piece', pieceId: this.piece.id, bars: [Math.min(...this.bars), Math.max(...this.bars)] };
      case 'midi':
        if (!this.midiFile) {
          this.error = 'choose or drop a MIDI file to continue';
          return null;
        }
        return { kind: 'midi', ...$state.snapshot(this.midiFile) };
      case 'note':
        return { kind: 'note', pitch: this.notePitch };
      case 'none':
        return { kind: 'none' };
    }
  }

  async useFile(file: File): Promise<void> {
    this.midiFile = { name: file.name, data: await fileToBase64(file) };
    this.primerKind = 'midi';
    this.error = null;
  }

  async regenerate(take: number): Promise<void> {
    if (!this.current) return;
    const id = this.current.id;
    this.previewing = false;
    const g = await this.run((jobId) => engine.client.call('generations.regenerate', { id, take, jobId }));
    if (g) this.show(g);
  }

  async continueFrom(take: number): Promise<void> {
    if (!this.current) return;
    await this.generate({ kind: 'generation', generationId: this.current.id, take });
  }

  /** Cancels the generation: its takes go (they were never stored). */
  async cancel(): Promise<void> {
    if (!this.jobId) return;
    this.previewing = false;
    this.takes = [];
    this.previewTimeline = null;
    await engine.client.call('generations.cancel', { jobId: this.jobId });
  }

  /** Stops the generation where its takes have got to, and keeps them (stored like any other). */
  async stopAndKeep(): Promise<void> {
    if (this.jobId) await engine.client.call('generations.cancel', { jobId: this.jobId, keep: true });
  }

  /** Shows a generation; its takes are checked against the corpus unless only their stars changed. */
  show(g: GenerationInfo, recheck = true): void {
    this.current = g;
    this.takes = g.takes;
    if (!recheck) return;
    this.check = null;
    void this.runCheck(g.id);
  }

  /** Checks the takes against the model's corpus (the first check of a corpus builds its index). */
  async runCheck(id: number): Promise<void> {
    try {
      const check = await engine.client.call('generations.check', { id });
      if (this.current?.id === id) this.check = check;
    } catch {
      // A model whose corpus was deleted has nothing to compare with: the takes simply show no badge.
      if (this.current?.id === id) this.check = null;
    }
  }

  async open(id: number): Promise<void> {
    this.show(await engine.client.call('generations.get', { id }));
  }

  async starTake(take: number, starred: boolean): Promise<void> {
    if (!this.current) return;
    this.show(await engine.client.call('generations.starTake', { id: this.current.id, take, starred }), false);
  }

  async rename(id: number, name: string): Promise<void> {
    const g = await engine.client.call('generations.rename', { id, name });
    if (this.current?.id === id) this.current = g;
  }

  async remove(id: number): Promise<void> {
    await engine.client.call('generations.delete', { id, confirm: true });
    if (this.current?.id === id) {
      this.current = null;
      this.takes = [];
    }
  }
}

export const compose = new ComposeState();
