import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Engine } from '../../src/engine/engine';
import { startServer, type RunningServer } from '../../src/server/server';
import { tempDir } from '../helpers/tmp';

let engine: Engine;
let server: RunningServer;
let staticDir: string;

beforeEach(async () => {
  const dir = tempDir();
  staticDir = path.join(dir, 'renderer');
  fs.mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Etude</title>');
  fs.writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  engine = Engine.open({ dbPath: path.join(dir, 'etude.db') });
  server = await startServer({ engine, port: 0, staticDir });
});

afterEach(async () => {
  await server.close();
  await engine.close();
});

const auth = () => ({ Authorization: `Bearer ${server.token}` });

async function api(method: string, body: unknown, headers: Record<string, string> = auth()) {
  const res = await fetch(`${server.url}/api/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* plain-text refusal */
  }
  return { status: res.status, json, text };
}

/** Opens a socket and collects every frame it receives. */
function socket(headers: Record<string, string>): Promise<{ ws: WebSocket; frames: unknown[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`, { headers });
    const frames: unknown[] = [];
    ws.on('message', (data) => frames.push(JSON.parse(String(data))));
    ws.once('open', () => resolve({ ws, frames }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused with ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

async function until<T>(get: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('local server', () => {
  it('listens on loopback only', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.studioUrl).toBe(`${server.url}/?token=${server.token}`);
  });

  it('refuses requests without the token, with a wrong one, or from a foreign origin or host', async () => {
    expect((await api('engine.ping', {}, {})).status).toBe(403);
    expect((await api('engine.ping', {}, { Authorization: 'Bearer wrong' })).status).toBe(403);
    const foreign = await api('engine.ping', {}, { ...auth(), Origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.text).toMatch(/origin/);
    expect((await fetch(`${server.url}/`)).status).toBe(403);
    expect((await fetch(`${server.url}/assets/app.js`)).status).toBe(403);
  });

  it('serves the engine over HTTP with typed errors', async () => {
    expect(await api('engine.ping', { echo: 'hi' })).toMatchObject({ status: 200, json: { ok: true, value: { echo: 'hi' } } });
    expect(await api('engine.nope', {})).toMatchObject({ status: 404, json: { ok: false, error: { kind: 'unknown_method' } } });
    expect(await api('engine.ping', { echo: 1 })).toMatchObject({ status: 400, json: { ok: false, error: { kind: 'invalid_input' } } });
    expect(await api('engine.ping', '{not json')).toMatchObject({ status: 400, json: { ok: false, error: { kind: 'invalid_input' } } });
    expect(await api('engine.ping', { echo: 'still serving' })).toMatchObject({ status: 200 });
    const info = await api('engine.info', {});
    expect(info.json).toMatchObject({ ok: true, value: { database: { path: engine.store.path } } });
  });

  it('moves the token into an HttpOnly cookie and serves the studio with a CSP', async () => {
    const first = await fetch(server.studioUrl, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/');
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await fetch(`${server.url}/`, { headers: { Cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<title>Etude</title>');
    const asset = await fetch(`${server.url}/assets/app.js`, { headers: auth() });
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${server.url}/assets/%2e%2e/%2e%2e/etude.db`, { headers: auth() })).status).toBe(404);
  });

  it('serves calls and pushes events over WebSocket, and survives bad frames', async () => {
    const { ws, frames } = await socket({ Cookie: `etude_token_${server.port}=${server.token}`, Origin: server.url });
    ws.send('garbage');
    ws.send(JSON.stringify({ id: 1, method: 'engine.missing', input: {} }));
    ws.send(JSON.stringify({ id: 2, method: 'engine.ping', input: { echo: 9 } }));
    ws.send(JSON.stringify({ id: 3, method: 'engine.ping', input: { echo: 'ok' } }));
    const replyTo = (id: number) => frames.find((f) => (f as { id?: number }).id === id) as { reply: unknown } | undefined;
    expect((await until(() => replyTo(1))).reply).toMatchObject({ ok: false, error: { kind: 'unknown_method' } });
    expect((await until(() => replyTo(2))).reply).toMatchObject({ ok: false, error: { kind: 'invalid_input' } });
    expect((await until(() => replyTo(3))).reply).toMatchObject({ ok: true, value: { echo: 'ok' } });
    expect(frames.find((f) => (f as { id?: unknown }).id === null)).toMatchObject({ reply: { ok: false, error: { kind: 'invalid_input' } } });

    engine.emit('engine.status', { state: 'ready', at: 7 });
    expect(await until(() => frames.find((f) => (f as { type?: string }).type === 'event'))).toEqual({
      type: 'event',
      event: 'engine.status',
      payload: { state: 'ready', at: 7 },
    });
    ws.close();
  });

  it('refuses WebSocket upgrades without the token or from a foreign origin', async () => {
    await expect(socket({ Origin: server.url })).rejects.toThrow(/403/);
    await expect(socket({ Cookie: `etude_token_${server.port}=${server.token}`, Origin: 'http://evil.example' })).rejects.toThrow(/403/);
  });
});
