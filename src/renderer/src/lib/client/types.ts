import type { EtudeClient } from '../../../../shared/api';

export type ConnectionState = 'connecting' | 'open' | 'closed';

/** The client the studio uses: the shared contract plus the connection state for the status bar. */
export interface StudioClient extends EtudeClient {
  readonly connection: ConnectionState;
  onConnection(listener: (state: ConnectionState) => void): () => void;
}
