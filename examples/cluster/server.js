import cluster from 'node:cluster';
import { createServer } from 'image-gateway/node';

// Three worker processes share one port (node:cluster hands connections round robin)
// and, through Redis, one set of limits: 2 generations at once across all three.
const workers = Number(process.env.WORKERS ?? 3);
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';

if (cluster.isPrimary) {
  for (let index = 0; index < workers; index += 1) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping) console.log(`worker ${worker.process.pid} ended (${signal ?? code})`);
  });
  let stopping = false;
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  console.log(`cluster example: ${workers} workers on http://${host}:${port}, limits shared through ${process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'}`);
} else {
  const server = createServer({
    providers: [{ type: 'local', concurrency: 2 }],
    heartbeatIntervalMs: 5_000,
    store: {
      type: 'redis',
      url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      // While Redis is down, each worker falls back to its own limits instead of refusing work.
      onUnavailable: 'local',
    },
  });
  server.listen(port, host);
  // close() also drains the gateway: running generations get `shutdownGraceMs` to finish, and keep their leases meanwhile.
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
  process.on('SIGINT', () => {});
}
