#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createServer } from '../adapters/node.js';
import { optionsFromEnvironment } from './cli-config.js';
import type { GatewayOptions } from './options.js';

const { values } = parseArgs({
  options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
  allowPositionals: false,
});

if (values.help) {
  console.log(`image-gateway: an OpenAI-compatible image gateway

Usage: image-gateway [--config gateway.json]

Environment: PORT (3000), HOST, GATEWAY_API_KEYS (comma-separated), GATEWAY_CONFIG,
GEMINI_API_KEY, OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_CHAT_BASE_URL, OPENAI_CHAT_MODELS,
OPENAI_CHAT_API_KEY, BFL_API_KEY, LOCAL_ENGINE=1, PLAYGROUND=0 (no /playground page).
With no provider configured it serves the embedded local engine (model local-image).`);
  process.exit(0);
}

/**
 * Ends start-up with one clear line on stderr and a non-zero exit: what a
 * newcomer, systemd or Docker shows, instead of a stack trace.
 */
function failToStart(message: string): never {
  console.error(`image-gateway: ${message}`);
  process.exit(1);
}

const port = parsePort(process.env.PORT);
const configPath = values.config ?? process.env.GATEWAY_CONFIG;
let fileOptions: GatewayOptions | undefined;
if (configPath) {
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (error) {
    failToStart(`cannot read the config file ${configPath}: ${(error as Error).message}`);
  }
  try {
    fileOptions = JSON.parse(text) as GatewayOptions;
  } catch (error) {
    failToStart(`the config file ${configPath} is not valid JSON: ${(error as Error).message}`);
  }
}

// Asynchronous writes: lines logged while a write is in flight go out together, instead of one
// blocking write per request line. Each line still leaves at once when the log is quiet.
const logDestination = pino.destination({ sync: false });
const logger = pino({ name: 'image-gateway' }, logDestination);
process.on('exit', () => {
  try {
    logDestination.flushSync();
  } catch {
    // A closed or full pipe: nothing more can be written.
  }
});

const options = { ...optionsFromEnvironment(process.env, fileOptions), logger };
let server: ReturnType<typeof createServer>;
try {
  server = createServer(options);
} catch (error) {
  // The options' own message names the bad option and what it got, on one line.
  failToStart(`invalid configuration: ${(error as Error).message.replace(/\s*\n\s*/g, ' ')}`);
}

// From the options in force (a config file's "apiKeys": [] overrides the environment), not from raw variables.
const authOn = (options.apiKeys?.length ?? 0) > 0;
// Open access is only safe on this machine: bind to loopback unless keys protect the gateway.
const host = process.env.HOST ?? (authOn ? '0.0.0.0' : '127.0.0.1');

server.once('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EADDRINUSE') failToStart(`port ${port} on ${host} is already in use; stop what uses it or set PORT to another port.`);
  if (error.code === 'EACCES') failToStart(`no permission to listen on port ${port} on ${host}; use a port above 1023 or set PORT.`);
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND')
    failToStart(`cannot listen on HOST=${host}: no such address on this machine.`);
  failToStart(`cannot listen on ${host}:${port}: ${error.message}`);
});

server.listen(port, host, () => {
  const url = `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
  const providers = Object.entries(server.gateway.stats().providers).map(([id, stats]) => `${id} (${stats.type})`);
  logger.info({ url, providers, auth: authOn }, 'image-gateway listening');
  console.log(`image-gateway listening on ${url}`);
  console.log(`providers: ${providers.join(', ')}`);
  console.log(`models: ${server.gateway.models().join(', ')}`);
  if (options.metrics) console.log(`metrics: ${url}/metrics (Prometheus text${authOn ? ', with a gateway key' : ''})`);
  console.log(
    authOn ? 'auth: on (Bearer keys required)' : 'auth: off (open access, bound to 127.0.0.1; set GATEWAY_API_KEYS to expose it)',
  );
  // The key itself is never printed: the hint names where it comes from.
  console.log(
    authOn
      ? `try: curl -H "Authorization: Bearer $GATEWAY_KEY" ${url}/v1/models   (GATEWAY_KEY: one of your gateway keys)`
      : `try: curl ${url}/v1/models`,
  );
  if (options.playground) console.log(`playground: ${url}/playground${authOn ? '   (paste a gateway key into the page)' : ''}`);
});

const shutdown = (signal: string) => {
  logger.info({ signal }, 'shutting down');
  server.close(() => process.exit(0));
  // close() takes at most the grace period plus 5 s to abort what is left; exit hard only after that.
  setTimeout(() => process.exit(1), (options.shutdownGraceMs ?? 30_000) + 10_000).unref();
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));

/** PORT as a TCP port (default 3000); anything else ends start-up with a line saying what is allowed. */
function parsePort(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 3000;
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port > 65_535)
    failToStart(`PORT must be a whole number from 0 to 65535 (got ${JSON.stringify(value.slice(0, 40))}).`);
  return port;
}
