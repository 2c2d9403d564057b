import type { EngineInfo } from '../../../../shared/api';
import { createClient, type ConnectionState, type StudioClient } from '../client/index';

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
