/** Small helpers for figures: percentiles, sizes, rows of the results table. */

/** The p-th percentile (0–100) of numbers, by nearest rank. */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
export const fixed = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : String(value));

/**
 * One line of the harness table. Benchmarks print their rows as JSON on
 * the last line of stdout; `met` is undefined for figures without a target.
 */
export function row(benchmark, figure, target, met) {
  return { benchmark, figure, target, met };
}

/** Prints the rows as the last stdout line (what run-all.js reads) after the human-readable detail. */
export function emitRows(rows) {
  process.stdout.write(`\n${JSON.stringify({ rows })}\n`);
}
