/**
 * The baseline: the least a hand-written Node proxy does (node:http and an
 * undici Pool), forwarding every request to the upstream given as argv[2].
 */
import { createServer } from 'node:http';
import { Pool } from 'undici';

const pool = new Pool(process.argv[2], { connections: 128 });
const server = createServer(async (request, response) => {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  const upstream = await pool.request({
    method: 'POST',
    path: request.url,
    headers: { 'content-type': 'application/json' },
    body: Buffer.concat(chunks),
  });
  response.writeHead(upstream.statusCode, { 'content-type': upstream.headers['content-type'] });
  for await (const chunk of upstream.body) response.write(chunk);
  response.end();
});
process.on('disconnect', () => process.exit(0));
server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: server.address().port }));
