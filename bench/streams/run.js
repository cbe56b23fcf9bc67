/**
 * Waiting streams: 10 000 streaming requests held in the gateway's queue
 * behind an upstream that answers nothing until released, with a 1 s
 * heartbeat. Then the upstream frees up and every stream must end with
 * `data: [DONE]`.
 *
 *   node bench/streams/run.js [--streams 10000] [--hold 4]
 *
 * Heartbeat lateness is measured where a user sees it, in this client: the
 * gap between two consecutive `: keep-alive` comments (or between the
 * response headers and the first one) minus the interval. A gap of more
 * than 1.5 intervals counts as missed heartbeats.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { startProcess } from '../lib/bench-processes.js';
import { emitRows, fixed, mib, percentile, row } from '../lib/bench-stats.js';
import { ensureBuilt, startGateway } from '../lib/gateway-launch.js';

const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '10000' },
    hold: { type: 'string', default: '4' },
    opening: { type: 'string', default: '500' },
    'heap-snapshot': { type: 'string' },
  },
});
const total = Number(values.streams);
const intervalMs = 1000;
const holdMs = Number(values.hold) * 1000;
const eventLoopResolutionMs = 10;

const clientDelay = monitorEventLoopDelay({ resolution: eventLoopResolutionMs });
clientDelay.enable();

ensureBuilt();
const upstream = startProcess(fileURLToPath(new URL('../lib/fake-upstream.js', import.meta.url)), {
  args: ['--image', 'small'],
  label: 'fake upstream',
});
const { port: upstreamPort } = await upstream.ready;
const gateway = await startGateway({
  providers: [{ type: 'openai-chat', baseURL: `http://127.0.0.1:${upstreamPort}`, models: ['bench-image'], concurrency: 10 }],
  queue: { maxStreamWaiting: total, maxWaitMs: 300_000 },
  heartbeatIntervalMs: intervalMs,
});

const pool = new Pool(gateway.url, { connections: total, pipelining: 1, headersTimeout: 60_000, bodyTimeout: 0, connectTimeout: 60_000 });
const body = JSON.stringify({ model: 'bench-image', stream: true, messages: [{ role: 'user', content: 'Draw a small red square' }] });
const headers = { 'content-type': 'application/json' };

/** One client stream: when its headers came, each heartbeat, whether it ended with [DONE]. */
async function openStream(opened) {
  const state = { headersAt: 0, beats: [], doneAt: 0, error: undefined };
  try {
    const response = await pool.request({ method: 'POST', path: '/v1/chat/completions', headers, body });
    state.headersAt = performance.now();
    opened();
    if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
    let pending = '';
    for await (const chunk of response.body) {
      const now = performance.now();
      pending += chunk.toString('utf8');
      const events = pending.split('\n\n');
      pending = events.pop() ?? '';
      for (const event of events) {
        if (event === ': keep-alive') state.beats.push(now);
        else if (event === 'data: [DONE]') state.doneAt = now;
      }
    }
  } catch (error) {
    state.error = String(error?.message ?? error);
    opened();
  }
  return state;
}

async function measureGateway() {
  return gateway.ask('sample');
}

