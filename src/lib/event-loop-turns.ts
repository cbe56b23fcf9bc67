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

/**
 * A budget of synchronous work per turn of the event loop, shared by every
 * caller in the process: work measured with `spend` adds up until the turn
 * ends, and once the sum passes `budgetMs`, `exhausted` says so until the
 * next turn. Request bodies arrive in 64 KiB chunks, each read in a turn of
 * its own when it waits for the socket, but chunks already buffered (or
 * many uploads at once) are read one after the other in the same turn:
 * with the budget shared, all of them together hold a turn for about
 * `budgetMs`, then the loop serves timers and I/O before they go on.
 *
 * @example
 * const budget = new TurnBudget(8);
 * for (const piece of pieces) {
 *   if (budget.exhausted()) await budget.nextTurn(signal);
 *   const started = performance.now();
 *   scan(piece);
 *   budget.spend(performance.now() - started);
 * }
 */
export class TurnBudget {
  readonly #budgetMs: number;
  #spentMs = 0;
  /** A reset is scheduled for the end of the current turn. */
  #resetPending = false;
  readonly #reset = () => {
    this.#spentMs = 0;
    this.#resetPending = false;
  };

  constructor(budgetMs: number) {
    this.#budgetMs = budgetMs;
  }

  /** Counts `ms` of synchronous work against the current turn. */
  spend(ms: number): void {
    this.#spentMs += ms;
    if (this.#resetPending) return;
    this.#resetPending = true;
    // The check phase ends the turn; a caller waiting in nextTurn resumes after this reset, in the same phase.
    setImmediate(this.#reset);
  }

  /** Whether the work counted this turn passed the budget. */
  exhausted(): boolean {
    return this.#spentMs >= this.#budgetMs;
  }

  /** Resolves in a later turn, once timers and I/O had their go; rejects if `signal` aborted by then. */
  async nextTurn(signal?: { throwIfAborted(): void }): Promise<void> {
    await nextTurn();
    signal?.throwIfAborted();
  }
}
