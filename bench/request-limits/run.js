/**
 * Hostile request bodies against the built gateway (not part of `npm run bench`):
 * the gateway runs in its own process and reports its longest event-loop
 * block; this process sends each body while probing /healthz, and prints
 * the answer, the time to it, the gateway's longest block and the slowest
 * /healthz meanwhile.
 *
 *   npm run build && node bench/request-limits/run.js [--dist path/to/dist]
 */
import { fork } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { dist: { type: 'string' }, server: { type: 'boolean' } } });

if (values.server) {
  const { createServer } = await import(`${values.dist}/node.js`);
  const { monitorEventLoopDelay } = await import('node:perf_hooks');
  const delay = monitorEventLoopDelay({ resolution: 5 });
  const server = createServer(process.env.ROOT_ITEMS ? { requestLimits: { maxRootArrayItems: Number(process.env.ROOT_ITEMS) } } : {});
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('message', (message) => {
    if (message === 'start') {
      delay.reset();
      delay.enable();
    } else if (message === 'stop') {
      delay.disable();
      process.send({ maxBlockMs: delay.max / 1e6 });
    } else if (message === 'exit') server.close(() => process.exit(0));
  });
} else {
  const dist = values.dist ?? fileURLToPath(new URL('../../dist', import.meta.url));
  const child = fork(fileURLToPath(import.meta.url), ['--server', '--dist', dist], {
    stdio: 'inherit',
    execArgv: process.env.PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.PROFILE_DIR] : [],
  });
  const next = () => new Promise((resolve) => child.once('message', resolve));
  const { port } = await next();
  const base = `http://127.0.0.1:${port}`;

  const post = (path, body) =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const call = request(`${base}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(body.length) },
      });
      let answered = false;
      call.on('response', (response) => {
        answered = true;
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({
            status: response.statusCode,
            code: text.includes('"code"') ? JSON.parse(text).error?.code : undefined,
            ms: performance.now() - started,
          });
        });
      });
      call.on('error', (error) => (answered ? undefined : reject(error)));
      call.end(body);
    });

  const chat = '{"model":"local-image","messages":[{"role":"user","content":"hi"}]';
  const keys = (count) => {
    const parts = [];
    for (let index = 0; index < count; index++) parts.push(`"${index.toString(36)}":0`);
    return Buffer.from(`${chat},${parts.join(',')}}`);
  };
  const cases = [
    ["5 M unknown top-level keys (the issue's 61 MB case)", () => keys(5_000_000)],
    ['1 M unknown top-level keys', () => keys(1_000_000)],
    [
      '1.5 M messages',
      () => Buffer.from(`{"model":"local-image","messages":[${new Array(1_500_000).fill('{"role":"user","content":"a"}').join(',')}]}`),
    ],
    [
      '1000 messages of 5 text parts of 350 characters',
      () =>
        Buffer.from(
          JSON.stringify({
            model: 'local-image',
            messages: Array.from({ length: 1000 }, () => ({
              role: 'user',
              content: Array.from({ length: 5 }, () => ({ type: 'text', text: 'a'.repeat(350) })),
            })),
          }),
        ),
    ],
    [
      '1000 messages of 70 text parts',
      () =>
        Buffer.from(
          JSON.stringify({
            model: 'local-image',
            messages: Array.from({ length: 1000 }, () => ({
              role: 'user',
              content: Array.from({ length: 70 }, () => ({ type: 'text', text: 'a' })),
            })),
          }),
        ),
    ],
    [
      '10 000 messages of 170 characters (the longest conversation let through)',
      () =>
        Buffer.from(
          JSON.stringify({
            model: 'local-image',
            messages: Array.from({ length: 10_000 }, (_, index) => ({ role: index % 2 ? 'assistant' : 'user', content: 'a'.repeat(170) })),
          }),
        ),
    ],
    [
      '2100 messages of 5 text parts of 150 characters (near every limit: the costliest body let through)',
      () =>
        Buffer.from(
          JSON.stringify({
            model: 'local-image',
            messages: Array.from({ length: 2100 }, () => ({
              role: 'user',
              content: Array.from({ length: 5 }, () => ({ type: 'text', text: 'a'.repeat(150) })),
            })),
          }),
        ),
    ],
    ['8 MB project_id', () => Buffer.from(`${chat},"project_id":"${'p'.repeat(8_000_000)}"}`)],
    [
      '3 MB prompt, no image',
      () => Buffer.from(`{"model":"local-image","messages":[{"role":"user","content":"${'a'.repeat(3_000_000)}"}]}`),
    ],
  ];
  console.log('| case | body | answer | time to answer | longest event-loop block in the gateway | slowest /healthz meanwhile |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [name, make] of cases.filter(([name]) => !process.env.ONLY || name.includes(process.env.ONLY))) {
    const body = make();
    child.send('start');
    let attacking = true;
    const health = [];
    const probes = (async () => {
      while (attacking) health.push((await post('/healthz')).ms);
    })();
    const answer = await post('/v1/chat/completions', body);
    attacking = false;
    await probes;
    child.send('stop');
    const { maxBlockMs } = await next();
    const mb = (body.length / 1e6).toFixed(1);
    console.log(
      `| ${name} | ${mb} MB | ${answer.status} ${answer.code ?? ''} | ${answer.ms.toFixed(0)} ms | ${maxBlockMs.toFixed(1)} ms | ${Math.max(...health).toFixed(1)} ms (${health.length} probes) |`,
    );
  }
  child.send('exit');
}
