/**
 * `node bench/hostile/sharp-cache.js`: the effect of `sharp.cache(false)`
 * (src/images/sharp-settings.ts). The same gateway build serves 60
 * distinct small inputs (512×512 noise PNGs, 4 requests at a time, each an
 * edit by the local engine), once with sharp's default operation cache put
 * back and once as shipped; it prints the peak RSS and the RSS after the
 * last answer.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { freePort, startProcess, waitForHttp } from '../lib/bench-processes.js';
import { cliPath, ensureBuilt } from '../lib/gateway-launch.js';

const mib = 1024 * 1024;
// BENCH_SIDE=1024 for bigger inputs.
const side = Number(process.env.BENCH_SIDE ?? 512);
ensureBuilt();
const inputs = [];
for (let index = 0; index < 60; index += 1) inputs.push(`data:image/png;base64,${(await noisePng(side, side, index)).toString('base64')}`);

for (const mode of ['default', 'off']) {
  const directory = mkdtempSync(join(tmpdir(), 'image-gateway-cache-'));
  const configPath = join(directory, 'gateway.json');
  writeFileSync(configPath, JSON.stringify({ images: { outputFormat: 'jpeg' } }));
  const port = await freePort();
  const gateway = startProcess(new URL('sharp-cache-process.js', import.meta.url).pathname, {
    env: { BENCH_GATEWAY_CLI: cliPath, GATEWAY_CONFIG: configPath, PORT: String(port), HOST: '127.0.0.1', BENCH_SHARP_CACHE: mode },
    label: 'gateway',
  });
  await gateway.ready;
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`);
  await gateway.ask('reset');
  let next = 0;
  const statuses = new Map();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < inputs.length) {
        const input = inputs[next++];
        const response = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            model: 'local-image',
            messages: [
              {
                role: 'user',
                content: [
                  { type: 'text', text: 'make it black and white' },
                  { type: 'image_url', image_url: { url: input } },
                ],
              },
            ],
          }),
        });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }
    }),
  );
  const elapsed = performance.now() - started;
  const sample = await gateway.ask('sample');
  console.log(
    `cache ${mode}: ${[...statuses].map(([status, count]) => `${count} x ${status}`).join(', ')} in ${(elapsed / 1000).toFixed(1)} s; peak RSS ${(sample.peakRss / mib).toFixed(0)} MiB, after ${(sample.rss / mib).toFixed(0)} MiB`,
  );
  await gateway.stop();
}

function noisePng(width, height, seed) {
  const raw = Buffer.alloc(width * height * 3);
  let state = seed * 2654435761 + 1;
  for (let index = 0; index < raw.length; index += 1) {
    state = (state * 1103515245 + 12345) >>> 0;
    raw[index] = state >>> 24;
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 1 })
    .toBuffer();
}
