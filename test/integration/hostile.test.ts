/**
 * Hostile input and faults cost only themselves: each case here took a studio down, hung it or
 * stored something broken before, and must now be refused by name while the rest carries on.
 */
import { fork, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine';
import { EngineClient } from '../../src/engine/host/engine-client';
import type { FromEngineHost, HostChannel, ToEngineHost } from '../../src/engine/host/protocol';
import { FileParser } from '../../src/engine/parse/file-parser';
import { syntheticMidi } from '../../src/engine/bench/synthetic-midi';
import { startServer } from '../../src/server/server';
import type { MethodInput, MethodName, MethodResult } from '../../src/shared/api';
import { unwrapReply } from '../../src/shared/reply';
import { end, file, header, off, on, tempo, track, vlq } from '../helpers/midi-bytes';
import { ETUDE_BIN, REPO_ROOT } from '../helpers/repo';
import { tempDir } from '../helpers/tmp';

const engines: Engine[] = [];
const parsers: FileParser[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
  for (const p of parsers.splice(0)) await p.close();
});

function open(): { engine: Engine; call: <M extends MethodName>(method: M, input: MethodInput<M>) => Promise<MethodResult<M>> } {
  const engine = Engine.open({ dbPath: path.join(tempDir(), 'hostile.db'), starterCorpus: false, baseModels: false });
  engines.push(engine);
  return { engine, call: async (method, input) => unwrapReply(await engine.call(method, input)) as never };
}

const write = (dir: string, name: string, bytes: Uint8Array | string) => {
  fs.writeFileSync(path.join(dir, name), bytes);
  return path.join(dir, name);
};
const tune = (body: string, fields = '') => `X:1\nT:t\n${fields}K:C\n${body}\n`;

describe('the reader: files that crashed, hung or bloated it', () => {
  it('refuses a note of ten million beats, the meters of nothing and of pages, and imports the rest', async () => {
    const dir = tempDir();
    const files = [
      write(dir, 'a-crash.abc', tune('C9999999')),
      write(dir, 'b-zero.abc', tune('CDEF|', 'M:0/0\n')),
      write(dir, 'c-infinite.abc', tune('CDEF|', 'M:1/0\n')),
      write(dir, 'd-pages.abc', tune('CDEF|', 'M:99999/1\n')),
      write(dir, 'e-fine.abc', tune('CDEF|GABc|', 'M:4/4\nL:1/8\n')),
      // What the 20,000-case campaign still found: a unit of pages, a held note after a repeat sign, a held chord.
      write(dir, 'f-unit.abc', tune('CDEF|', 'L:1999999/8\n')),
      write(dir, 'g-repeat.abc', tune('|:E29999999 BE dEBE|')),
      write(dir, 'h-chord.abc', tune('[G,B,D]49999999 A,2 |')),
      // Octave marks past what MIDI can play: the reader's message was about a byte of abcjs's MIDI.
      write(dir, 'i-octaves.abc', tune('C,,,,,,,,,,,,,,,,|')),
    ];
    const { call } = open();
    const summary = await call('corpora.import', { corpus: 'Hostile', paths: files });
    expect(summary.imported).toBe(1);
    expect(summary.failed.map((f) => [path.basename(f.file), f.reason])).toEqual([
      ['a-crash.abc', 'tune "t" has a note 9999999 times its unit length: not a plausible length'],
      ['b-zero.abc', 'tune "t" has a meter no music has (0/0)'],
      ['c-infinite.abc', 'tune "t" has a meter no music has (1/0)'],
      ['d-pages.abc', 'tune "t" has a meter no music has (99999/1)'],
      ['f-unit.abc', 'tune "t" has a unit note length of 1999999/8: not a plausible length'],
      ['g-repeat.abc', 'tune "t" has a note 29999999 times its unit length: not a plausible length'],
      ['h-chord.abc', 'tune "t" has a note 49999999 times its unit length: not a plausible length'],
      ['i-octaves.abc', 'tune "t" has notes MIDI cannot hold (pitches outside C-1 to G9, or more voices than MIDI has room for)'],
    ]);
  });

  it('refuses a file that needs more memory than the reader has, by name, and reads the next', async () => {
    const parser = new FileParser({ seconds: 30, memoryMb: 48 });
    parsers.push(parser);
    await expect(parser.read('huge.mid', syntheticMidi(1_500_000))).rejects.toMatchObject({ kind: 'invalid_input', message: 'needs more than 48 MB to read' });
    const [piece] = await parser.read('small.mid', syntheticMidi(100));
    expect(piece!.midi.noteCount).toBe(100);
  }, 60_000);

  it('refuses a tune that takes longer than the limit, and the engine answers meanwhile', async () => {
    const parser = new FileParser({ seconds: 0.5, memoryMb: 1024 });
    parsers.push(parser);
    const long = tune('CDEF GABc defg abc\'b|'.repeat(20_000), 'L:1/8\n');
    await expect(parser.read('long.abc', Buffer.from(long))).rejects.toMatchObject({ message: 'could not be read within 0.5 s' });
    // The file after it is read by a fresh reader, not blamed for the stuck one's death.
    const [next] = await parser.read('next.mid', syntheticMidi(50));
    expect(next!.midi.noteCount).toBe(50);
    // The same tune through the engine (10 s a tune): the engine keeps answering while its reader works.
    const { engine } = open();
    const dir = tempDir();
    const importing = engine.call('corpora.import', { corpus: 'Long', paths: [write(dir, 'long.abc', long)] });
    const t0 = performance.now();
    expect((await engine.call('engine.ping', {})).ok).toBe(true);
    expect(performance.now() - t0).toBeLessThan(1000);
    await importing;
  }, 60_000);
});

