import type { ServerResponse } from 'node:http';

/**
 * Drops a response whose client stopped reading. Once bytes are left
 * waiting (a write the socket did not take, or an end not yet flushed), the
 * socket must take more of them within `timeoutMs`. Without it, a client
 * that never reads holds its answer, possibly a 15 MB image, and its socket
 * for good: the kernel keeps probing a zero window indefinitely.
 *
 * Progress is only visible when the socket takes another write, which the
 * kernel allows once about a third of its send buffer was read (up to about
 * 1.3 MB on Linux): a client must read at about that much per `timeoutMs`.
 * A response queued behind another on a pipelined connection has no socket
 * yet and is not timed until it gets one.
 *
 * @example
 * const stall = new WriteStallGuard(outgoing, 60_000);
 * outgoing.write(chunk);
 * stall.check();
 */
export class WriteStallGuard {
  readonly #outgoing: ServerResponse;
  readonly #timeoutMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #waitingAtArm = 0;
  #awaitingSocket = false;

  constructor(outgoing: ServerResponse, timeoutMs: number) {
    this.#outgoing = outgoing;
    this.#timeoutMs = timeoutMs;
    const settle = () => this.#disarm();
    // A writer's own 'drain' listener may have run first and left new bytes waiting: time those.
    outgoing.on('drain', () => {
      this.#disarm();
      this.check();
    });
    outgoing.once('finish', settle);
    outgoing.once('close', settle);
  }

  /** Call after each write or end: starts the clock when bytes are left waiting. */
  check(): void {
    if (this.#timer || this.#awaitingSocket || !this.#waiting()) return;
    if (!this.#outgoing.socket) {
      // Queued behind another response on this connection: nothing can leave before its turn.
      this.#awaitingSocket = true;
      this.#outgoing.once('socket', () => {
        this.#awaitingSocket = false;
        this.check();
      });
      return;
    }
    this.#arm();
  }

  /**
   * For an answer written at once: a guard only when the socket did not take
   * it all (the common small answer costs no listeners).
   */
  static after(outgoing: ServerResponse, timeoutMs: number): void {
    if (outgoing.writableLength > 0 && !outgoing.destroyed) new WriteStallGuard(outgoing, timeoutMs).check();
  }

  #waiting(): boolean {
    const outgoing = this.#outgoing;
    if (outgoing.destroyed || outgoing.writableFinished) return false;
    return outgoing.writableNeedDrain || outgoing.writableEnded;
  }

  #arm(): void {
    this.#waitingAtArm = this.#outgoing.writableLength;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#waiting()) return;
      // Some bytes went out since: a slow reader, not a stalled one.
      if (this.#outgoing.writableLength < this.#waitingAtArm) this.#arm();
      else this.#outgoing.destroy();
    }, this.#timeoutMs);
    this.#timer.unref();
  }

  #disarm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