try {
  // Warm-up outside the figures (lazy loading, JIT), then the upstream starts holding.
  for (let index = 0; index < 200; index++) {
    const response = await pool.request({ method: 'POST', path: '/v1/chat/completions', headers, body });
    await response.body.text();
  }
  await upstream.ask('hold');
  await gateway.ask('reset');
  const before = await measureGateway();
  console.log(`gateway RSS before: ${mib(before.rss)}`);

  const startedAt = performance.now();
  const streams = [];
  let inFlight = 0;
  let wake;
  for (let index = 0; index < total; index++) {
    // A bounded number of connections opening at once, as a real crowd arrives, not a SYN flood.
    while (inFlight >= Number(values.opening)) await new Promise((resolve) => (wake = resolve));
    inFlight += 1;
    streams.push(
      openStream(() => {
        inFlight -= 1;
        wake?.();
      }),
    );
  }
  while (inFlight > 0) await new Promise((resolve) => (wake = resolve));
  const openedAt = performance.now();
  console.log(`${total} streams open in ${fixed((openedAt - startedAt) / 1000, 1)} s; holding ${holdMs / 1000} s`);
  // Event-loop delay and GC per phase: while the streams open, then while they wait.
  const opening = await measureGateway();
  await gateway.ask('reset');
  await new Promise((resolve) => setTimeout(resolve, holdMs));
  const held = await measureGateway();
  const received = await upstream.ask('received');
  // --heap-snapshot file.heapsnapshot: what each waiting stream holds, for bench/lib/heap-summary.js.
  if (values['heap-snapshot'])
    console.log(`heap snapshot: ${(await gateway.ask('heap-snapshot', { path: values['heap-snapshot'] })).path}`);
  console.log(`gateway RSS while ${total} wait: ${mib(held.rss)}; upstream holds ${received.held} requests`);

  const releasedAt = performance.now();
  await upstream.ask('release');
  const results = await Promise.all(streams);
  const finishedAt = performance.now();
  const after = await measureGateway();
  console.log(`all streams ended ${fixed((finishedAt - releasedAt) / 1000, 1)} s after the release`);

  const lateness = [];
  let missed = 0;
  let streamsMissing = 0;
  let completed = 0;
  const errors = new Map();
  for (const state of results) {
    if (state.error) errors.set(state.error, (errors.get(state.error) ?? 0) + 1);
    if (state.doneAt > 0) completed += 1;
    if (!state.headersAt) continue;
    const end = state.doneAt || finishedAt;
    const marks = [state.headersAt, ...state.beats.filter((at) => at <= end), end];
    let streamMissed = 0;
    for (let index = 1; index < marks.length; index++) {
      const gap = marks[index] - marks[index - 1];
      if (index < marks.length - 1) lateness.push(Math.max(0, gap - intervalMs));
      if (gap > 1.5 * intervalMs) streamMissed += Math.round(gap / intervalMs) - 1;
    }
    missed += streamMissed;
    if (streamMissed > 0) streamsMissing += 1;
  }
  for (const [message, count] of errors) console.log(`errors: ${count} x ${message}`);
  const beats = results.reduce((sum, state) => sum + state.beats.length, 0);
  const lateP99 = percentile(lateness, 99);
  const growthPerStream = (held.rss - before.rss) / total;
  const blocked = (sample) => Math.max(0, sample.delay.p99 - eventLoopResolutionMs);
  // The target is the delay while the streams wait (the state the benchmark is about); the delay
  // while 500 connections at a time open is a connection storm, reported beside it.
  const blockedP99 = blocked(held);
  const blockedMax = Math.max(0, Math.max(opening.delay.max, held.delay.max, after.delay.max) - eventLoopResolutionMs);
  const clientBlocked = Math.max(0, clientDelay.percentile(99) / 1e6 - eventLoopResolutionMs);
  console.log(
    `heartbeats received: ${beats}; lateness p50 ${fixed(percentile(lateness, 50), 1)} ms, p99 ${fixed(lateP99, 1)} ms, max ${fixed(percentile(lateness, 100), 1)} ms`,
  );
  console.log(
    `gateway event-loop delay p99 while opening ${fixed(blocked(opening), 1)} ms, while waiting ${fixed(blocked(held), 1)} ms; max ${fixed(blockedMax, 1)} ms; client p99 ${fixed(clientBlocked, 1)} ms`,
  );
  for (const [phase, sample] of [
    ['opening', opening],
    ['waiting', held],
  ]) {
    const gc = sample.gc;
    if (gc)
      console.log(
        `gateway GC while ${phase}: ${gc.count} pauses, ${fixed(gc.totalMs, 0)} ms in all, longest ${fixed(gc.maxMs, 1)} ms (${gc.maxKind})`,
      );
  }
  emitRows([
    row(
      'streams: every stream gets every heartbeat',
      `${total - streamsMissing}/${total} streams complete (${missed} beats missed)`,
      `${total}/${total}`,
      streamsMissing === 0,
    ),
    row('streams: heartbeat lateness p99', `${fixed(lateP99, 1)} ms`, '< 200 ms', lateP99 < 200),
    row('streams: gateway RSS growth per waiting stream', `${fixed(growthPerStream / 1024, 1)} KB`, '< 20 KB', growthPerStream < 20 * 1024),
    row(
      'streams: gateway event-loop delay p99 while waiting',
      `${fixed(blockedP99, 1)} ms (max ${fixed(blockedMax, 0)} ms)`,
      '< 50 ms',
      blockedP99 < 50,
    ),
    row(
      `streams: gateway event-loop delay p99 while they open (${values.opening} at a time)`,
      `${fixed(blocked(opening), 1)} ms`,
      'report',
    ),
    row(
      'streams: all end with [DONE] after release',
      `${completed}/${total} in ${fixed((finishedAt - releasedAt) / 1000, 1)} s`,
      `${total}/${total}`,
      completed === total,
    ),
  ]);
} finally {
  await pool.destroy().catch(() => {});
  await Promise.all([gateway.stop(), upstream.stop()]);
}
