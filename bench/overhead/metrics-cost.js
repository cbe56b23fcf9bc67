/**
 * What metrics and tracing cost a small request, in CPU time: three gateways
 * in this process, alike but for the `metrics` and `tracing` options (both
 * off; metrics on; tracing on with @opentelemetry/api installed and no SDK,
 * the unrecorded-span path), each answering small chat completions from an
 * instant provider through `gateway.fetch`, in interleaved rounds. CPU time
 * per request (process.cpuUsage) rather than throughput: on a shared machine
 * whose load moves throughput by 5x between rounds, CPU time moves far less.
 *
 *   node bench/overhead/metrics-cost.js [--requests 4000] [--rounds 5]
 */
import { parseArgs } from 'node:util';
import { ensureBuilt } from '../lib/gateway-launch.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '4000' }, rounds: { type: 'string', default: '5' } } });
const requests = Number(values.requests);
const concurrency = 32;

ensureBuilt();
const { createImageGateway, ImageData } = await import('../../dist/index.js');
const pixel = ImageData.fromBytes(new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 0]), 'image/png');
const instant = {
  id: 'instant',
  type: 'custom',
  concurrency: 10_000,
  timeoutMs: 10_000,
  models: [
    {
      id: 'bench-image',
      capabilities: {
        imageOutput: true,
        imageInput: true,
        maxInputImages: 4,
        text: true,
        tools: false,
        jsonMode: false,
        contextWindow: 32_000,
        reasoning: 'none',
        maxImagesPerRequest: 4,
      },
    },
  ],
  async *generate() {
    yield { type: 'text-delta', text: 'Here it is: ' };
    yield { type: 'image', image: pixel };
    yield { type: 'usage', usage: { promptTokens: 12, completionTokens: 1290 } };
    yield { type: 'finish', reason: 'stop' };
  },
};
const configs = {
  'both off': { metrics: false, tracing: false },
  'metrics on': { metrics: true, tracing: false },
  'tracing on, no SDK': { metrics: false, tracing: true },
};
const body = JSON.stringify({ model: 'bench-image', messages: [{ role: 'user', content: 'Draw a small red square' }] });
const gateways = Object.fromEntries(
  Object.entries(configs).map(([name, options]) => [
    name,
    createImageGateway({ providers: [instant], queue: { maxWaiting: 100_000 }, ...options }),
  ]),
);

async function run(gateway, count) {
  let sent = 0;
  const worker = async () => {
    while (sent < count) {
      sent += 1;
      const response = await gateway.fetch(
        new Request('http://bench.test/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body }),
      );
      if (response.status !== 200) throw new Error(`answered ${response.status}`);
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

const samples = Object.fromEntries(Object.keys(configs).map((name) => [name, []]));
for (const gateway of Object.values(gateways)) await run(gateway, 2000); // warm-up: JIT, peers loaded
for (let round = 0; round < Number(values.rounds); round++) {
  for (const [name, gateway] of Object.entries(gateways)) {
    const before = process.cpuUsage();
    await run(gateway, requests);
    const used = process.cpuUsage(before);
    const perRequest = (used.user + used.system) / requests;
    samples[name].push(perRequest);
    console.log(`round ${round + 1} ${name.padEnd(20)} ${perRequest.toFixed(1).padStart(7)} µs CPU per request`);
  }
}
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const off = median(samples['both off']);
for (const name of Object.keys(configs)) {
  const value = median(samples[name]);
  console.log(
    `${name.padEnd(20)} median ${value.toFixed(1)} µs per request, ${(value / off).toFixed(3)}x of both off (+${(value - off).toFixed(1)} µs)`,
  );
}
await Promise.all(Object.values(gateways).map((gateway) => gateway.close()));
