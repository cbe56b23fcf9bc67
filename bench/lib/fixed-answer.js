/**
 * A floor for the overhead diagnostics: node:http reading the request body,
 * parsing it as JSON and sending a fixed chat.completion with a tiny image,
 * with no upstream at all. What any Node server pays per request here.
 */
import { createServer } from 'node:http';

const pixel = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const body = JSON.stringify({
  id: 'chatcmpl-fixed',
  object: 'chat.completion',
  created: 1,
  model: 'bench-image',
  choices: [{ index: 0, message: { role: 'assistant', content: `![image](data:image/png;base64,${pixel})` }, finish_reason: 'stop' }],
});
const server = createServer(async (request, response) => {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  JSON.parse(Buffer.concat(chunks).toString());
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
});
process.on('disconnect', () => process.exit(0));
server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: server.address().port }));
