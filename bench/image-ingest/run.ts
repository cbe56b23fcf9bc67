/**
 * Ingesting 5 images of 4 MP each: the gateway's ingester against calling
 * sharp directly on the same bytes, plus peak RSS growth of each. Each mode's
 * memory figure comes from its own child processes (median of three) so one
 * mode's memory does not hide the other's; timings interleave both modes in
 * one process.
 *
 *   npx vite-node bench/image-ingest/run.ts [--rounds 9]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { createImageIngester } from '../../src/images/ingest/image-ingest.js';
import type { ImageReference } from '../../src/images/ingest/image-ingest-types.js';

const side = 2000; // 4 MP
const quality = 90;
const argv = process.argv.slice(2);
const rounds = argv.includes('--rounds') ? Number(argv[argv.indexOf('--rounds') + 1]) : 9;
const childMode = argv.includes('--child') ? argv[argv.indexOf('--child') + 1] : undefined;

/** Photo-like inputs: a gradient with grain, in the formats clients send most. */
async function makeInputs(): Promise<{ bytes: Buffer; mediaType: string }[]> {
  const formats = ['jpeg', 'jpeg', 'png', 'webp', 'jpeg'] as const;
  return Promise.all(
    formats.map(async (format, index) => {
      const grain = await sharp({
        create: { width: side, height: side, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 12 + index } },
      })
        .png({ compressionLevel: 1 })
        .toBuffer();
      const gradient = Buffer.from(
        `<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}"><defs><linearGradient id="g"><stop offset="0" stop-color="#${index}36"/><stop offset="1" stop-color="#fc${index}"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/></svg>`,
      );
      const bytes = await sharp(gradient)
        .composite([{ input: grain, blend: 'overlay' }])
        .toFormat(format, { quality })
        .toBuffer();
      return { bytes, mediaType: `image/${format}` };
    }),
  );
}

function prepare(inputs: { bytes: Buffer; mediaType: string }[]) {
  const references: ImageReference[] = inputs.map((input, partIndex) => ({
    url: `data:${input.mediaType};base64,${input.bytes.toString('base64')}`,
    param: `messages[0].content[${partIndex}].image_url.url`,
    messageIndex: 0,
    partIndex,
    origin: 'user',
  }));
  const ingester = createImageIngester({ jpegQuality: quality });
  const signal = new AbortController().signal;
  return {
    direct: () =>
      Promise.all(inputs.map((input) => sharp(input.bytes).rotate().flatten({ background: '#ffffff' }).jpeg({ quality }).toBuffer())),
    ingest: () => ingester.ingest(references, signal),
  };
}

/**
 * Peak RSS growth of the first run, in a fresh process that runs only this
 * mode (libvips start-up included, the same for both modes). A second run
 * would measure nothing: glibc keeps what the first run freed, and the
 * second one fits in it.
 */
async function measureMemory(mode: 'direct' | 'ingest'): Promise<void> {
  const inputs = await makeInputs();
  const run = prepare(inputs)[mode];
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 1);
  await run();
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const inputBytes = inputs.reduce((sum, input) => sum + input.bytes.length, 0);
  process.stdout.write(JSON.stringify({ mode, peakRssGrowth: peak - baseline, inputBytes }));
}

/**
 * The median of three children: glibc keeps freed memory in per-thread
 * arenas, so which libvips threads a run happens to use moves one figure by
 * 2x; the median is stable enough to compare.
 */
function memoryOf(mode: string): { peakRssGrowth: number; inputBytes: number } {
  const script = fileURLToPath(import.meta.url);
  const runs = Array.from({ length: 3 }, () => {
    const child = spawnSync(process.execPath, ['--expose-gc', process.argv[1]!, script, '--child', mode], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`${mode} run failed: ${child.stderr}`);
    return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { peakRssGrowth: number; inputBytes: number };
  });
  return runs.sort((a, b) => a.peakRssGrowth - b.peakRssGrowth)[1]!;
}

/** Interleaved rounds, so a busy machine slows both modes alike. */
async function measureTime(): Promise<{ direct: number; ingest: number }> {
  const runs = prepare(await makeInputs());
  await runs.direct();
  await runs.ingest();
  const timings = { direct: [] as number[], ingest: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (['direct', 'ingest'] as const) : (['ingest', 'direct'] as const);
    for (const mode of order) {
      const started = performance.now();
      await runs[mode]();
      timings[mode].push(performance.now() - started);
    }
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return { direct: median(timings.direct), ingest: median(timings.ingest) };
}

if (childMode === 'direct' || childMode === 'ingest') {
  await measureMemory(childMode);
} else {
  const time = await measureTime();
  const memory = { direct: memoryOf('direct'), ingest: memoryOf('ingest') };
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  console.log(`5 images of ${side}x${side} (${mib(memory.direct.inputBytes)} encoded), median of ${rounds} interleaved rounds`);
  console.log('mode     median ms   peak RSS growth   x input bytes');
  for (const mode of ['direct', 'ingest'] as const) {
    const ratio = (memory[mode].peakRssGrowth / memory[mode].inputBytes).toFixed(1);
    console.log(
      `${mode.padEnd(8)} ${time[mode].toFixed(0).padStart(9)}   ${mib(memory[mode].peakRssGrowth).padStart(15)}   ${ratio.padStart(13)}`,
    );
  }
  console.log(`ingest / direct time: ${(time.ingest / time.direct).toFixed(2)}x (budget 1.2x)`);
}
