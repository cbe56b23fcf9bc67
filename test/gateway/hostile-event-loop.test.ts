import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type GatewayServer } from '../../adapters/node.js';
import { createImageGateway } from '../../src/index.js';

interface ClientAnswer {
  status: number;
  json: any;
}

/**
 * The hostile client, in a process of its own: it makes its bodies (`source`
 * evaluates to an array of strings) before it says it is ready, then, on
 * `go`, POSTs them all at once with node:http and reports each answer. Its
 * own work (tens of MB of string joins, socket writes) stays off the
 * gateway's process, so the CPU time this process uses is the gateway's.
 */
function startHostileClient(url: string, source: string): { ready: Promise<void>; go: () => Promise<ClientAnswer[]>; stop: () => void } {
  const script = `
    const http = require('node:http');
    const bodies = (${source})();
    const post = (body) => new Promise((resolve, reject) => {
      const call = http.request(${JSON.stringify(url)}, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
      let answered = false;
      call.on('response', (response) => {
        answered = true;
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode, json: JSON.parse(Buffer.concat(chunks).toString() || 'null') }));
      });
      // The gateway may answer before it read the whole upload: a failed write after the answer is the client's side.
      call.on('error', (error) => { if (!answered) reject(error); });
      call.end(body);
    });
    process.on('message', async () => {
      try { process.send({ answers: await Promise.all(bodies.map(post)) }); }
      catch (error) { process.send({ error: String(error) }); }
    });
    process.send({ ready: true });
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const ready = new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('error', reject);
  });
  const go = () =>
    new Promise<ClientAnswer[]>((resolve, reject) => {
      child.once('message', (message: { answers?: ClientAnswer[]; error?: string }) =>
        message.answers ? resolve(message.answers) : reject(new Error(message.error)),
      );
      child.send('go');
    });
  return { ready, go, stop: () => child.kill() };
}

/**
 * The longest gap between two ticks of a 2 ms timer while `during` runs, and
 * the CPU time this process used within it. On a busy machine a gap can be
 * long because the process was not running; the CPU time in it is the work
 * that held the loop.
 */
async function longestGap<T>(during: () => Promise<T>): Promise<{ result: T; ms: number; cpuMs: number }> {
  let longest = { ms: 0, cpuMs: 0 };
  let lastTick = performance.now();
  let lastCpu = process.cpuUsage();
  const probe = setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage();
    if (now - lastTick > longest.ms) {
      longest = { ms: now - lastTick, cpuMs: (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000 };
    }
    lastTick = now;
    lastCpu = cpu;
  }, 2);
  try {
    const result = await during();
    return { result, ...longest };
  } finally {
    clearInterval(probe);
  }
}

let server: GatewayServer;
let base: string;
beforeAll(async () => {
  server = createServer({ gateway: createImageGateway() });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Sends the client's bodies; the answers and the longest gap of this process's event loop meanwhile. */
async function attack(source: string): Promise<{ answers: ClientAnswer[]; gapMs: number; cpuMs: number }> {
  const client = startHostileClient(`${base}/v1/chat/completions`, source);
  try {
    await client.ready;
    const { result, ms, cpuMs } = await longestGap(client.go);
    return { answers: result, gapMs: ms, cpuMs };
  } finally {
    client.stop();
  }
}

describe('a body the limits refuse holds no turn of the event loop for long', () => {
  it('1.5 million tiny messages: a 400 naming the limit, and no long turn while the first 10 000 are read', async () => {
    const { answers, gapMs, cpuMs } = await attack(
      `() => ['{"model":"local-image","messages":[' + new Array(1_500_000).fill('{"role":"user","content":"a"}').join(',') + ']}']`,
    );
    expect(answers[0]?.status).toBe(400);
    expect(answers[0]?.json.error).toMatchObject({ code: 'request_too_complex', param: 'messages' });
    expect(answers[0]?.json.error.message).toBe(
      "'messages' has more than 10000 items; at most 10000 are allowed (option requestLimits.maxRootArrayItems).",
    );
    // The work of the longest turn, not its wall time: on a machine busy with other work a turn's wall time
    // includes time the process was not running. Measured at load 12: 0-30 ms of CPU (80-190 ms of wall time).
    // Before the body reader shared a per-turn budget, read in small pieces and read keys without a decode
    // each, the first 130 KB (read by code not yet optimised) held one turn: 210-245 ms of CPU (660-800 ms).
    expect(cpuMs, `the longest gap: ${gapMs.toFixed(0)} ms, with ${cpuMs.toFixed(0)} ms of CPU`).toBeLessThan(100);
  });
});
