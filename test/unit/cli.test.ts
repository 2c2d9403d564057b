import { describe, expect, it } from 'vitest';
import { runCli, helpText, COMMANDS } from '../../src/cli/main';
import { parsePort } from '../../src/cli/commands/serve';
import { dbFlag } from '../../src/main/args';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env: {} }, out, err };
}

describe('command line', () => {
  it('lists every command in its help', async () => {
    const { io, out } = capture();
    expect(await runCli(['--help'], io)).toBe(0);
    for (const c of COMMANDS) expect(out.join('\n')).toContain(c.name);
    expect(helpText()).toContain('--json');
  });

  it('exits 2 with one line for an unknown command or option', async () => {
    const a = capture();
    expect(await runCli(['frobnicate'], a.io)).toBe(2);
    expect(a.err).toHaveLength(1);
    expect(a.err[0]).toMatch(/unknown command "frobnicate"/);

    const b = capture();
    expect(await runCli(['info', '--bogus'], b.io)).toBe(2);
    expect(b.err).toHaveLength(1);
    expect(b.err[0]).toMatch(/bogus/);
  });

  it('prints a JSON error object under --json', async () => {
    const { io, out, err } = capture();
    expect(await runCli(['serve', '--port', 'abc', '--json'], io)).toBe(2);
    expect(JSON.parse(out[0]!)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/--port/) } });
    expect(err).toHaveLength(1);
  });

  it('validates ports', () => {
    expect(parsePort(undefined)).toBe(0);
    expect(parsePort('8080')).toBe(8080);
    expect(() => parsePort('70000')).toThrow(/--port/);
    expect(() => parsePort('1.5')).toThrow(/--port/);
  });

  it('reads --db from Electron argv in both spellings', () => {
    expect(dbFlag(['electron', '.', '--db', '/x.db'])).toBe('/x.db');
    expect(dbFlag(['electron', '.', '--no-sandbox', '--db=/y.db'])).toBe('/y.db');
    expect(dbFlag(['electron', '.'])).toBeUndefined();
  });
});

describe('--param flags', () => {
  it('turns key=value pairs into typed parameters', async () => {
    const { parseParamFlags } = await import('../../src/cli/commands/vocab');
    expect(parseParamFlags(['fps=10', 'onsets=true', 'variant=octaves-durations', 'x=false'])).toEqual({
      fps: 10,
      onsets: true,
      variant: 'octaves-durations',
      x: false,
    });
    expect(() => parseParamFlags(['novalue'])).toThrow(/key=value/);
  });
});
