/**
 * The bench gateway process (../lib/gateway-process.js), but with sharp's
 * operation cache put back to sharp's own defaults after the gateway turned
 * it off: what `sharp-cache.js` compares against. Bench-only; the product
 * never runs this.
 */
import sharp from 'sharp';

await import('../lib/gateway-process.js');
if (process.env.BENCH_SHARP_CACHE === 'default') sharp.cache({ memory: 50, files: 20, items: 100 });
