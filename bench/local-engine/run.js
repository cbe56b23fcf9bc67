/**
 * The embedded local engine through the gateway: images per second at
 * 1024×1024, text-to-image and image-to-image, beside sharp doing the
 * equivalent raw operation alone (sharp-baseline.js, its own process).
 *
 *   node bench/local-engine/run.js [--seconds 5] [--concurrency 2]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { Pool } from 'undici';
import { emitRows, fixed, row } from '../lib/bench-stats.js';
import { ensureBuilt, startGateway } from '../lib/gateway-launch.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, concurrency: { type: 'string', default: '2' } } });
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);

function baseline(mode) {
  const script = fileURLToPath(new URL('sharp-baseline.js', import.meta.url));
  const output = execFileSync(
    process.execPath,
    [script, '--mode', mode, '--seconds', String(seconds), '--concurrency', String(concurrency)],
    { encoding: 'utf8' },
  );
  return JSON.parse(output.trim().split('\n').at(-1)).rate;
}

ensureBuilt();
const gateway = await startGateway({ providers: [{ type: 'local', concurrency }] });
const pool = new Pool(gateway.url, { connections: concurrency });

async function rateOf(body) {
  const call = async () => {
    const response = await pool.request({
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const text = await response.body.text();
    if (response.statusCode !== 200 || !text.includes('data:image/'))
      throw new Error(`no image: ${response.statusCode} ${text.slice(0, 200)}`);
  };
  // Warm-up, and a check that the answer really is a 1024×1024 picture.
  const first = await pool.request({ method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, body });
  const base64 = /data:image\/\w+;base64,([A-Za-z0-9+/=]+)/.exec(await first.body.text())?.[1] ?? '';
  const { width, height } = await sharp(Buffer.from(base64, 'base64')).metadata();
  if (width !== 1024 || height !== 1024) throw new Error(`expected a 1024x1024 image, got ${width}x${height}`);
  const deadline = performance.now() + seconds * 1000;
  let images = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await call();
        images += 1;
      }
    }),
  );
  return images / ((performance.now() - started) / 1000);
}

try {
  const textToImage = JSON.stringify({
    model: 'local-image',
    size: '1024x1024',
    messages: [{ role: 'user', content: 'Draw a mountain landscape at sunset' }],
  });
  const input = await sharp({ create: { width: 1024, height: 1024, channels: 3, background: '#5b8c5a' } })
    .composite([
      {
        input: Buffer.from(
          '<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="1024"><circle cx="512" cy="512" r="300" fill="#e76f51"/></svg>',
        ),
      },
    ])
    .jpeg({ quality: 90 })
    .toBuffer();
  const imageToImage = JSON.stringify({
    model: 'local-image',
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Make this image more vibrant' },
          { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${input.toString('base64')}` } },
        ],
      },
    ],
  });
  const rows = [];
  for (const [mode, body] of [
    ['t2i', textToImage],
    ['i2i', imageToImage],
  ]) {
    const served = await rateOf(body);
    const raw = baseline(mode);
    const label = mode === 't2i' ? 'text-to-image' : 'image-to-image';
    console.log(`${label}: gateway ${fixed(served, 1)} images/s, sharp alone ${fixed(raw, 1)} images/s (${concurrency} at a time)`);
    rows.push(
      row(
        `local engine: ${label} 1024x1024`,
        `${fixed(served, 1)} images/s (sharp alone ${fixed(raw, 1)}, ${fixed(served / raw)}x)`,
        'report',
        undefined,
      ),
    );
  }
  emitRows(rows);
} finally {
  await pool.destroy().catch(() => {});
  await gateway.stop();
}
