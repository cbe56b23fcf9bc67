import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type GatewayServer } from '../../adapters/node.js';
import { createImageGateway } from '../../src/index.js';

interface WorkerAnswer {
  status: number;
  json: any;
}

/**
 * The hostile client, in a thread of its own: it makes its bodies (`source`
 * evaluates to an array of strings) before it says `ready`, then, on `go`,
 * POSTs them all at once with node:http and reports each answer. Its own
 * work (tens of MB of string joins, socket writes) stays off the gateway's
 * event loop, so the loop's delays are the gateway's alone.
 */
function startHostileClient(
  url: string,
  source: string,
): { ready: Promise<void>; go: () => Promise<WorkerAnswer[]>; stop: () => Promise<number> } {
  const worker = new Worker(
    `
    const { parentPort, workerData } = require('node:worker_threads');
    const http = require('node:http');
    const bodies = (${source})();
    const post = (body) => new Promise((resolve, reject) => {
      const call = http.request(workerData.url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
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
    parentPort.on('message', async () => {
      try { parentPort.postMessage({ answers: await Promise.all(bodies.map(post)) }); }
      catch (error) { parentPort.postMessage({ error: String(error) }); }
    });
    parentPort.postMessage({ ready: true });
    `,
    { eval: true, workerData: { url } },
  );
  const ready = new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  const go = () =>
    new Promise<WorkerAnswer[]>((resolve, reject) => {
      worker.once('message', (message: { answers?: WorkerAnswer[]; error?: string }) =>
        message.answers ? resolve(message.answers) : reject(new Error(message.error)),
      );
      worker.postMessage('go');
    });
  return { ready, go, stop: () => worker.terminate() };
}

let server: GatewayServer;
let base: string;
beforeAll(async () => {
  server = createServer({ gateway: createImageGateway() });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Sends the client's bodies and returns the answers and the longest event-loop delay meanwhile, in ms. */
async function attack(source: string): Promise<{ answers: WorkerAnswer[]; longestBlockMs: number }> {
  const client = startHostileClient(`${base}/v1/chat/completions`, source);
  try {
    await client.ready;
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const answers = await client.go();
    delay.disable();
    return { answers, longestBlockMs: delay.max / 1e6 };
  } finally {
    await client.stop();
  }
}

describe('a body the limits refuse holds no turn of the event loop for long', () => {
  it('1.5 million tiny messages: a 400 naming the limit, and no long turn while the first 10 000 are read', async () => {
    const { answers, longestBlockMs } = await attack(
      `() => ['{"model":"local-image","messages":[' + new Array(1_500_000).fill('{"role":"user","content":"a"}').join(',') + ']}']`,
    );
    expect(answers[0]?.status).toBe(400);
    expect(answers[0]?.json.error).toMatchObject({ code: 'request_too_complex', param: 'messages' });
    expect(answers[0]?.json.error.message).toBe(
      "'messages' has more than 10000 items; at most 10000 are allowed (option requestLimits.maxRootArrayItems).",
    );
    // Measured alone: under 20 ms. Before the body reader shared a per-turn budget and read keys without a
    // decode each, the first 130 KB (read by code not yet optimised) held one turn for 150-300 ms.
    expect(longestBlockMs).toBeLessThan(100);
  });
});
