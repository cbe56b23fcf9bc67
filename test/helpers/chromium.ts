import { spawnSync } from 'node:child_process';
import { describe } from 'vitest';

let found: string | null | undefined;

/** The path of the Debian `chromium` (or a `CHROMIUM_PATH`), or null when there is none. */
export function chromiumPath(): string | null {
  if (found !== undefined) return found;
  found = null;
  for (const candidate of [process.env.CHROMIUM_PATH, 'chromium', 'chromium-browser', 'google-chrome']) {
    if (!candidate) continue;
    const which = spawnSync('sh', ['-c', `command -v "${candidate}"`], { encoding: 'utf8' });
    if (which.status === 0 && which.stdout.trim()) {
      found = which.stdout.trim();
      break;
    }
  }
  return found;
}

/**
 * `describe` when Chromium is installed; otherwise one visible line and a
 * skipped block, except under `CI=true`, where a missing browser is a
 * failure (CI installs the Debian package `chromium`).
 */
export function describeWithChromium(name: string, body: () => void): void {
  if (chromiumPath()) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      throw new Error('chromium is not installed, and CI=true requires it (.ci/run installs the Debian package chromium)');
    });
    return;
  }
  console.warn(`skipped "${name}": chromium is not installed (install the chromium package to run it)`);
  describe.skip(name, body);
}
