/**
 * The Electron shell: one window, the engine in a utility process of its own (a file or a job
 * that takes the engine down leaves the window up, and the engine starts again), IPC as its
 * transport. The only code that imports `electron` (with the preload). Everything the studio does
 * lives in the engine.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, nativeImage, session, utilityProcess, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import { EngineClient } from '../engine/host/engine-client';
import type { HostChannel } from '../engine/host/protocol';
import { resolveDbPath } from '../engine/store/paths';
import {
  IPC_CALL_CHANNEL,
  IPC_CHOOSE_FOLDER_CHANNEL,
  IPC_EVENT_CHANNEL,
  IPC_OPEN_DIALOG_CHANNEL,
  IPC_PREPARE_DRAG_CHANNEL,
  IPC_START_DRAG_CHANNEL,
} from '../shared/ipc';
import { resourcesDir } from '../engine/resources';
import { toErrorData } from '../shared/errors';
import { dbFlag } from './args';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererDevUrl = process.env.ELECTRON_RENDERER_URL;
const rendererFile = path.join(here, '../renderer/index.html');

/** better-sqlite3 built for Electron's ABI by scripts/ensure-electron.mjs, kept apart from Node's copy. */
function sqliteBinding(): string | undefined {
  const candidates = [process.env.ETUDE_SQLITE_BINDING, path.join(here, '../../.cache/electron-native/better_sqlite3.node')];
  return candidates.find((p): p is string => !!p && fs.existsSync(p));
}

/** Only our own renderer may call the engine. */
function isTrustedSender(event: IpcMainInvokeEvent | IpcMainEvent): boolean {
  const url = event.senderFrame?.url ?? '';
  if (rendererDevUrl) return url.startsWith(rendererDevUrl);
  return url.startsWith('file://') && fileURLToPath(url.split('#')[0]!.split('?')[0]!) === rendererFile;
}

/** The engine's process: the bundled engine host, started as a utility process beside this one. */
function startEngineProcess(): HostChannel {
  const child = utilityProcess.fork(path.join(here, 'engine-host.js'), [], { serviceName: 'Etude engine', stdio: 'inherit' });
  return {
    send: (message) => child.postMessage(message),
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.on('exit', listener),
    kill: () => void child.kill(),
  };
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 960,
    minHeight: 600,
    title: 'Etude',
    backgroundColor: '#14161a',
    show: false,
    webPreferences: {
      preload: path.join(here, '../preload/index.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-navigate', (event, url) => {
    if (!(rendererDevUrl && url.startsWith(rendererDevUrl))) event.preventDefault();
  });
  if (rendererDevUrl) void win.loadURL(rendererDevUrl);
  else void win.loadFile(rendererFile);
  return win;
}

async function main(): Promise<void> {
  await app.whenReady();
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));

  const dbPath = resolveDbPath(dbFlag(process.argv), process.env, app.getPath('userData'));
  const binding = sqliteBinding();
  const engine = new EngineClient({ dbPath, ...(binding ? { sqliteBinding: binding } : {}), warmGeneration: true, libraryCare: true }, startEngineProcess);
  try {
    await engine.open();
  } catch (err) {
    dialog.showErrorBox('Etude cannot open its database', toErrorData(err).message);
    app.exit(1);
    return;
  }

  ipcMain.handle(IPC_CALL_CHANNEL, (event, method: unknown, input: unknown) => {
    if (!isTrustedSender(event)) return { ok: false, error: { kind: 'unavailable', message: 'caller is not the Etude renderer' } };
    return engine.call(method, input);
  });
  ipcMain.handle(IPC_OPEN_DIALOG_CHANNEL, async (event, kind: unknown) => {
    if (!isTrustedSender(event)) return [];
    const win = BrowserWindow.fromWebContents(event.sender);
    const options: Electron.OpenDialogOptions =
      kind === 'folder'
        ? { title: 'Import a folder of MIDI and ABC files', properties: ['openDirectory'] }
        : {
            title: 'Import MIDI and ABC files',
            properties: ['openFile', 'multiSelections'],
            filters: [{ name: 'MIDI and ABC', extensions: ['mid', 'midi', 'kar', 'abc'] }],
          };
    const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    return result.canceled ? [] : result.filePaths;
  });
  // Drag-out: a take's MIDI file is written to a folder of our own before the drag, and only files
  // written there may be dragged (the renderer names a file; it cannot name any file on disk).
  const dragDir = path.join(app.getPath('temp'), `etude-drag-${process.pid}`);
  const draggable = new Set<string>();
  const dragIcon = nativeImage.createFromPath(path.join(resourcesDir(), 'icons', 'drag-midi.png'));
  ipcMain.handle(IPC_PREPARE_DRAG_CHANNEL, async (event, generationId: unknown, take: unknown) => {
    if (!isTrustedSender(event) || !Number.isInteger(generationId) || !Number.isInteger(take)) return null;
    const reply = await engine.call('generations.export', { ids: [generationId], takes: [take] });
    if (!reply.ok) return null;
    const [file] = (reply.value as { files: { name: string; data: string }[] }).files;
    if (!file) return null;
    fs.mkdirSync(dragDir, { recursive: true });
    const target = path.join(dragDir, file.name);
    fs.writeFileSync(target, Buffer.from(file.data, 'base64'));
    draggable.add(target);
    return target;
  });
  ipcMain.on(IPC_START_DRAG_CHANNEL, (event, file: unknown) => {
    if (!isTrustedSender(event) || typeof file !== 'string' || !draggable.has(file)) return;
    event.sender.startDrag({ file, icon: dragIcon });
  });
  ipcMain.handle(IPC_CHOOSE_FOLDER_CHANNEL, async (event) => {
    if (!isTrustedSender(event)) return null;
    const win = BrowserWindow.fromWebContents(event.sender);
    const options: Electron.OpenDialogOptions = { title: 'Export to a folder', properties: ['openDirectory', 'createDirectory'] };
    const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  });
  app.on('will-quit', () => fs.rmSync(dragDir, { recursive: true, force: true }));

  engine.on((message) => {
    for (const win of BrowserWindow.getAllWindows()) win.webContents.send(IPC_EVENT_CHANNEL, message);
  });

  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  let closing = false;
  app.on('before-quit', (event) => {
    if (closing) return;
    closing = true;
    event.preventDefault();
    void engine.close().finally(() => app.quit());
  });
}

void main();
