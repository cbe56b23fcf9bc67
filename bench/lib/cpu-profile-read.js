/**
 * Reading V8 .cpuprofile files: which package or function each sample
 * belongs to, and self time per key, optionally only for the samples taken
 * inside a time window. Profile timestamps are CLOCK_MONOTONIC microseconds,
 * the clock `process.hrtime` reads in any process on the machine, so a
 * harness can mark a window in its own process and select it here.
 */
import { readFileSync } from 'node:fs';

export function readProfile(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Now on the clock profile timestamps use, in microseconds. */
export function monotonicMicros() {
  return Number(process.hrtime.bigint() / 1000n);
}

export const functionKey = (frame) =>
  `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;

/** node_modules/<name>, node:<module>, the gateway's own code, or V8's pseudo-frames ("(idle)", "(garbage collector)"). */
export function packageKey(frame) {
  const url = frame.url;
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (module) return module[1];
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[1] ?? url.slice(5)}`;
  return /dist|src|adapters/.test(url) ? 'image-gateway' : url;
}

/**
 * Calls `visit(nodeId, micros)` for every sample, or only for those taken
 * within `window` ({ from, to } in monotonic microseconds).
 */
export function forEachSample(profile, visit, window) {
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    const micros = Math.max(0, profile.timeDeltas[index] ?? 0);
    at += micros;
    if (window && (at < window.from || at > window.to)) return;
    visit(id, micros);
  });
}

/** Self time per key (`keyOf(callFrame)`), in microseconds, within `window` when given. */
export function selfTimes(profile, keyOf, window) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map();
  forEachSample(
    profile,
    (id, micros) => {
      const key = keyOf(byId.get(id).callFrame);
      totals.set(key, (totals.get(key) ?? 0) + micros);
    },
    window,
  );
  return totals;
}
