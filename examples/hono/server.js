import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { imageGateway } from 'image-gateway/hono';

const app = new Hono();
const gateway = imageGateway({ providers: [{ type: 'local' }] });

app.route('/', gateway);
// Routes the gateway does not serve still reach the host app.
app.get('/', (context) => context.text('Hono app with image-gateway: POST /v1/chat/completions\n'));

const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOST ?? '127.0.0.1';
const server = serve({ fetch: app.fetch, port, hostname }, () => console.log(`hono example listening on http://${hostname}:${port}`));

const shutdown = () => server.close(() => gateway.close().then(() => process.exit(0)));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
