/**
 * Does it sound like the corpus? The style scorecard on held-out pieces: the shipped base models
 * (folk on held-out jigs, chorales on the JSB test chorales) and the folk base personalised on 20
 * jigs (as the personalise benchmark does), each with its mean overlap, classifier AUC and copy
 * rate; and the ceiling, one half of the held-out jigs measured against the other (by piece).
 * Targets (issue 29), takes continued from held-out passages: mean OA ≥ 0.88, AUC ≤ 0.72, copies
 * of more than 4 bars ≤ 5%.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../engine';
import type { MethodInput, MethodName, MethodResult } from '../../shared/api';
import type { Scorecard } from '../../shared/fidelity';
import { unwrapReply } from '../../shared/reply';
import { writeChorales } from '../corpus/frames-midi';
import { excerptsOf } from '../fidelity/excerpts';
import { compareStyle } from '../fidelity/scorecard';
import { TAKE_BARS } from '../jobs/fidelity';
import type { BenchResult } from './workloads';

export const FIDELITY_PERSONALISE_MINUTES = 3;

const round = (x: number) => Math.round(x * 1000) / 1000;

function figures(prefix: string, card: Scorecard): BenchResult {
  return {
    workload: 'fidelity',
    [`${prefix}_mean_oa`]: round(card.meanOverlap),
    [`${prefix}_auc`]: round(card.auc),
    [`${prefix}_copy_rate`]: round(card.copyRate),
    [`${prefix}_median_match_bars`]: round(card.medianMatchBars),
    [`${prefix}_telltales`]: card.telltales.map((t) => t.words).join('; '),
    [`${prefix}_passages`]: card.passages,
    [`${prefix}_seconds`]: round(card.seconds),
  };
}

export async function fidelityBench(corporaDir: string, benchmarksDir: string, minutes = FIDELITY_PERSONALISE_MINUTES): Promise<BenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-bench-fidelity-'));
  const engine = Engine.open({ dbPath: path.join(dir, 'bench.db'), starterCorpus: false });
  const call = async <M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodResult<M>> => unwrapReply(await engine.call(method, input)) as MethodResult<M>;
  try {
    const folder = path.join(corporaDir, 'nottingham-jigs');
    const all = fs.readdirSync(folder).filter((f) => f.endsWith('.mid')).sort();
    // The personalise benchmark's 20 jigs to learn from (every twelfth file); 40 others held out.
    const learn = all.filter((_, i) => i % 12 === 0).slice(0, 20);
    const held = all.filter((_, i) => i % 12 === 6).slice(0, 40);
    await call('corpora.import', { corpus: 'My jigs', paths: learn.map((f) => path.join(folder, f)) });
    await call('corpora.import', { corpus: 'Held-out jigs', paths: held.map((f) => path.join(folder, f)) });
    const chorales = JSON.parse(fs.readFileSync(path.join(benchmarksDir, 'jsb-chorales', 'jsb-chorales-quarter.json'), 'utf8')) as { test: number[][][] };
    writeChorales(path.join(dir, 'test'), chorales.test, 'test');
    await call('corpora.import', { corpus: 'JSB test chorales', paths: [path.join(dir, 'test')] });
    const corpora = await call('corpora.list', {});
    const byName = (name: string) => corpora.find((c) => c.name === name)!.id;
    const models = await call('models.list', {});
    const folk = models.find((m) => m.base && m.encoding === 'events') ?? models.find((m) => m.name.startsWith('Folk'))!;
    const choraleBase = models.find((m) => m.base && m.id !== folk.id);

    // The ceiling: one half of the held-out jigs (by piece) against the other.
    const pieces = [...engine.store.corpora.iterateEncodable(byName('Held-out jigs'))];
    const halves = [0, 1].map((h) => pieces.filter((_, i) => i % 2 === h).flatMap((p) => excerptsOf(p.piece, TAKE_BARS, p.pieceId)));
    const ceiling = compareStyle(halves[0]!, halves[1]!);

    const folkCard = await call('models.fidelity', { id: folk.id, corpusId: byName('Held-out jigs') });
    const choraleCard = choraleBase ? await call('models.fidelity', { id: choraleBase.id, corpusId: byName('JSB test chorales') }) : null;
    const personal = await call('models.personalize', { corpusId: byName('My jigs'), name: 'Personalised', base: 'auto', budgetMinutes: minutes });
    const done = await engine.training.waitFor(personal.run.id);
    const personalCard = await call('models.fidelity', { id: personal.model.id, corpusId: byName('Held-out jigs') });
    // The same takes' settings varied: where sampling, not the model, gives the takes away.
    const nucleus = await call('models.fidelity', { id: personal.model.id, corpusId: byName('Held-out jigs'), topP: 0.9 });
    const cooler = await call('models.fidelity', { id: personal.model.id, corpusId: byName('Held-out jigs'), temperature: 0.85 });
    return {
      ...figures('folk_base', folkCard),
      ...(choraleCard ? figures('chorale_base', choraleCard) : {}),
      ...figures('personalised', personalCard),
      ...figures('personalised_top_p_0_9', nucleus),
      ...figures('personalised_temperature_0_85', cooler),
      workload: 'fidelity',
      personalised_minutes: minutes,
      personalised_epochs: done.epoch,
      personalised_base: personal.base.name,
      personalised_verdict: personalCard.verdict,
      ceiling_mean_oa: round(ceiling.meanOverlap),
      ceiling_auc: round(ceiling.auc),
      ceiling_excerpts: `${halves[0]!.length}+${halves[1]!.length}`,
      takes: personalCard.takes,
      held_out_excerpts: personalCard.excerpts,
      seconds_for_30_takes: round(folkCard.seconds),
    };
  } finally {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
