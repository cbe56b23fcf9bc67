import { createServer } from 'image-gateway/node';

// A plain node:http server: no framework at all.
const server = createServer({ providers: [{ type: 'local' }], heartbeatIntervalMs: 5_000 });

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
server.listen(port, host, () => console.log(`standalone example listening on http://${host}:${port}`));

// close() also drains the gateway: running generations get `shutdownGraceMs` to finish.
const shutdown = () => server.close(() => process.exit(0));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
