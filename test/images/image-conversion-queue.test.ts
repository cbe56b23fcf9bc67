import { describe, expect, it } from 'vitest';
import { createConversionQueue } from '../../src/images/image-conversion-queue.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('createConversionQueue', () => {
  it('runs at most `concurrency` tasks at once', async () => {
    const queue = createConversionQueue(2);
    const gates = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const never = new AbortController().signal;
    const runs = gates.map((gate, index) =>
      queue.run(async () => {
        started.push(index);
        await gate.promise;
        return index;
      }, never),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    gates[0]!.resolve();
    await runs[0];
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    gates[1]!.resolve();
    gates[2]!.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
  });

  it('never starts a queued task whose request was aborted, and rejects it at once', async () => {
    const queue = createConversionQueue(1);
    const gate = deferred();
    const never = new AbortController().signal;
    const running = queue.run(() => gate.promise, never);
    const controller = new AbortController();
    let started = false;
    const queued = queue.run(async () => {
      started = true;
    }, controller.signal);
    controller.abort(new Error('client left'));
    await expect(queued).rejects.toThrow('client left');
    gate.resolve();
    await running;
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toBe(false);
  });

  it('releases the caller of a running task on abort', async () => {
    const queue = createConversionQueue(1);
    const controller = new AbortController();
    const running = queue.run(() => new Promise<void>(() => {}), controller.signal);
    controller.abort(new Error('client left'));
    await expect(running).rejects.toThrow('client left');
  });
});
