import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Hands out turns of the event loop one at a time, in order: each caller
 * of `next` resumes in a later loop iteration than the one before it, with
 * timers and I/O served in between. For synchronous steps of a few ms each
 * (decoding a 2 MB base64 image, walking a JPEG's markers): five of them in
 * one turn add up to a block other requests feel; one a turn does not.
 *
 * @example
 * const turns = new EventLoopTurns();
 * for (const image of images) {
 *   await turns.next(signal);
 *   decode(image);
 * }
 */
export class EventLoopTurns {
  #last: Promise<void> = Promise.resolve();

  /** Resolves in a turn of its own, after every turn handed out before; rejects if `signal` aborted by then. */
  async next(signal: AbortSignal): Promise<void> {
    const turn = this.#last.then(() => nextTurn());
    this.#last = turn;
    await turn;
    signal.throwIfAborted();
  }
}
