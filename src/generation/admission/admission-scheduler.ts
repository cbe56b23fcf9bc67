import type { InstanceQueueStats, QueueTicket, SlotRequest } from './slot-scheduler.js';

/**
 * What the generation core asks of admission: slots per provider instance
 * and the wait list in front of them. `SlotScheduler` keeps both in this
 * process (the memory store); `SharedSlotScheduler` keeps them on Redis for
 * every process that shares it. Routing and dispatch see only this.
 *
 * @example
 * const ticket = scheduler.enqueue({ candidates: ['gemini'], stream: false, signal });
 * const slot = await ticket.slot;
 * try { await generate(); } finally { slot.release('completed'); }
 */
export interface AdmissionScheduler {
  register(instanceId: string, concurrency: number): void;
  /** Free slots of an instance right now (for load-aware routing); none while its gate is shut. */
  freeSlots(instanceId: string): number;
  /** Whether an instance reopens before a request that already waited `waitedMs` must stop waiting. */
  reopensInTime(instanceId: string, waitedMs: number): boolean;
  enqueue(request: SlotRequest): QueueTicket;
  /** Stops admitting and answers every waiter with 503 SHUTTING_DOWN. */
  close(): void;
  readonly closed: boolean;
  stats(): Record<string, InstanceQueueStats>;
}
