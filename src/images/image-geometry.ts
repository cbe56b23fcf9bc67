/**
 * Parses "16:9" (also "16x9", "16/9", "16×9") into a width/height quotient.
 *
 * @example
 * parseAspectRatio('16:9'); // 1.777…
 */
export function parseAspectRatio(value: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*[:x/×]\s*(\d+(?:\.\d+)?)\s*$/i.exec(value);
  if (!match) return undefined;
  const width = Number(match[1]);
  const height = Number(match[2]);
  return width > 0 && height > 0 ? width / height : undefined;
}

/**
 * The listed ratio closest to `ratio`, compared on a log scale so that 2:1
 * and 1:2 are equally far from 1:1.
 *
 * @example
 * nearestAspectRatio(1920 / 1080, ['1:1', '16:9', '4:3']); // "16:9"
 */
export function nearestAspectRatio(ratio: number, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const candidateRatio = parseAspectRatio(candidate);
    if (candidateRatio === undefined) continue;
    const distance = Math.abs(Math.log(candidateRatio / ratio));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
