import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium } from '../helpers/chromium';
import { REPO_ROOT } from '../helpers/repo';
import { serveStudio, type ServedStudio } from '../helpers/serve';
import os from 'node:os';

const missing = browserSkipReason('web studio end-to-end tests');
if (!fs.existsSync(path.join(REPO_ROOT, 'out/renderer/index.html'))) {
  throw new Error('the renderer is not built: run `npx electron-vite build` (npm test does it first)');
}

describe.skipIf(missing !== null)('web studio in Chromium against the real engine', () => {
  let browser: Browser;
  let studio: ServedStudio;
  let dbPath: string;

  beforeAll(async () => {
    dbPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'etude-e2e-')), 'studio.db');
    studio = await serveStudio(dbPath);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.stop();
    fs.rmSync(path.dirname(dbPath), { recursive: true, force: true });
  });

  it('loads the shell and shows the backend and database the engine reports', async () => {
    const info: { value: { backend: { name: string; fusedKernels: boolean } } } = await (
      await fetch(`${studio.base}/api/engine.info`, { method: 'POST', body: '{}', headers: { Authorization: `Bearer ${studio.token}` } })
    ).json();
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(studio.studioUrl);
    expect(new URL(page.url()).searchParams.has('token')).toBe(false); // token moved to a cookie
    await page.waitForSelector('[data-testid=status-connection][data-state=open]');
    const backend = page.getByTestId('status-backend');
    await expect.poll(() => backend.textContent()).toContain(info.value.backend.name);
    expect(await backend.textContent()).toMatch(/\d+ threads?/);
    // Whether the recurrent layers take the fast path shows where the backend does.
    expect((await backend.textContent())?.includes('fused kernels')).toBe(info.value.backend.fusedKernels);
    expect(await page.getByTestId('status-db').textContent()).toBe(dbPath);
    expect(await page.getByTestId('status-connection').textContent()).toMatch(/web studio/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('navigates by click and by keyboard, and survives a reload', async () => {
    const page = await browser.newPage();
    await page.goto(studio.studioUrl);
    await page.getByTestId('page-library').waitFor();
    await page.getByTestId('nav-models').click();
    await page.getByTestId('page-models').waitFor();
    await page.keyboard.press('3');
    await page.getByTestId('page-train').waitFor();
    expect(page.url()).toMatch(/#\/train$/);
    await page.keyboard.press('4');
    await page.getByTestId('page-compose').waitFor();
    await page.reload(); // the cookie keeps the session; the hash keeps the page
    await page.getByTestId('page-compose').waitFor();
    await page.waitForSelector('[data-testid=status-connection][data-state=open]');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(focused).not.toBe('none');
    await page.close();
  });

  it('gets typed errors for bad calls over the page WebSocket, and the engine keeps serving', async () => {
    const page = await browser.newPage();
    await page.goto(studio.studioUrl);
    await page.waitForSelector('[data-testid=status-connection][data-state=open]');
    const replies = await page.evaluate(async () => {
      const ws = new WebSocket(`ws://${location.host}/ws`);
      await new Promise((r) => (ws.onopen = r));
      const got: Record<number, unknown> = {};
      const done = new Promise<void>((resolve) => {
        ws.onmessage = (m) => {
          const f = JSON.parse(m.data);
          if (f.type === 'reply') got[f.id] = f.reply;
          if (Object.keys(got).length === 3) resolve();
        };
      });
      ws.send(JSON.stringify({ id: 1, method: 'corpus.explode', input: {} }));
      ws.send(JSON.stringify({ id: 2, method: 'engine.ping', input: { echo: [1, 2] } }));
      ws.send(JSON.stringify({ id: 3, method: 'engine.ping', input: { echo: 'fine' } }));
      await done;
      ws.close();
      return got;
    });
    expect(replies[1]).toMatchObject({ ok: false, error: { kind: 'unknown_method' } });
    expect(replies[2]).toMatchObject({ ok: false, error: { kind: 'invalid_input' } });
    expect(replies[3]).toMatchObject({ ok: true, value: { echo: 'fine' } });
    await page.close();
  });

  it('refuses a browser without the token', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await page.goto(studio.base + '/');
    expect(response?.status()).toBe(403);
    await context.close();
  });
});

