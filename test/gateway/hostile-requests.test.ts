import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type GatewayServer } from '../../adapters/node.js';
import { createImageGateway, type ImageGateway } from '../../src/index.js';
import { type OpenAIChatFake, startOpenAIChatFake } from '../fakes/openai-chat-fake.js';
import { postChat } from '../helpers/gateway-client.js';

interface RawAnswer {
  status: number;
  json: any;
  ms: number;
}

/**
 * POSTs `body` over a real socket with node:http and settles on the answer,
 * even when the gateway answers before it read the whole upload (the write
 * may then fail with EPIPE: that is the client's side, not the answer).
 */
function postRaw(base: string, path: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const call = httpRequest(`${base}${path}`, {
      method: path === '/healthz' ? 'GET' : 'POST',
      headers:
        path === '/healthz'
          ? headers
          : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
    });
    let answered = false;
    call.on('response', (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          json: JSON.parse(Buffer.concat(chunks).toString() || 'null'),
          ms: performance.now() - started,
        }),
      );
    });
    call.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (path === '/healthz') call.end();
    else call.end(body);
  });
}

/** A chat body followed by `count` unknown top-level keys, made at run time. */
function bodyWithUnknownKeys(count: number): Buffer {
  const keys: string[] = [];
  for (let index = 0; index < count; index++) keys.push(`"unknown_${index}":${index}`);
  return Buffer.from(`{"model":"local-image","messages":[{"role":"user","content":"hi"}],${keys.join(',')}}`);
}

