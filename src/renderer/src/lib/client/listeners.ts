import type { EngineEvents, EventMessage, EventName } from '../../../../shared/api';

/** Per-event listener sets shared by both transports. */
export class EventListeners {
  private readonly byEvent = new Map<EventName, Set<(payload: never) => void>>();

  add<E extends EventName>(event: E, listener: (payload: EngineEvents[E]) => void): () => void {
    let set = this.byEvent.get(event);
    if (!set) this.byEvent.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  dispatch(message: EventMessage): void {
    for (const listener of this.byEvent.get(message.event) ?? []) {
      try {
        (listener as (payload: unknown) => void)(message.payload);
      } catch (err) {
        console.error(`listener for ${message.event} failed`, err);
      }
    }
  }
}
