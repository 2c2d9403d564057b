import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { checkAccess, newToken, parseCookies, tokensEqual } from '../../src/server/auth';
import { parseClientFrame } from '../../src/server/frames';
import { resolveStatic } from '../../src/server/static';
import { tempDir } from '../helpers/tmp';

const PORT = 4321;
const TOKEN = 'secret-token';

function request(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

function verdict(headers: Record<string, string>, query = '') {
  return checkAccess(request(headers), new URL(`http://127.0.0.1:${PORT}/api/x${query}`), PORT, TOKEN);
}

describe('server access rules', () => {
  it('accepts the token from the query, a bearer header or the cookie', () => {
    const host = `127.0.0.1:${PORT}`;
    expect(verdict({ host }, `?token=${TOKEN}`).ok).toBe(true);
    expect(verdict({ host, authorization: `Bearer ${TOKEN}` }).ok).toBe(true);
    expect(verdict({ host: `localhost:${PORT}`, cookie: `a=1; etude_token_${PORT}=${TOKEN}` }).ok).toBe(true);
  });

  it("reads only its own port's cookie, and a cookie that is not valid percent-encoding does not throw", () => {
    const host = `127.0.0.1:${PORT}`;
    // Another studio on another port of the same host sets its own cookie: it is not ours.
    expect(verdict({ host, cookie: `etude_token_${PORT + 1}=${TOKEN}` })).toMatchObject({ ok: false, status: 403 });
    expect(verdict({ host, cookie: `progress=50%; etude_token_${PORT}=${TOKEN}` }).ok).toBe(true);
    expect(parseCookies('progress=50%; x=%E0%A4%A')).toEqual(new Map([['progress', '50%'], ['x', '%E0%A4%A']]));
  });

  it('refuses a request with two Host headers, even when the first is ours', () => {
    const host = `127.0.0.1:${PORT}`;
    const req = { headers: { host, authorization: `Bearer ${TOKEN}` }, rawHeaders: ['Host', host, 'host', 'evil.example', 'Authorization', `Bearer ${TOKEN}`] } as unknown as IncomingMessage;
    expect(checkAccess(req, new URL(`http://${host}/api/x`), PORT, TOKEN)).toMatchObject({ ok: false, status: 403, reason: '2 Host headers: a request names one host' });
  });

  it('refuses a missing or wrong token', () => {
    expect(verdict({ host: `127.0.0.1:${PORT}` })).toMatchObject({ ok: false, status: 403 });
    expect(verdict({ host: `127.0.0.1:${PORT}`, authorization: 'Bearer nope' })).toMatchObject({ ok: false, status: 403 });
  });

  it('refuses foreign origins and hosts even with the token', () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect(verdict({ ...auth, host: `127.0.0.1:${PORT}`, origin: 'http://evil.example' })).toMatchObject({ ok: false, status: 403 });
    expect(verdict({ ...auth, host: `127.0.0.1:${PORT}`, origin: `http://127.0.0.1:${PORT + 1}` })).toMatchObject({ ok: false });
    expect(verdict({ ...auth, host: `rebound.example:${PORT}` })).toMatchObject({ ok: false, status: 403 });
    expect(verdict({ ...auth, host: `127.0.0.1:${PORT}`, origin: `http://localhost:${PORT}` }).ok).toBe(true);
  });

  it('makes unguessable tokens and compares them exactly', () => {
    const a = newToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(newToken()).not.toBe(a);
    expect(tokensEqual(a, a)).toBe(true);
    expect(tokensEqual(a, a.slice(1))).toBe(false);
    expect(parseCookies('x=1; y = two%20words').get('y')).toBe('two words');
  });
});

describe('WebSocket frames', () => {
  it('parses calls and explains bad frames', () => {
    expect(parseClientFrame('{"id":1,"method":"engine.ping","input":{}}')).toEqual({
      ok: true,
      value: { id: 1, method: 'engine.ping', input: {} },
    });
    expect(parseClientFrame('{"id":2,"method":"engine.info"}')).toMatchObject({ ok: true, value: { input: {} } });
    expect(parseClientFrame('not json')).toMatchObject({ ok: false, id: null });
    expect(parseClientFrame('{"id":"1","method":"x"}')).toMatchObject({ ok: false, message: /integer id/ });
    expect(parseClientFrame('{"id":3}')).toMatchObject({ ok: false, id: 3 });
    expect(parseClientFrame(null)).toMatchObject({ ok: false });
  });
});

describe('static files', () => {
  it('serves files inside the root only', () => {
    const root = fs.realpathSync(tempDir());
    fs.writeFileSync(path.join(root, 'index.html'), '<p>hi</p>');
    fs.mkdirSync(path.join(root, 'assets'));
    fs.writeFileSync(path.join(root, 'assets', 'a.js'), '1');
    fs.writeFileSync(path.join(path.dirname(root), 'outside-secret.txt'), 'no');
    expect(resolveStatic(root, '/')).toBe(path.join(root, 'index.html'));
    expect(resolveStatic(root, '/assets/a.js')).toBe(path.join(root, 'assets', 'a.js'));
    expect(resolveStatic(root, '/../outside-secret.txt')).toBeNull();
    expect(resolveStatic(root, '/%2e%2e/outside-secret.txt')).toBeNull();
    expect(resolveStatic(root, '/assets')).toBeNull();
    expect(resolveStatic(root, '/a%00.js')).toBeNull();
    expect(resolveStatic(root, '/%E0%A4%A')).toBeNull();
    fs.rmSync(path.join(path.dirname(root), 'outside-secret.txt'));
  });
});
