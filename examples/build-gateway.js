#!/usr/bin/env node
// Each example depends on the package in this repository (file:../..), which
// npm links without building it. Run as the example's `prepare` step (after
// `npm install`), this builds the package when its dist/ is missing, first
// installing the package's own dependencies (its build tools among them)
// when a fresh clone has none. With dist/ present it does nothing.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'dist', 'index.js'))) {
  // npm is npm.cmd on Windows, which only a shell runs.
  const options = { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' };
  if (!existsSync(join(root, 'node_modules', '.bin', 'tsup'))) {
    console.log('image-gateway: installing the package’s dependencies to build it (once) …');
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], options);
  }
  console.log('image-gateway: building the package (once) …');
  execFileSync('npm', ['exec', '--', 'tsup', '--silent'], options);
}
