/**
 * The baseline for the local engine: sharp doing the raw operation alone,
 * in its own process, at the same concurrency as the gateway's clients.
 * text-to-image: render a 1024×1024 SVG scene and encode JPEG q85;
 * image-to-image: decode a 1024×1024 JPEG, raise saturation, encode JPEG q85.
 *
 *   node bench/local-engine/sharp-baseline.js --mode t2i|i2i --seconds 5 --concurrency 2
 */
import { parseArgs } from 'node:util';
import sharp from 'sharp';

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 't2i' },
    seconds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '2' },
  },
});
const side = 1024;
const scene = (index) =>
  Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}"><defs><linearGradient id="sky" x2="0" y2="1"><stop offset="0" stop-color="#1d3b6f"/><stop offset="1" stop-color="#f59e42"/></linearGradient></defs>` +
      `<rect width="100%" height="100%" fill="url(#sky)"/><circle cx="${300 + index}" cy="380" r="120" fill="#ffd166"/>` +
      `<path d="M0 760 L260 420 L520 760 Z" fill="#2d6a4f"/><path d="M380 760 L700 360 L1024 760 Z" fill="#40916c"/><rect y="760" width="1024" height="264" fill="#1b4332"/></svg>`,
  );
const input = await sharp(scene(0)).jpeg({ quality: 90 }).toBuffer();
const once =
  values.mode === 'i2i'
    ? () => sharp(input).modulate({ saturation: 1.5 }).jpeg({ quality: 85 }).toBuffer()
    : (index) =>
        sharp(scene(index % 200))
          .flatten({ background: '#ffffff' })
          .jpeg({ quality: 85 })
          .toBuffer();

await once(0); // warm-up: codecs and the thread pool
const deadline = performance.now() + Number(values.seconds) * 1000;
let images = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: Number(values.concurrency) }, async () => {
    while (performance.now() < deadline) await once(images++);
  }),
);
const rate = images / ((performance.now() - started) / 1000);
process.stdout.write(`${JSON.stringify({ mode: values.mode, images, rate })}\n`);