describe('MIDI that was stored broken or broke what came after', () => {
  it('reads SMPTE 29.97 frames, refuses ticks past 2³², and a piece at one tick a quarter no longer breaks the corpus check', async () => {
    const dir = tempDir();
    const smpte = write(dir, 'smpte.mid', file([0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 0, 0, 1, 0xe3, 40], track([on(0, 0, 60), off(1199, 0, 60), end()])));
    const wrapped = write(dir, 'wrapped.mid', file(header(0, 1, 96), track([...Array(17).fill([...vlq(0x0fffffff), 0xff, 0x01, 0]), on(0, 0, 60), off(1, 0, 60), end()])));
    // One tick a quarter and a quarter of a microsecond's tempo: four billion ticks, an hour of music.
    const absurd = write(dir, 'absurd.mid', file(header(0, 1, 1), track([tempo(0, 1), [...vlq(0x0fffffff), 0xff, 0x01, 0], on(0, 0, 60), off(0x0fffffff, 0, 60), end()])));
    const { call } = open();
    const summary = await call('corpora.import', { corpus: 'Odd', paths: [smpte, wrapped, absurd] });
    expect(summary.failed.map((f) => [path.basename(f.file), f.reason])).toEqual([['wrapped.mid', 'its delta times add up past 2³² ticks in track 1: not a plausible piece']]);
    const corpus = (await call('corpora.list', {})).find((c) => c.name === 'Odd')!;
    const pieces = (await call('pieces.list', { corpusId: corpus.id })).pieces;
    expect(pieces.find((p) => p.title === 'smpte')!.durationSeconds).toBeCloseTo(1199 / (29.97 * 40), 4);
    const check = await call('corpora.check', { id: corpus.id });
    expect(check.pieces.total).toBe(2);
  });
});

