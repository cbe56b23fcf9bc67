#!/usr/bin/env node
// Runs every example end to end against the embedded local engine: builds the
// package once, then for each example installs its dependencies, builds it if
// it has a build step (Next.js), starts it on a free port, asks for a picture
// and checks that a decodable JPEG of the asked size comes back, then stops it.
//
// Usage: node scripts/examples-e2e.js [--skip-build] [example ...]
// Exit code 0 when every example passed.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const allExamples = ['standalone', 'express', 'koa', 'hono', 'next', 'cluster'];
const args = process.argv.slice(2);
const skipBuild = args.includes('--skip-build');
const chosen = args.filter((arg) => !arg.startsWith('--'));
const examples = chosen.length > 0 ? chosen : allExamples;
const environment = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', HOST: '127.0.0.1' };

/** Runs a command to completion; rejects with its output when it fails or overruns `timeoutMs`. */
function run(command, commandArgs, cwd, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { cwd, env: environment, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      reject(new Error(`${command} ${commandArgs.join(' ')} took over ${timeoutMs / 1000}s in ${cwd}\n${output}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${commandArgs.join(' ')} exited with ${code} in ${cwd}\n${output}`));
    });
  });
}

/** npm start runs the app in a child of its own; signalling the group stops both. */
function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls until the app answers GET /v1/models, or fails after `timeoutMs`. */
async function waitUntilServing(baseUrl, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode} before serving`);
    try {
      const response = await fetch(`${baseUrl}/v1/models`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the app did not serve ${baseUrl}/v1/models within ${timeoutMs / 1000}s`);
}

async function checkCompletion(baseUrl) {
  const response = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'local-image', size: '256x192', messages: [{ role: 'user', content: 'draw a lighthouse at dusk' }] }),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`POST /v1/chat/completions answered ${response.status}: ${text.slice(0, 300)}`);
  const content = JSON.parse(text).choices?.[0]?.message?.content ?? '';
  const match = /data:image\/jpeg;base64,([A-Za-z0-9+/=]+)/.exec(content);
  if (!match) throw new Error(`no JPEG data URL in the completion: ${content.slice(0, 200)}`);
  const metadata = await sharp(Buffer.from(match[1], 'base64')).metadata();
  if (metadata.format !== 'jpeg' || metadata.width !== 256 || metadata.height !== 192) {
    throw new Error(`expected a 256×192 JPEG, got ${metadata.format} ${metadata.width}×${metadata.height}`);
  }
  return `${metadata.width}×${metadata.height} JPEG`;
}

/**
 * The cluster example needs a Redis: a redis-server of its own on a free
 * port, persistence off, in a temporary directory (as test/helpers/redis-server.ts
 * starts one); undefined when redis-server is not on PATH.
 */
async function startRedis() {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) return undefined;
  const port = await freePort();
  const directory = mkdtempSync(join(tmpdir(), 'image-gateway-example-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', directory], {
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

async function runExample(name) {
  if (name !== 'cluster') return runExampleWith(name, {});
  const redis = await startRedis();
  if (!redis) {
    if (process.env.CI === 'true') throw new Error('redis-server is not on PATH, and CI=true requires it for the cluster example');
    return 'skipped: redis-server is not on PATH';
  }
  try {
    return await runExampleWith(name, { REDIS_URL: redis.url });
  } finally {
    await redis.stop();
  }
}

async function runExampleWith(name, extraEnvironment) {
  const cwd = join(root, 'examples', name);
  const manifest = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'));
  await run('npm', ['install', '--no-audit', '--no-fund'], cwd, 5 * 60_000);
  if (manifest.scripts?.build) await run('npm', ['run', 'build'], cwd, 5 * 60_000);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn('npm', ['start'], {
    cwd,
    env: { ...environment, ...extraEnvironment, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await waitUntilServing(baseUrl, child, 60_000);
    return await checkCompletion(baseUrl);
  } catch (error) {
    error.message += `\n--- app output ---\n${output}`;
    throw error;
  } finally {
    killGroup(child, 'SIGTERM');
    const forced = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(forced);
  }
}

const startedAt = Date.now();
if (!skipBuild) {
  process.stdout.write('building the package … ');
  await run('npm', ['run', 'build'], root, 5 * 60_000);
  console.log(`done in ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
}
let failures = 0;
for (const name of examples) {
  const exampleStartedAt = Date.now();
  try {
    const result = await runExample(name);
    console.log(`ok   ${name.padEnd(10)} ${result} in ${((Date.now() - exampleStartedAt) / 1000).toFixed(1)}s`);
  } catch (error) {
    failures += 1;
    console.log(`FAIL ${name.padEnd(10)} after ${((Date.now() - exampleStartedAt) / 1000).toFixed(1)}s\n${error.message}`);
  }
}
console.log(`${examples.length - failures}/${examples.length} examples passed in ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
process.exit(failures > 0 ? 1 : 0);
