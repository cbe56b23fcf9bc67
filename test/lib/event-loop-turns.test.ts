import { describe, expect, it } from 'vitest';
import { EventLoopTurns, TurnBudget } from '../../src/lib/event-loop-turns.js';

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

describe('TurnBudget', () => {
  it('is exhausted once the work of one turn passes the budget, whoever spent it, and fresh in the next turn', async () => {
    const budget = new TurnBudget(8);
    budget.spend(5);
    expect(budget.exhausted()).toBe(false);
    budget.spend(4);
    expect(budget.exhausted()).toBe(true);
    await budget.nextTurn();
    expect(budget.exhausted()).toBe(false);
  });

  it("rejects nextTurn with the signal's reason when it aborted meanwhile", async () => {
    const budget = new TurnBudget(8);
    const controller = new AbortController();
    const waiting = budget.nextTurn(controller.signal);
    controller.abort(new Error('client left'));
    await expect(waiting).rejects.toThrow('client left');
  });
});
