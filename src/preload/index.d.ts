import type { EtudeBridge } from '../shared/api';

declare global {
  interface Window {
    /** Present in the desktop app only; the web studio talks to the engine over WebSocket. */
    etude?: EtudeBridge;
  }
}

export {};
