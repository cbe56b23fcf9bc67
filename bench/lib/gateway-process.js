/**
 * Runs the standalone gateway exactly as `npm start` does (it imports the
 * built dist/cli.js) and, beside it, reports event-loop delay and RSS to the
 * harness over IPC. Nothing benchmark-specific enters the product: this
 * file only observes the process the product runs in.
 */
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { writeHeapSnapshot } from 'node:v8';

const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
let baselineMaxRss = process.resourceUsage().maxRSS;
let peakRss = process.memoryUsage.rss();
// A fast sampler so a short-lived peak between two IPC samples is not missed.
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 20);
sampler.unref();

const ms = (nanoseconds) => nanoseconds / 1e6;

// The longest gap between two ticks of a 5 ms timer, and the CPU time the process (all its threads) used within
// it: a long gap with little CPU is the machine not running the process (other load), not the event loop held.
let longestGap = { ms: 0, cpuMs: 0 };
let lastTick = performance.now();
let lastCpu = process.cpuUsage();
const gapProbe = setInterval(() => {
  const now = performance.now();
  const cpu = process.cpuUsage();
  const gap = now - lastTick;
  if (gap > longestGap.ms) longestGap = { ms: gap, cpuMs: (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000 };
  lastTick = now;
  lastCpu = cpu;
}, 5);
gapProbe.unref();

// Garbage-collection pauses since the last reset: the usual cause of a long event-loop delay.
const gcKinds = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};
let gc = { count: 0, totalMs: 0, maxMs: 0, maxKind: '' };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gc.count += 1;
    gc.totalMs += entry.duration;
    if (entry.duration > gc.maxMs) gc = { ...gc, maxMs: entry.duration, maxKind: gcKinds[entry.detail?.kind] ?? 'other' };
  }
}).observe({ entryTypes: ['gc'] });

// Ends with the harness, even when the harness dies first.
process.on('disconnect', () => process.exit(0));
process.on('message', (message) => {
  if (message.type === 'reset') {
    delay.reset();
    gc = { count: 0, totalMs: 0, maxMs: 0, maxKind: '' };
    peakRss = process.memoryUsage.rss();
    baselineMaxRss = process.resourceUsage().maxRSS;
    longestGap = { ms: 0, cpuMs: 0 };
    process.send({ type: 'reset', rss: peakRss });
  } else if (message.type === 'exit') {
    // A normal exit, so --cpu-prof writes its profile.
    process.exit(0);
  } else if (message.type === 'heap-snapshot') {
    process.send({ type: 'heap-snapshot', path: writeHeapSnapshot(message.path) });
  } else if (message.type === 'sample') {
    const rss = process.memoryUsage.rss();
    const maxRss = process.resourceUsage().maxRSS * 1024;
    // The kernel's high-water mark catches peaks the sampler missed, but only once it moved past the reset.
    const peak = Math.max(peakRss, rss, maxRss > baselineMaxRss * 1024 ? maxRss : 0);
    process.send({
      type: 'sample',
      rss,
      peakRss: peak,
      delay: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max), count: delay.count },
      gc,
      longestGap,
    });
  }
});

await import(pathToFileURL(process.env.BENCH_GATEWAY_CLI).href);
process.send({ type: 'ready' });
