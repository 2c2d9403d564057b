import type { EngineInfo } from '../../../../shared/api';
import { createClient, type ConnectionState, type StudioClient } from '../client/index';

const DISK_CHECK_MS = 60_000;

/** The engine as the studio sees it: connection, versions, backend, database. */
class EngineState {
  readonly client: StudioClient = createClient();
  connection = $state<ConnectionState>('connecting');
  info = $state<EngineInfo | null>(null);
  error = $state<string | null>(null);

  constructor() {
    this.client.onConnection((state) => {
      this.connection = state;
      if (state === 'open') void this.refresh();
    });
    // The disk's free space changes as the studio works: read it again now and then, so the warning comes before the disk is full.
    setInterval(() => {
      if (this.connection === 'open') void this.refresh();
    }, DISK_CHECK_MS);
  }

  async refresh(): Promise<void> {
    try {
      this.info = await this.client.call('engine.info', {});
      this.error = null;
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    }
  }
}

export const engine = new EngineState();