describe('the local server: malformed requests are refused, never fatal', () => {
  function raw(port: number, request: string): Promise<string> {
    return new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      let answer = '';
      socket.on('data', (d) => (answer += d.toString('latin1')));
      socket.on('close', () => resolve(answer));
      socket.on('error', () => resolve(answer));
      socket.write(request);
      setTimeout(() => socket.end(), 300);
    });
  }

  it('answers 400 to a target that is not a path and to a cookie that is not percent-encoding, and serves on', async () => {
    const { engine } = open();
    const server = await startServer({ engine });
    try {
      const host = `Host: 127.0.0.1:${server.port}\r\n`;
      const upgrade = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
      expect(await raw(server.port, `GET //[ HTTP/1.1\r\n${host}${upgrade}\r\n`)).toMatch(/^HTTP\/1\.1 400/);
      expect(await raw(server.port, `GET //[ HTTP/1.1\r\n${host}\r\n`)).toMatch(/^HTTP\/1\.1 400/);
      // Another app's cookie on localhost: the upgrade is judged on the token alone.
      expect(await raw(server.port, `GET /ws HTTP/1.1\r\n${host}${upgrade}Cookie: progress=50%; etude_token_${server.port}=${server.token}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 101/);
      const ping = await fetch(`${server.url}/api/engine.ping`, { method: 'POST', body: '{}', headers: { Authorization: `Bearer ${server.token}` } });
      expect(ping.status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('gives two studios on two ports two cookies, so neither logs the other out', async () => {
    const a = await startServer({ engine: open().engine });
    const b = await startServer({ engine: open().engine });
    try {
      const cookieOf = async (s: typeof a) => (await fetch(s.studioUrl, { redirect: 'manual' })).headers.get('set-cookie') ?? '';
      expect(await cookieOf(a)).toMatch(new RegExp(`^etude_token_${a.port}=`));
      expect(await cookieOf(b)).toMatch(new RegExp(`^etude_token_${b.port}=`));
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('etude serve on a busy port says so and exits', async () => {
    const busy = net.createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => busy.once('listening', resolve));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const result = spawnSync(process.execPath, [ETUDE_BIN, 'serve', '--port', String(port), '--db', path.join(tempDir(), 's.db')], { encoding: 'utf8', timeout: 60_000 });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`port ${port} is in use`));
    } finally {
      busy.close();
    }
  }, 90_000);
});

describe('runs stopped by a signal or a time limit', () => {
  it('etude train ends cleanly on SIGTERM, with a checkpoint, and a resume takes a new time limit', async () => {
    const db = path.join(tempDir(), 'term.db');
    const child = spawn(process.execPath, [ETUDE_BIN, 'train', '--corpus', 'Starter tunes', '--encoding', 'notes-chords', '--model', 'term', '--set', 'units=32', '--set', 'dense=0', '--epochs', '50', '--set', 'stride=1', '--db', db, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = readline.createInterface({ input: child.stdout! });
    for await (const line of lines) {
      if (line.includes('"type":"batch"') && JSON.parse(line).step >= 3) {
        child.kill('SIGTERM');
        break;
      }
    }
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    const models = spawnSync(process.execPath, [ETUDE_BIN, 'models', '--json', '--db', db], { encoding: 'utf8' });
    const model = (JSON.parse(models.stdout).models as { name: string; checkpoints: number }[]).find((m) => m.name === 'term')!;
    expect(model).toMatchObject({ name: 'term', status: 'stopped' });
    expect(model.checkpoints).toBeGreaterThan(0);
    // Resumed for six seconds of this session: it stops at its new limit, not at once.
    const resumed = spawnSync(process.execPath, [ETUDE_BIN, 'train', '--model', 'term', '--resume', '--max-minutes', '0.1', '--db', db, '--json'], { encoding: 'utf8', timeout: 120_000 });
    const summary = JSON.parse(resumed.stdout.trim().split('\n').at(-1)!);
    expect(summary.status).toBe('stopped');
    expect(summary.message).toMatch(/^stopped at the time limit \(6 s\)/);
    const batches = resumed.stdout.split('\n').filter((l) => l.includes('"type":"batch"')).length;
    expect(batches).toBeGreaterThan(2);
  }, 180_000);
});

describe('the engine in a process of its own', () => {
  const hostEntry = fileURLToPath(new URL('../../src/engine/host/engine-host.ts', import.meta.url));

  function nodeChannel(): HostChannel & { pid: number } {
    const child = fork(hostEntry, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    return {
      pid: child.pid!,
      send: (m: ToEngineHost) => child.send(m),
      onMessage: (l) => child.on('message', (m) => l(m as FromEngineHost)),
      onExit: (l) => child.on('exit', (code) => l(code)),
      kill: () => child.kill('SIGKILL'),
    };
  }

  it('answers calls and events from another process; if it dies the call says so and the next one starts it again', async () => {
    let last: (HostChannel & { pid: number }) | null = null;
    const client = new EngineClient({ dbPath: path.join(tempDir(), 'host.db'), starterCorpus: false, baseModels: false }, () => (last = nodeChannel()));
    try {
      const events: string[] = [];
      client.on((m) => events.push(m.event));
      expect(await client.call('engine.ping', { echo: 'hello' })).toMatchObject({ ok: true, value: { echo: 'hello' } });
      expect(await client.call('corpora.create', { name: 'Far away' })).toMatchObject({ ok: true });
      expect(events).toContain('corpora.changed');
      // A crash of the engine's process: the window's side gets an answer, not a hang.
      const first = last!;
      const waiting = client.call('corpora.list', {});
      process.kill(first.pid, 'SIGKILL');
      const answer = await waiting;
      if (!answer.ok) expect(answer.error.kind).toBe('unavailable');
      const again = await client.call('corpora.list', {});
      expect(again).toMatchObject({ ok: true, value: [{ name: 'Far away' }] });
      expect(last!.pid).not.toBe(first.pid);
      expect(client.restarts).toBe(1);
    } finally {
      await client.close();
    }
  }, 60_000);

  it('is built for the desktop app beside its main bundle', () => {
    for (const name of ['engine-host.js', 'parser-process.js', 'tf-worker.js']) expect(fs.existsSync(path.join(REPO_ROOT, 'out/main', name)), name).toBe(true);
  });
});
