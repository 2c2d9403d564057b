import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine';
import { resourcesDir } from '../../src/engine/resources';
import type { CorpusCheck, CorpusSummary, PieceSummary } from '../../src/shared/library';
import { tempDir } from '../helpers/tmp';

async function value<T>(engine: Engine, method: Parameters<Engine['call']>[0], input: unknown): Promise<T> {
  const reply = await engine.call(method, input);
  if (!reply.ok) throw new Error(reply.error.message);
  return reply.value as T;
}

describe('bundled starter corpus', () => {
  it('is imported on first run, every tune of it, ready to train on', async () => {
    const tunes = fs
      .readdirSync(path.join(resourcesDir(), 'starter'))
      .filter((f) => f.endsWith('.abc'))
      .reduce((n, f) => n + (fs.readFileSync(path.join(resourcesDir(), 'starter', f), 'utf8').match(/^X:/gm)?.length ?? 0), 0);
    expect(tunes).toBeGreaterThanOrEqual(40);

    const engine = Engine.open({ dbPath: path.join(tempDir(), 'first.db') });
    try {
      const corpora = await value<CorpusSummary[]>(engine, 'corpora.list', {});
      expect(corpora.map((c) => c.name)).toEqual(['Starter tunes']);
      expect(corpora[0]!.pieces).toBe(tunes);
      const { pieces } = await value<{ pieces: PieceSummary[] }>(engine, 'pieces.list', { corpusId: corpora[0]!.id });
      expect(new Set(pieces.map((p) => p.title)).size).toBe(tunes); // every title distinct
      expect(pieces.every((p) => p.sourceFormat === 'abc' && p.noteCount > 10)).toBe(true);
      expect(new Set(pieces.map((p) => p.meter))).toEqual(new Set(['2/2', '2/4', '3/4', '3/8', '4/4', '6/8']));
      const check = await value<CorpusCheck>(engine, 'corpora.check', { id: corpora[0]!.id });
      expect(check.pieces.used).toBe(tunes);
    } finally {
      await engine.close();
    }
  });

  it('is imported once per database: deleting it is final', async () => {
    const db = path.join(tempDir(), 'once.db');
    const first = Engine.open({ dbPath: db });
    const [starter] = await value<CorpusSummary[]>(first, 'corpora.list', {});
    await value(first, 'corpora.delete', { id: starter!.id, confirm: true });
    await first.close();
    const second = Engine.open({ dbPath: db });
    expect(await value<CorpusSummary[]>(second, 'corpora.list', {})).toEqual([]);
    await second.close();
  });
});
