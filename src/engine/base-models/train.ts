/**
 * Making a base model again, with the studio's own code (`etude train-base NAME`): its corpora
 * imported as a musician would import them, one piece in twenty held out, the catalog's encoding
 * and model trained for its budget, the held-out pieces scored, and the model written as an
 * .etude-model file with a card beside it naming the music it learned and its licences.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Engine } from '../engine';
import { writeChorales } from '../corpus/frames-midi';
import type { MethodInput, MethodName, MethodResult } from '../../shared/api';
import { unwrapReply } from '../../shared/reply';
import type { ScoreReport } from '../../shared/scoring';
import type { BaseModelDefinition } from './catalog';

/** One piece in this many is held out for the card's score. */
const HOLD_OUT_EVERY = 20;

export interface BaseModelCard {
  name: string;
  title: string;
  summary: string;
  corpora: BaseModelDefinition['corpora'];
  pieces: number;
  notes: number;
  encoding: string;
  params: Record<string, string | number | boolean>;
  spec: BaseModelDefinition['spec'];
  parameters: number;
  epochs: number;
  trainingSeconds: number;
  machine: string;
  heldOut: Pick<ScoreReport, 'pieces' | 'notes' | 'tokens' | 'natsPerNote' | 'natsPerToken' | 'exact'>;
  fileBytes: number;
  madeAt: string;
}

/** The folders and files of a corpus on disk; chorale frames (a JSON book `#split`) are written as MIDI into `scratch` first. */
function sourcesOf(corpus: BaseModelDefinition['corpora'][number], sharedDir: string, scratch: string): string[] {
  const [file, split] = corpus.path.split('#');
  const full = path.join(sharedDir, file!);
  if (!split) return [full];
  const book = JSON.parse(fs.readFileSync(full, 'utf8')) as Record<string, number[][][]>;
  const dir = path.join(scratch, `${path.basename(file!, '.json')}-${split}`);
  writeChorales(dir, book[split] ?? [], split);
  return [dir];
}

export function cardMarkdown(card: BaseModelCard): string {
  const minutes = Math.round(card.trainingSeconds / 60);
  return [
    `# ${card.title}`,
    '',
    card.summary,
    '',
    '## What it learned',
    '',
    ...card.corpora.map((c) => `- ${c.title} — ${c.licence}`),
    '',
    `${card.pieces.toLocaleString('en')} pieces, ${card.notes.toLocaleString('en')} notes (one piece in ${HOLD_OUT_EVERY} held out for the score below).`,
    '',
    '## The model',
    '',
    `- Encoding: \`${card.encoding}\` ${JSON.stringify(card.params)}`,
    `- Architecture: ${JSON.stringify(card.spec)}, ${card.parameters.toLocaleString('en')} parameters, ${(card.fileBytes / 2 ** 20).toFixed(1)} MB as a file`,
    `- Trained ${card.epochs} epochs in ${minutes} minutes on ${card.machine}, with the studio's own recipe (\`etude train-base ${card.name}\`)`,
    '',
    '## Score on held-out pieces',
    '',
    `${card.heldOut.pieces} pieces it never saw (${card.heldOut.notes.toLocaleString('en')} notes): ${card.heldOut.natsPerNote?.toFixed(3) ?? '–'} nats a note, ${card.heldOut.natsPerToken?.toFixed(3) ?? '–'} a token (\`etude score\`; the encoding writes them ${card.heldOut.exact ? 'exactly' : 'with rounding'}).`,
    '',
    `Made ${card.madeAt.slice(0, 10)}.`,
    '',
  ].join('\n');
}

export async function trainBaseModel(definition: BaseModelDefinition, options: { sharedDir: string; outDir: string; minutes?: number; workDir: string; log?: (line: string) => void }): Promise<BaseModelCard> {
  const log = options.log ?? (() => undefined);
  const engine = Engine.open({ dbPath: path.join(options.workDir, 'base.db'), starterCorpus: false, baseModels: false });
  const call = async <M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodResult<M>> => unwrapReply(await engine.call(method, input)) as MethodResult<M>;
  try {
    const paths = definition.corpora.flatMap((c) => sourcesOf(c, options.sharedDir, options.workDir));
    const imported = await call('corpora.import', { corpus: definition.title, paths });
    log(`imported ${imported.imported} pieces (${imported.notes} notes); ${imported.failed.length} refused`);
    const corpus = (await call('corpora.list', {})).find((c) => c.name === definition.title)!;
    const held = await call('corpora.create', { name: `${definition.title}, held out` });
    const { pieces } = await call('pieces.list', { corpusId: corpus.id, sort: 'title', limit: 10_000 });
    const out = pieces.filter((_, i) => i % HOLD_OUT_EVERY === HOLD_OUT_EVERY - 1).map((p) => p.id);
    if (out.length > 0) await call('pieces.move', { pieceIds: out, toCorpusId: held.id });
    const vocab = await call('vocabularies.build', { corpusId: corpus.id, encoding: definition.encoding as never, params: definition.params });
    log(`encoded as ${definition.encoding}: ${vocab.size} tokens, ${vocab.steps} steps`);
    const lstm = (await call('architectures.list', {})).find((a) => a.name === definition.spec.arch)!;
    const preset = lstm.presets.find((p) => p.name === lstm.defaultPreset)!;
    const run = await call('training.start', {
      vocabularyId: vocab.id,
      model: definition.title,
      spec: definition.spec,
      hyperparams: { ...preset.hyperparams, transpose: definition.encoding === 'events' ? 3 : 0 },
      budgetMinutes: options.minutes ?? definition.budgetMinutes,
    });
    engine.on((m) => {
      if (m.event === 'training.epoch' && m.payload.runId === run.id) log(`epoch ${m.payload.epoch}/${m.payload.epochs}: validation ${m.payload.valLoss?.toFixed(4)}`);
    });
    const done = await engine.training.waitFor(run.id);
    if (!['completed', 'stopped'].includes(done.status)) throw new Error(`training ${done.status}: ${done.message ?? ''}`);
    const model = (await call('models.list', {})).find((m) => m.name === definition.title)!;
    const score = await call('models.score', { id: model.id, corpusId: held.id });
    fs.mkdirSync(options.outDir, { recursive: true });
    const file = path.join(options.outDir, `${definition.name}.etude-model`);
    fs.rmSync(file, { force: true });
    const written = await call('models.exportToFile', { id: model.id, path: file });
    const info = await call('engine.info', {});
    const summary = (await call('corpora.list', {})).find((c) => c.id === corpus.id)!;
    const card: BaseModelCard = {
      name: definition.name,
      title: definition.title,
      summary: definition.summary,
      corpora: definition.corpora,
      pieces: summary.pieces,
      notes: summary.notes,
      encoding: definition.encoding,
      params: vocab.params,
      spec: model.spec,
      parameters: model.parameters,
      epochs: done.epoch,
      trainingSeconds: Math.round(done.seconds),
      machine: `${info.platform}, ${info.backend.name} backend, ${info.backend.threads} threads`,
      heldOut: { pieces: score.pieces, notes: score.notes, tokens: score.tokens, natsPerNote: score.natsPerNote, natsPerToken: score.natsPerToken, exact: score.exact },
      fileBytes: written.bytes,
      madeAt: new Date().toISOString(),
    };
    fs.writeFileSync(path.join(options.outDir, `${definition.name}.json`), JSON.stringify(card, null, 2) + '\n');
    fs.writeFileSync(path.join(options.outDir, `${definition.name}.md`), cardMarkdown(card));
    return card;
  } finally {
    await engine.close();
  }
}
