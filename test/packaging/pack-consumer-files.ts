/**
 * Files for the throw-away consumer project the packaging test installs the
 * tarball into: one ESM and one CommonJS script that load every subpath and
 * serve a request, and TypeScript that type-checks every subpath's API.
 */

const esmImports = `import { createImageGateway } from 'image-gateway';
import { imageGateway as expressGateway } from 'image-gateway/express';
import { imageGateway as koaGateway } from 'image-gateway/koa';
import { createRouteHandlers } from 'image-gateway/next';
import { imageGateway as honoGateway } from 'image-gateway/hono';
import { createServer } from 'image-gateway/node';
import { Hono } from 'hono';
`;

const cjsImports = `const { createImageGateway } = require('image-gateway');
const { imageGateway: expressGateway } = require('image-gateway/express');
const { imageGateway: koaGateway } = require('image-gateway/koa');
const { createRouteHandlers } = require('image-gateway/next');
const { imageGateway: honoGateway } = require('image-gateway/hono');
const { createServer } = require('image-gateway/node');
const { Hono } = require('hono');
`;

/** Loads every subpath, serves /healthz through each adapter that can run without its framework, prints a JSON report. */
const checkBody = `async function main() {
  const gateway = createImageGateway();
  const app = new Hono();
  app.route('/ai', honoGateway({ gateway }));
  const handlers = createRouteHandlers({ gateway });
  const server = createServer({ gateway });
  const completion = await gateway.fetch(new Request('http://localhost/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'local-image', size: '64x64', messages: [{ role: 'user', content: 'draw a blue square' }] }),
  }));
  const text = JSON.stringify(await completion.json());
  const report = {
    exports: [createImageGateway, expressGateway, koaGateway, createRouteHandlers, honoGateway, createServer].map((value) => typeof value),
    express: typeof expressGateway({ gateway }).close,
    koa: typeof koaGateway({ gateway }).close,
    hono: (await app.request('/ai/healthz')).status,
    next: (await handlers.GET(new Request('http://localhost/healthz'))).status,
    node: typeof server.listen,
    jpeg: text.includes('data:image/jpeg;base64,'),
  };
  await gateway.close();
  console.log(JSON.stringify(report));
}
main().catch((error) => { console.error(error); process.exit(1); });
`;

export const checkMjs = esmImports + checkBody;
export const checkCjs = cjsImports + checkBody;

const typeUsage = `const options: GatewayOptions = { heartbeatIntervalMs: 1_000, providers: [{ type: 'local' }] };
const gateway: ImageGateway = createImageGateway(options);
const express: ExpressGatewayMiddleware = expressGateway({ gateway });
const koa: KoaGatewayMiddleware = koaGateway(options);
const handlers: NextRouteHandlers = createRouteHandlers({ gateway });
const response: Promise<Response> = handlers.POST(new Request('http://localhost/v1/models'));
const hono: HonoGatewayApp = honoGateway();
const mounted: Hono = new Hono().route('/', hono);
const server: GatewayServer = createServer({ gateway });
const closes: Array<Promise<void>> = [express.close(), koa.close(), hono.close(), handlers.close(), server.gateway.close()];
// @ts-expect-error unknown options are a type error, not only a runtime one
createImageGateway({ heartbeatEveryMs: 5 });
export { closes, mounted, response };
`;

export const checkMts = `import { createImageGateway, type GatewayOptions, type ImageGateway } from 'image-gateway';
import { imageGateway as expressGateway, type ExpressGatewayMiddleware } from 'image-gateway/express';
import { imageGateway as koaGateway, type KoaGatewayMiddleware } from 'image-gateway/koa';
import { createRouteHandlers, type NextRouteHandlers } from 'image-gateway/next';
import { imageGateway as honoGateway, type HonoGatewayApp } from 'image-gateway/hono';
import { createServer, type GatewayServer } from 'image-gateway/node';
import { Hono } from 'hono';
${typeUsage}`;

export const checkCts = `import { createImageGateway, type GatewayOptions, type ImageGateway } from 'image-gateway';
import { imageGateway as expressGateway, type ExpressGatewayMiddleware } from 'image-gateway/express';
import { imageGateway as koaGateway, type KoaGatewayMiddleware } from 'image-gateway/koa';
import { createRouteHandlers, type NextRouteHandlers } from 'image-gateway/next';
import { imageGateway as honoGateway, type HonoGatewayApp } from 'image-gateway/hono';
import { createServer, type GatewayServer } from 'image-gateway/node';
import { Hono } from 'hono';
${typeUsage}`;

export const consumerTsconfig = JSON.stringify({
  compilerOptions: {
    strict: true,
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    target: 'ES2022',
    lib: ['ES2022', 'DOM'],
    types: ['node'],
    skipLibCheck: false,
    noEmit: true,
  },
  files: ['check-types.mts', 'check-types.cts'],
});
