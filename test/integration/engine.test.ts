import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine';
import type { EngineInfo, EventMessage } from '../../src/shared/api';
import { tempDir } from '../helpers/tmp';

let engine: Engine | null = null;
afterEach(async () => {
  await engine?.close();
  engine = null;
});

function open(): Engine {
  engine = Engine.open({ dbPath: path.join(tempDir(), 'etude.db') });
  return engine;
}

describe('engine', () => {
  it('reports the backend chosen in its TF worker, the database and versions', async () => {
    const e = open();
    const reply = await e.call('engine.info', {});
    expect(reply.ok).toBe(true);
    const info = (reply as { value: EngineInfo }).value;
    expect(['tensorflow', 'wasm', 'cpu']).toContain(info.backend.name);
    expect(info.backend.threads).toBeGreaterThanOrEqual(1);
    expect(info.database.path).toBe(e.store.path);
    expect(info.database.schemaVersion).toBe(info.database.latestSchemaVersion);
    expect(info.versions.tfjs).toMatch(/^\d+\.\d+\.\d+$/);
    expect(info.versions.sqlite).toMatch(/^3\./);
    expect(info.versions.electron).toBeNull();
    // Where native TensorFlow is absent, the reason is recorded for the status bar.
    if (info.backend.name !== 'tensorflow') expect(info.backend.fallbackReasons[0]).toMatch(/tfjs-node/);
    // On the WebAssembly backend the recurrent layers take the hand-written kernels (the fast path).
    expect(info.backend.fusedKernels).toBe(info.backend.name === 'wasm');
  });

  it('answers bad calls with typed errors and keeps serving', async () => {
    const e = open();
    expect(await e.call('no.such.method', {})).toEqual({
      ok: false,
      error: { kind: 'unknown_method', message: 'unknown method "no.such.method"' },
    });
    expect(await e.call(42, {})).toMatchObject({ ok: false, error: { kind: 'unknown_method' } });
    expect(await e.call('__proto__', {})).toMatchObject({ ok: false, error: { kind: 'unknown_method' } });
    const invalid = await e.call('engine.ping', { echo: 5, extra: true });
    expect(invalid).toMatchObject({ ok: false, error: { kind: 'invalid_input' } });
    const issues = (invalid as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path);
    expect(issues).toContain('echo');
    expect(await e.call('engine.ping', 'not an object')).toMatchObject({ ok: false, error: { kind: 'invalid_input' } });
    expect(await e.call('engine.ping', { echo: 'still here' })).toMatchObject({ ok: true, value: { echo: 'still here' } });
  });

  it('pushes events to listeners and stops after close', async () => {
    const e = open();
    const seen: EventMessage[] = [];
    e.on((m) => seen.push(m));
    e.emit('engine.status', { state: 'ready', at: 1 });
    expect(seen).toEqual([{ event: 'engine.status', payload: { state: 'ready', at: 1 } }]);
    await e.close();
    engine = null;
    expect(seen.at(-1)).toMatchObject({ event: 'engine.status', payload: { state: 'closing' } });
    expect(await e.call('engine.ping', {})).toMatchObject({ ok: false, error: { kind: 'unavailable' } });
  });
});
