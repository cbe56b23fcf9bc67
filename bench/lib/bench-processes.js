/**
 * Child processes for the benchmarks: every server (gateway, fake upstream,
 * baseline) runs in its own process, apart from the load generator, and
 * talks to the harness over IPC.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1, for servers whose port the harness chooses. */
export async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Forks a script with an IPC channel. `ask(type)` sends a message and
 * resolves with the child's reply of the same type; `stop()` ends it.
 *
 * @example
 * const upstream = startProcess('bench/lib/fake-upstream.js', { args: ['--image', 'small'] });
 * const { port } = await upstream.ready;
 */
export function startProcess(script, { args = [], env = {}, execArgv = [], label = script } = {}) {
  const child = fork(script, args, {
    env: { ...process.env, ...env },
    execArgv,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const pending = new Map();
  let readyResolve;
  let readyReject;
  const ready = new Promise((resolve, reject) => {
    readyResolve = resolve;
    readyReject = reject;
  });
  child.on('message', (message) => {
    if (message.type === 'ready') readyResolve(message);
    const waiter = pending.get(message.type);
    if (waiter) {
      pending.delete(message.type);
      waiter.resolve(message);
    }
  });
  child.on('exit', (code, signal) => {
    const error = new Error(`${label} exited (${code ?? signal}): ${stderr.trim()}`);
    readyReject(error);
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  });
  return {
    child,
    ready,
    ask(type, payload = {}) {
      return new Promise((resolve, reject) => {
        pending.set(type, { resolve, reject });
        child.send({ type, ...payload });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      if (child.connected) child.send({ type: 'exit' });
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls a URL until it answers, so the harness never sleeps a guessed time. */
export async function waitForHttp(url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
