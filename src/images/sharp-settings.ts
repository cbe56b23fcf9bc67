import sharp from 'sharp';

/**
 * sharp's process-wide settings, set in this one place when a gateway is
 * created (sharp has no per-instance ones, so a host app's own sharp use
 * gets them too).
 *
 * - No libvips operation cache (`sharp.cache(false)`): the gateway never
 *   runs the same operation on the same input twice, so the cache only
 *   holds decoded data. The red-team run settled at 2.2 to 2.4 GB RSS after
 *   40 to 60 small inputs with the default cache, 340 MB without it;
 *   bench/hostile measures it again ("libvips cache" row).
 * - One libvips worker thread per pipeline (`sharp.concurrency(1)`):
 *   conversions are bounded by the conversion queue, each on its own libuv
 *   thread, so images use at most `maxConcurrentConversions` cores and the
 *   event loop keeps one. sharp already picks 1 on glibc Linux; this makes
 *   macOS, musl and Windows hosts behave the same.
 *
 * @example
 * configureSharp();
 */
export function configureSharp(): void {
  sharp.cache(false);
  sharp.concurrency(1);
}
