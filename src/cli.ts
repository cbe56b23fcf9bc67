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
OPENAI_CHAT_API_KEY, BFL_API_KEY, LOCAL_ENGINE=1. With no provider configured it serves
the embedded local engine (model local-image).`);
  process.exit(0);
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
const configPath = values.config ?? process.env.GATEWAY_CONFIG;
let fileOptions: GatewayOptions | undefined;
if (configPath) {
  try {
    fileOptions = JSON.parse(readFileSync(configPath, 'utf8')) as GatewayOptions;
  } catch (error) {
    logger.fatal({ configPath, error: (error as Error).message }, 'cannot read the config file');
    process.exit(1);
  }
}

const options = { ...optionsFromEnvironment(process.env, fileOptions), logger };
let server: ReturnType<typeof createServer>;
try {
  server = createServer(options);
} catch (error) {
  logger.fatal({ error: (error as Error).message }, 'invalid configuration');
  process.exit(1);
}

const port = Number(process.env.PORT ?? 3000);
// From the options in force (a config file's "apiKeys": [] overrides the environment), not from raw variables.
const authOn = (options.apiKeys?.length ?? 0) > 0;
// Open access is only safe on this machine: bind to loopback unless keys protect the gateway.
const host = process.env.HOST ?? (authOn ? '0.0.0.0' : '127.0.0.1');

server.listen(port, host, () => {
  const url = `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
  const providers = Object.entries(server.gateway.stats().providers).map(([id, stats]) => `${id} (${stats.type})`);
  logger.info({ url, providers, auth: authOn }, 'image-gateway listening');
  console.log(`image-gateway listening on ${url}`);
  console.log(`providers: ${providers.join(', ')}`);
  console.log(`models: ${server.gateway.models().join(', ')}`);
  console.log(
    authOn ? 'auth: on (Bearer keys required)' : 'auth: off (open access, bound to 127.0.0.1; set GATEWAY_API_KEYS to expose it)',
  );
  console.log(`try: curl ${url}/v1/models`);
});

const shutdown = (signal: string) => {
  logger.info({ signal }, 'shutting down');
  server.close(() => process.exit(0));
  // close() takes at most the grace period plus 5 s to abort what is left; exit hard only after that.
  setTimeout(() => process.exit(1), (options.shutdownGraceMs ?? 30_000) + 10_000).unref();
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
