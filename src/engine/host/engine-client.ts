/**
 * A shell's handle on an engine in another process: the same `call` and `on` as the engine
 * itself. If the process dies, pending calls answer `unavailable` and the next call starts a new
 * one (the database is intact: every write is a transaction).
 */
import type { EventMessage } from '../../shared/api';
import { EtudeError } from '../../shared/errors';
import type { Reply } from '../../shared/reply';
import type { EngineOptions } from '../engine';
import type { FromEngineHost, HostChannel } from './protocol';

export class EngineClient {
  private channel: HostChannel | null = null;
  private opened: Promise<void> | null = null;
  private readonly pending = new Map<number, (reply: Reply<unknown>) => void>();
  private readonly listeners = new Set<(message: EventMessage) => void>();
  private nextId = 0;
  private closing = false;
  /** Times the engine process ended by itself (a crash) and was started again. */
  restarts = 0;

  constructor(
    private readonly options: EngineOptions,
    private readonly start: () => HostChannel,
  ) {}

  /** Opens the engine (starting its process); rejects with the engine's reason (a database it refuses). */
  open(): Promise<void> {
    this.opened ??= new Promise<void>((resolve, reject) => {
      const channel = this.start();
      this.channel = channel;
      channel.onMessage((message: FromEngineHost) => {
        if (message.type === 'opened') resolve();
        else if (message.type === 'open-failed') reject(EtudeError.fromData(message.error));
        else if (message.type === 'reply') {
          this.pending.get(message.id)?.(message.reply);
          this.pending.delete(message.id);
        } else if (message.type === 'event') for (const listener of this.listeners) listener(message.message);
      });
      channel.onExit((code) => {
        if (this.channel === channel) {
          this.channel = null;
          this.opened = null;
        }
        reject(new EtudeError('unavailable', `the engine stopped (code ${code}) before it opened`));
        for (const [id, answer] of this.pending) {
          answer({ ok: false, error: { kind: 'unavailable', message: `the engine stopped unexpectedly (code ${code}); it starts again with your next action` } });
          this.pending.delete(id);
        }
        if (!this.closing) this.restarts++;
      });
      channel.send({ type: 'open', options: this.options });
    });
    return this.opened;
  }

  async call(method: unknown, input: unknown): Promise<Reply<unknown>> {
    if (this.closing) return { ok: false, error: { kind: 'unavailable', message: 'the engine is shutting down' } };
    try {
      await this.open();
    } catch (err) {
      return { ok: false, error: err instanceof EtudeError ? err.toData() : { kind: 'unavailable', message: String(err) } };
    }
    const id = ++this.nextId;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.channel!.send({ type: 'call', id, method, input });
    });
  }

  on(listener: (message: EventMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Asks the engine to close (it stops its runs with checkpoints), then ends its process. */
  async close(timeoutMs = 40_000): Promise<void> {
    this.closing = true;
    const channel = this.channel;
    if (!channel) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        channel.kill();
        resolve();
      }, timeoutMs);
      channel.onExit(() => {
        clearTimeout(timer);
        resolve();
      });
      channel.send({ type: 'close' });
    });
  }
}
