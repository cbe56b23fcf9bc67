import type { QueueTicket } from '../../generation/admission/slot-scheduler.js';
import type { SseWriter } from '../../server/event-stream.js';

/**
 * What a waiting stream's heartbeats report: its place in the queue, then
 * how long it has been generating. Give its `queued` and `started` to the
 * dispatch hooks (`onQueued`, `onAttempt`).
 *
 * @example
 * const progress = new StreamProgress(writer, context.now);
 * await context.generation.run({ ..., hooks: { onQueued: (ticket) => progress.queued(ticket), onAttempt: () => progress.started(), ... } });
 */
export class StreamProgress {
  #ticket: QueueTicket | undefined;
  #runningSince: number | undefined;
  readonly #now: () => number;

  constructor(writer: SseWriter, now: () => number) {
    this.#now = now;
    writer.setProgress(() => this.#text());
  }

  queued(ticket: QueueTicket): void {
    this.#ticket = ticket;
    this.#runningSince = undefined;
  }

  started(): void {
    this.#runningSince = this.#now();
  }

  #text(): string | undefined {
    if (this.#runningSince !== undefined) return `generating ${Math.round((this.#now() - this.#runningSince) / 1000)}s`;
    const position = this.#ticket?.position() ?? 0;
    return position > 0 ? `queue position ${position}` : undefined;
  }
}