let server: GatewayServer;
let base: string;
beforeAll(async () => {
  server = createServer({ gateway: createImageGateway() });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('a request that carries too much structure', () => {
  it('with a million unknown keys gets a 400 at once, and /healthz stays responsive meanwhile', async () => {
    const body = bodyWithUnknownKeys(1_000_000);
    expect(body.length).toBeGreaterThan(15_000_000);
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const health: number[] = [];
    let attacking = true;
    const probes = (async () => {
      while (attacking) health.push((await postRaw(base, '/healthz', '')).ms);
    })();
    const answer = await postRaw(base, '/v1/chat/completions', body);
    attacking = false;
    await probes;
    delay.disable();

    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({ type: 'invalid_request_error', code: 'request_too_complex' });
    expect(answer.json.error.message).toBe(
      'The request body has more than 1000 keys; at most 1000 are allowed (option requestLimits.maxKeysPerObject).',
    );
    const longestBlockMs = delay.max / 1e6;
    // The 400 comes long before 15 MB could be parsed, and no turn of the loop is held for long. The bounds leave
    // room for the client in this same process writing 15 MB on a busy machine (measured alone: under 20 ms);
    // before the guard, parsing and copying the keys held the loop for seconds.
    expect(answer.ms).toBeLessThan(1_000);
    expect(longestBlockMs).toBeLessThan(400);
    expect(health.length).toBeGreaterThan(0);
    expect(Math.max(...health)).toBeLessThan(500);
  });

  it('with 1.5 million messages gets a 400 naming messages and the limit', async () => {
    const body = `{"model":"local-image","messages":[${new Array(1_500_000).fill('{"role":"user","content":"a"}').join(',')}]}`;
    const answer = await postRaw(base, '/v1/chat/completions', body);
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({ code: 'request_too_complex', param: 'messages' });
    expect(answer.json.error.message).toBe(
      "'messages' has more than 10000 items; at most 10000 are allowed (option requestLimits.maxRootArrayItems).",
    );
  });

  it('with too many content parts, or nested too deep, gets a 400 naming the place', async () => {
    const parts = new Array(1001).fill({ type: 'text', text: 'a' });
    const tooManyParts = await postRaw(
      base,
      '/v1/chat/completions',
      JSON.stringify({ model: 'local-image', messages: [{ role: 'user', content: parts }] }),
    );
    expect(tooManyParts.status).toBe(400);
    expect(tooManyParts.json.error).toMatchObject({ code: 'request_too_complex', param: 'messages[0].content' });

    const deep = `{"model":"local-image","messages":[{"role":"user","content":"hi"}],"nest":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const tooDeep = await postRaw(base, '/v1/chat/completions', deep);
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.json.error.code).toBe('request_too_complex');
    expect(tooDeep.json.error.message).toMatch(
      /nested more than 32 levels deep; at most 32 levels are allowed \(option requestLimits\.maxDepth\)/,
    );
  });

  it('with too many values in all, each object and array within its own limits, gets a 400', async () => {
    const part = { type: 'text', text: 'a' };
    const messages = Array.from({ length: 3000 }, () => ({ role: 'user', content: [part, part, part, part, part, part, part] }));
    const answer = await postRaw(base, '/v1/chat/completions', JSON.stringify({ model: 'local-image', messages }));
    expect(answer.status).toBe(400);
    expect(answer.json.error.message).toBe(
      'The request body holds more than 40000 values (objects, arrays and their members); at most 40000 are allowed (option requestLimits.maxMembers).',
    );
  });

  it('within the limits is served', async () => {
    const gateway = createImageGateway({ requestLimits: { maxKeysPerObject: 64 } });
    try {
      const fields: Record<string, unknown> = { model: 'local-image', messages: [{ role: 'user', content: 'hi' }] };
      for (let index = 0; index < 60; index++) fields[`x_${index}`] = { nested: [index] };
      expect((await postChat(gateway, fields)).status).toBe(200);
      fields.x_61 = 1;
      fields.x_62 = 2;
      fields.x_63 = 3;
      const refused = await postChat(gateway, fields);
      expect(refused.status).toBe(400);
      expect((await refused.json()).error.message).toMatch(/more than 64 keys; at most 64 are allowed/);
    } finally {
      await gateway.close();
    }
  });
});

describe('the size of a body without images', () => {
  it('is held to requestLimits.maxTextBytes, while images may make a body far bigger', async () => {
    const gateway = createImageGateway({ requestLimits: { maxTextBytes: 256 * 1024 } });
    try {
      const prompt = 'a'.repeat(300 * 1024);
      const text = await postChat(gateway, { model: 'local-image', messages: [{ role: 'user', content: prompt }] });
      expect(text.status).toBe(413);
      const { error } = await text.json();
      expect(error.code).toBe('request_too_large');
      expect(error.message).toMatch(/besides image data, over the limit of 262144 bytes \(option requestLimits\.maxTextBytes\)/);

      // A 600 KB image with a short prompt: the image's bytes do not count as text.
      const noise = randomBytes(600 * 400 * 3);
      const png = await sharp(noise, { raw: { width: 600, height: 400, channels: 3 } })
        .png()
        .toBuffer();
      const image = `data:image/png;base64,${png.toString('base64')}`;
      expect(image.length).toBeGreaterThan(300 * 1024);
      const withImage = await postChat(gateway, {
        model: 'local-image',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'make it grayscale' },
              { type: 'image_url', image_url: { url: image } },
            ],
          },
        ],
      });
      expect(withImage.status).toBe(200);
    } finally {
      await gateway.close();
    }
  });
});

describe('fields forwarded to relays', () => {
  let relay: OpenAIChatFake;
  let gateway: ImageGateway | undefined;
  beforeAll(async () => {
    relay = await startOpenAIChatFake({ scenario: 'text' });
  });
  afterAll(() => relay.close());
  afterEach(() => gateway?.close());

  it('are the OpenAI chat fields a relay knows plus the forwardFields option, never unknown ones', async () => {
    gateway = createImageGateway({
      providers: [{ type: 'openai-chat', apiKey: 'sk-relay-key-0123456789', baseURL: relay.url, models: ['relay-chat'] }],
      forwardFields: ['top_k'],
    });
    const junk: Record<string, number> = {};
    for (let index = 0; index < 900; index++) junk[`k${index}`] = index;
    const body = `{"model":"relay-chat","messages":[{"role":"user","content":"hello"}],"top_p":0.5,"stop":["END"],"top_k":7,"user":"alice@example.com","metadata":{"team":"x"},"constructor":{"prototype":{"polluted":true}},"junk":${JSON.stringify(junk)}}`;
    const response = await postChat(gateway, body);
    expect(response.status).toBe(200);
    const sent = relay.requests.at(-1)?.json as Record<string, unknown>;
    expect(sent.top_p).toBe(0.5);
    expect(sent.stop).toEqual(['END']);
    expect(sent.top_k).toBe(7);
    for (const name of ['user', 'metadata', 'junk']) expect(Object.hasOwn(sent, name)).toBe(false);
    expect(Object.hasOwn(sent, 'constructor')).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a forwardFields name that would reach a prototype', () => {
    expect(() => createImageGateway({ forwardFields: ['__proto__'] })).toThrow(/forwardFields\[0\]: must not be __proto__/);
  });
});

describe('client strings that reach logs and tables', () => {
  it('refuses a project_id that is too long or has other characters, naming the limit and never quoting it', async () => {
    const lines: string[] = [];
    const record = (fields: unknown, message?: string) => lines.push(JSON.stringify([fields, message]));
    const gateway = createImageGateway({
      requestLimits: { maxTextBytes: 4 * 1024 * 1024 },
      logger: { info: record, warn: record, error: record },
    });
    try {
      const huge = 'p'.repeat(1_000_000);
      const long = await postChat(gateway, { model: 'local-image', project_id: huge, messages: [{ role: 'user', content: 'hi' }] });
      expect(long.status).toBe(400);
      const { error } = await long.json();
      expect(error).toMatchObject({ code: 'invalid_value', param: 'project_id' });
      expect(error.message).toBe(
        "Invalid 'project_id': must be 1 to 128 characters of letters, digits and . _ : @ / - (got 1000000 characters).",
      );
      const header = await postChat(
        gateway,
        { model: 'local-image', messages: [{ role: 'user', content: 'hi' }] },
        { headers: { 'x-gateway-project-id': 'team a; drop' } },
      );
      expect(header.status).toBe(400);
      expect((await header.json()).error).toMatchObject({ param: 'x-gateway-project-id' });
      expect(Math.max(...lines.map((line) => line.length))).toBeLessThan(2_000);
      expect(gateway.stats().projects).toEqual({});
    } finally {
      await gateway.close();
    }
  });

  it('cuts a key id from an authenticate hook to 128 characters in the log line and the key table', async () => {
    const lines: string[] = [];
    const record = (fields: unknown, message?: string) => lines.push(JSON.stringify([fields, message]));
    const gateway = createImageGateway({
      authenticate: (request) => ({ ok: true, keyId: `user-${request.headers.get('x-user') ?? ''}` }),
      logger: { info: record, warn: record, error: record },
    });
    try {
      const answer = await postChat(
        gateway,
        { model: 'local-image', messages: [{ role: 'user', content: 'hi' }] },
        { headers: { 'x-user': 'u'.repeat(100_000) } },
      );
      expect(answer.status).toBe(200);
      expect(Math.max(...lines.map((line) => line.length))).toBeLessThan(2_000);
      expect(Object.keys(gateway.stats().keys).map((name) => name.length)).toEqual([128]);
    } finally {
      await gateway.close();
    }
  });

  it('tracks at most usageTables.maxProjects projects, folding the least recently counted into "(evicted)"', async () => {
    const gateway = createImageGateway({ usageTables: { maxProjects: 3, maxKeys: 3 } });
    try {
      for (const project of ['p1', 'p2', 'p3', 'p1', 'p4', 'p5']) {
        const answer = await postChat(gateway, { model: 'local-image', project_id: project, messages: [{ role: 'user', content: 'hi' }] });
        expect(answer.status).toBe(200);
      }
      const projects = gateway.stats().projects;
      // p2 went first (p1 was counted again after it), then p3.
      expect(Object.keys(projects).sort()).toEqual(['(evicted)', 'p1', 'p4', 'p5']);
      expect(projects['(evicted)']?.requests).toBe(2);
      expect(projects.p1?.requests).toBe(2);
    } finally {
      await gateway.close();
    }
  });
});

describe('/healthz', () => {
  const key = 'gw-health-key-0123456789';
  const health = async (gateway: ImageGateway, authorization?: string) => {
    const answer = await gateway.fetch(new Request('http://gateway.test/healthz', { headers: authorization ? { authorization } : {} }));
    return { status: answer.status, body: await answer.json() };
  };

  it('says only up or down without a key, and shows the instances with one', async () => {
    const gateway = createImageGateway({ apiKeys: [key] });
    try {
      expect(await health(gateway)).toEqual({ status: 200, body: { status: 'ok' } });
      expect(await health(gateway, 'Bearer not-the-key-0123456789')).toEqual({ status: 200, body: { status: 'ok' } });
      const detailed = await health(gateway, `Bearer ${key}`);
      expect(detailed.body.providers.local).toMatchObject({ type: 'local', state: 'closed', active: 0, waiting: 0 });
    } finally {
      await gateway.close();
    }
  });

  it('shows the instances to everyone only with the healthDetails option (open access included)', async () => {
    const open = createImageGateway();
    const detailed = createImageGateway({ healthDetails: true });
    try {
      expect((await health(open)).body).toEqual({ status: 'ok' });
      expect((await health(detailed)).body.providers.local).toMatchObject({ type: 'local' });
    } finally {
      await Promise.all([open.close(), detailed.close()]);
    }
  });
});

describe('gateway keys', () => {
  it('shorter than 16 characters are refused at start, with the length and never the key', () => {
    expect(() => createImageGateway({ apiKeys: ['gw-key-long-enough-1', 'sk-test'] })).toThrow(
      /options\.apiKeys\[1\]: each gateway key must be at least 16 characters \(this one has 7\)/,
    );
    try {
      createImageGateway({ apiKeys: ['sk-short-key'] });
    } catch (error) {
      expect((error as Error).message).not.toContain('sk-short-key');
    }
    expect(() => createImageGateway({ apiKeys: ['0123456789abcdef'] }).close()).not.toThrow();
  });
});
