/**
 * A bounded fuzz run in every `npm test` (npm run fuzz -- --cases N for long campaigns): mutated
 * MIDI and ABC from the shared corpora and the starter tunes imported through the reader process
 * into a real database, damaged model files imported, then malformed requests against a real `etude serve`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileCampaign, seedFiles, serverCampaign } from '../../src/engine/fuzz/campaign';
import { modelFileCampaign } from '../../src/engine/fuzz/model-files';
import { JIGS, PIANO } from '../helpers/corpora';
import { ETUDE_BIN, REPO_ROOT } from '../helpers/repo';
import { tempDir } from '../helpers/tmp';

describe('fuzzing (bounded)', () => {
  it('imports 1,500 mutated files: each imported whole or refused by name, nothing hung or ran out of memory, the database whole', async () => {
    const seeds = seedFiles([JIGS, PIANO, path.join(REPO_ROOT, 'resources/starter')]);
    const report = await fileCampaign({ cases: 1500, seed: 7, seeds, dir: tempDir() });
    console.log(`fuzz files: ${JSON.stringify({ ...report, unexpected: report.unexpected.length })}`);
    expect(report.cases).toBe(1500);
    expect(report.abc).toBeGreaterThan(300);
    expect(report.imported + report.refused).toBe(1500);
    expect(report.timedOut).toBe(0);
    expect(report.outOfMemory).toBe(0);
    expect(report.readerStopped).toBe(0);
    expect(report.unexpected).toEqual([]);
    expect(report.integrity).toBe('ok');
    expect(report.halfWritten).toBe(0);
    expect(report.corpusOperations.filter((o) => o.includes('FAILED'))).toEqual([]);
  }, 300_000);

  it('imports 300 damaged model files: each imported whole or refused by name, quickly, the database whole', () => {
    const report = modelFileCampaign({ cases: 300, seed: 5, dir: tempDir() });
    console.log(`fuzz model files: ${JSON.stringify(report)}`);
    expect(report.cases).toBe(300);
    expect(report.imported + report.refused).toBe(300);
    expect(report.refused).toBeGreaterThan(200);
    expect(report.unexpected).toEqual([]);
    expect(report.integrity).toBe('ok');
  }, 120_000);

  it('sends 200 malformed requests to etude serve, which answers every one and stays up', async () => {
    const report = await serverCampaign({ cases: 200, seed: 3, dir: tempDir(), etudeBin: ETUDE_BIN });
    console.log(`fuzz server: ${JSON.stringify(report)}`);
    expect(report.cases).toBe(200);
    expect(report.crashes).toBe(0);
    expect(report.statuses['500'] ?? 0).toBe(0);
    expect(fs.existsSync(ETUDE_BIN)).toBe(true);
  }, 180_000);
});
