import express from 'express';
import { imageGateway } from 'image-gateway/express';

const app = express();

// Mounted before any body parser, the gateway reads the request stream itself.
const gateway = imageGateway({
  // The embedded local engine: no keys, no network. Swap in real providers here.
  providers: [{ type: 'local' }],
  apiKeys: process.env.GATEWAY_API_KEYS ? process.env.GATEWAY_API_KEYS.split(',') : undefined,
});
app.use(gateway);

// Everything the gateway does not serve falls through to the host app.
app.use(express.json());
app.get('/', (_request, response) => {
  response.type('text').send('Express app with image-gateway: POST /v1/chat/completions\n');
});

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const server = app.listen(port, host, () => console.log(`express example listening on http://${host}:${port}`));

const shutdown = () => server.close(() => gateway.close().then(() => process.exit(0)));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
