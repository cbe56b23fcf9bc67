import Koa from 'koa';
import { imageGateway } from 'image-gateway/koa';

const app = new Koa();

// A host middleware that wraps everything, gateway requests included.
app.use(async (context, next) => {
  const startedAt = Date.now();
  await next();
  console.log(`${context.method} ${context.url} ${context.status} ${Date.now() - startedAt}ms`);
});

const gateway = imageGateway({ providers: [{ type: 'local' }] });
app.use(gateway);

// Paths the gateway does not serve fall through to here.
app.use((context) => {
  context.body = 'Koa app with image-gateway: POST /v1/chat/completions\n';
});

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const server = app.listen(port, host, () => console.log(`koa example listening on http://${host}:${port}`));

const shutdown = () => server.close(() => gateway.close().then(() => process.exit(0)));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
