/**
 * Exposes exactly one object to the renderer, `window.etude`: a call function and an event
 * subscription. No raw ipcRenderer, no Node.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { EtudeBridge, EventMessage } from '../shared/api';
import {
  IPC_CALL_CHANNEL,
  IPC_CHOOSE_FOLDER_CHANNEL,
  IPC_EVENT_CHANNEL,
  IPC_OPEN_DIALOG_CHANNEL,
  IPC_PREPARE_DRAG_CHANNEL,
  IPC_START_DRAG_CHANNEL,
} from '../shared/ipc';
import type { Reply } from '../shared/reply';

const bridge: EtudeBridge = {
  call: (method, input) => ipcRenderer.invoke(IPC_CALL_CHANNEL, method, input) as Promise<Reply<unknown>>,
  onEvent(listener) {
    const handler = (_event: IpcRendererEvent, message: EventMessage): void => listener(message);
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
    return () => ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
  },
  chooseImportPaths: (kind) => ipcRenderer.invoke(IPC_OPEN_DIALOG_CHANNEL, kind === 'folder' ? 'folder' : 'files') as Promise<string[]>,
  prepareDrag: (generationId, take) => ipcRenderer.invoke(IPC_PREPARE_DRAG_CHANNEL, Number(generationId), Number(take)) as Promise<string | null>,
  startDrag: (file) => ipcRenderer.send(IPC_START_DRAG_CHANNEL, String(file)),
  chooseExportFolder: () => ipcRenderer.invoke(IPC_CHOOSE_FOLDER_CHANNEL) as Promise<string | null>,
};

contextBridge.exposeInMainWorld('etude', bridge);
