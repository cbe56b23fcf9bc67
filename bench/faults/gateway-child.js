/**
 * The gateway under test, built (`dist/node.js`, what `image-gateway/node`
 * exports) and served by its own Node server in a process of its own, with
 * the options the harness passes in FAULTS_GATEWAY_OPTIONS. Replies
 * `ready` with its port and `stats` with `gateway.stats()`, which the
 * standalone CLI has no way to report.
 */
import { pathToFileURL } from 'node:url';

const { createServer } = await import(pathToFileURL(process.env.FAULTS_GATEWAY_MODULE).href);
const server = createServer(JSON.parse(process.env.FAULTS_GATEWAY_OPTIONS));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

process.on('disconnect', () => process.exit(0));
process.on('message', (message) => {
  if (message.type === 'stats') process.send({ type: 'stats', stats: server.gateway.stats() });
  if (message.type === 'exit') process.exit(0);
});
process.send({ type: 'ready', port: server.address().port });
