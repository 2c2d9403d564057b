/**
 * Provenance of exported takes: the model, its checkpoint and base, the seed and every setting, a
 * hash of the corpus it learned from and each take's longest match with that corpus. Written into
 * the MIDI file as text meta events (`etude.model=…`, readable in any DAW's event list and by
 * Etude on import) and as a sidecar .json.
 */
import tonejs from '@tonejs/midi';
import type { Midi as MidiClass } from '@tonejs/midi';
import type { GenerationInfo, Take } from '../../shared/generation';
import { PROVENANCE_PREFIX, type Provenance } from '../../shared/provenance';
import { barTicksAt } from '../fidelity/excerpts';
import { corpusIndexFor } from '../originality/index-cache';
import { longestMatchBars } from '../originality/match-bars';
import type { Store } from '../store/store';
import { APP_VERSION } from '../version';

const { Midi } = tonejs as unknown as { Midi: typeof MidiClass };

export function provenanceOf(store: Store, g: GenerationInfo, takes: readonly Take[]): Provenance {
  const model = store.models.get(g.modelId);
  const vocab = store.vocabularies.get(model.vocabularyId);
  const base = model.basedOn !== null ? store.models.get(model.basedOn).name : model.origin.kind === 'fine-tune' ? model.origin.from : null;
  const corpusId = model.corpusId !== null && store.corpora.byId(model.corpusId) ? model.corpusId : null;
  const index = corpusId !== null ? corpusIndexFor(store, corpusId) : null;
  const { seed, ...settings } = g.params;
  return {
    app: `Etude ${APP_VERSION}`,
    generation: g.name,
    generationId: g.id,
    model: model.name,
    checkpointId: g.checkpointId,
    epoch: g.checkpointEpoch,
    base,
    seed,
    settings,
    corpus: corpusId !== null ? store.corpora.summary(corpusId).name : (vocab.corpus ?? null),
    corpusSha256: store.vocabularies.corpusHash(vocab.id),
    passage: g.primerLabel,
    takes: takes.map((t) => {
      if (!index) return { take: t.index + 1, longestMatchBars: null, longestMatchNotes: null };
      const continuation = t.notes.filter((n) => n.startTick >= t.seamTick);
      const match = longestMatchBars(index, continuation, g.ppq, barTicksAt(g.timeSignatures, g.ppq, t.seamTick));
      return { take: t.index + 1, longestMatchBars: Math.round(match.bars * 100) / 100, longestMatchNotes: index.longestMatch(continuation, g.ppq).notes };
    }),
    createdAt: g.createdAt,
  };
}

// MIDI text is bytes: UTF-8 is carried byte for byte (as a latin1 string) and read back the same way.
const toBytes = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
const fromBytes = (text: string) => Buffer.from(text, 'latin1').toString('utf8');

/** The text meta events of a file of these takes. */
export function provenanceTexts(p: Provenance): string[] {
  const fields: [string, string | null][] = [
    ['app', p.app],
    ['model', p.model],
    ['checkpoint', p.checkpointId === null ? `epoch ${p.epoch}` : `${p.checkpointId} (epoch ${p.epoch})`],
    ['base', p.base],
    ['seed', String(p.seed)],
    ['settings', JSON.stringify(p.settings)],
    ['corpus', p.corpus],
    ['corpus-sha256', p.corpusSha256],
    ['passage', p.passage],
    ['originality', p.takes.map((t) => (t.longestMatchBars === null ? `take ${t.take}: not checked` : `take ${t.take}: longest match ${t.longestMatchBars} bars (${t.longestMatchNotes} notes)`)).join('; ')],
    ['generation', `${p.generation} (${p.generationId})`],
    ['created', p.createdAt],
  ];
  return fields.filter((f): f is [string, string] => f[1] !== null).map(([k, v]) => toBytes(`${PROVENANCE_PREFIX}${k}=${v}`));
}

/** The provenance a MIDI file carries (its `etude.` text events), or null when it has none. */
export function readProvenance(bytes: Uint8Array): Record<string, string> | null {
  // Most files are not ours: a cheap look for the prefix before a full parse.
  if (!Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(PROVENANCE_PREFIX, 0, 'latin1')) return null;
  let meta: { text: string; type: string }[];
  try {
    meta = new Midi(bytes).header.meta;
  } catch {
    return null;
  }
  const out: Record<string, string> = {};
  for (const e of meta) {
    if (e.type !== 'text') continue;
    const text = fromBytes(e.text);
    const eq = text.indexOf('=');
    if (text.startsWith(PROVENANCE_PREFIX) && eq > PROVENANCE_PREFIX.length) out[text.slice(PROVENANCE_PREFIX.length, eq)] = text.slice(eq + 1);
  }
  return Object.keys(out).length > 0 ? out : null;
}
