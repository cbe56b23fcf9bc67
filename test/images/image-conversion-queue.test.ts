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

  it('runs whole-frame decodes one at a time, beside other conversions', async () => {
    const queue = createConversionQueue(4);
    const never = new AbortController().signal;
    const gates = [deferred(), deferred(), deferred()];
    const started: string[] = [];
    const task = (name: string, gate: { promise: Promise<void> }) => async () => {
      started.push(name);
      await gate.promise;
    };
    const webp = queue.run(task('webp 1', gates[0]!), never, { holdsWholeFrame: true });
    const secondWebp = queue.run(task('webp 2', gates[1]!), never, { holdsWholeFrame: true });
    const png = queue.run(task('png', gates[2]!), never);
    await new Promise((resolve) => setImmediate(resolve));
    expect(started.toSorted()).toEqual(['png', 'webp 1']);
    gates[0]!.resolve();
    await webp;
    await new Promise((resolve) => setImmediate(resolve));
    expect(started.toSorted()).toEqual(['png', 'webp 1', 'webp 2']);
    gates[1]!.resolve();
    gates[2]!.resolve();
    await Promise.all([secondWebp, png]);
  });

  it('lets the next whole-frame decode start when a waiting one is aborted', async () => {
    const queue = createConversionQueue(4);
    const never = new AbortController().signal;
    const gate = deferred();
    const running = queue.run(() => gate.promise, never, { holdsWholeFrame: true });
    const controller = new AbortController();
    let abortedStarted = false;
    const aborted = queue.run(
      async () => {
        abortedStarted = true;
      },
      controller.signal,
      { holdsWholeFrame: true },
    );
    const next = queue.run(async () => 'next', never, { holdsWholeFrame: true });
    controller.abort(new Error('client left'));
    await expect(aborted).rejects.toThrow('client left');
    gate.resolve();
    await running;
    expect(await next).toBe('next');
    expect(abortedStarted).toBe(false);
  });
});
