import { describe, expect, it } from 'vitest';
import { EventLoopTurns } from '../../src/lib/event-loop-turns.js';

describe('EventLoopTurns', () => {
  it('resumes each caller in a later turn of the event loop than the one before, in order', async () => {
    let iteration = 0;
    let counting = true;
    const count = () => {
      iteration += 1;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const turns = new EventLoopTurns();
    const never = new AbortController().signal;
    const resumed = await Promise.all(
      [0, 1, 2, 3].map(async () => {
        await turns.next(never);
        return iteration;
      }),
    );
    counting = false;
    for (let index = 1; index < resumed.length; index++) expect(resumed[index]!).toBeGreaterThan(resumed[index - 1]!);
  });

  it("rejects with the signal's reason when it aborted while waiting, and the turns after it still come", async () => {
    const turns = new EventLoopTurns();
    const controller = new AbortController();
    const waiting = turns.next(controller.signal);
    const after = turns.next(new AbortController().signal);
    controller.abort(new Error('client left'));
    await expect(waiting).rejects.toThrow('client left');
    await expect(after).resolves.toBeUndefined();
  });
});
