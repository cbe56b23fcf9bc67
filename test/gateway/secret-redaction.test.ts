import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactedMessage } from '../../src/errors/to-gateway-error.js';
import { UpstreamError } from '../../src/errors/upstream-error.js';
import { createImageGateway, type ImageGateway } from '../../src/gateway.js';
import { createSecretRedactor } from '../../src/lib/secret-redaction.js';
import type { ImageProvider } from '../../src/provider.js';
import { imageModelCapabilities } from '../../src/providers/shared/model-catalog.js';
import { providerSecrets } from '../../src/providers/shared/provider-secrets.js';
import { type LoopbackServer, readBody, sendJson, startLoopbackServer } from '../fakes/fake-recording-server.js';
import { dataChunks, parseSse, postChat } from '../helpers/gateway-client.js';

/**
 * Keys with no prefix a pattern could know: only the gateway's own
 * configuration says they are secret.
 */
const relayKey = 'relaykeyNOPREFIX9876';
const imagesKey = 'imageskeyNOPREFIX5432';
const geminiKey = 'AIzaSyD-fakefakefakefakefakefakefake12';
const fluxKey = '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f';
const headerKey = 'headerkeyNOPREFIX1111';
const allKeys = [relayKey, imagesKey, geminiKey, fluxKey, headerKey];

/** The credential a request carried, in whichever header its provider uses. */
function presentedKey(incoming: IncomingMessage): string {
  const header =
    incoming.headers['x-goog-api-key'] ?? incoming.headers['x-key'] ?? incoming.headers['x-api-key'] ?? incoming.headers.authorization;
  return String(header ?? '').replace(/^Bearer /, '');
}

/**
 * An upstream at its worst: every error it sends quotes the key it was
 * given, in that provider's own envelope. The path `/moved` answers a
 * redirect to another host whose query carries a signed token.
 */
async function answerQuotingTheKey(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
  const body = JSON.parse((await readBody(incoming)).toString() || '{}');
  const key = presentedKey(incoming);
  // "pad N" in the prompt puts N characters ahead of the key: where a provider once cut its quote.
  const padding = 'x'.repeat(Number(/pad (\d+)/.exec(JSON.stringify(body))?.[1] ?? 0));
  if (incoming.url?.startsWith('/moved')) {
    outgoing.writeHead(307, { location: `https://elsewhere.test/v1/chat/completions?sig=${key}&X-Amz-Signature=${key}` }).end();
    return;
  }
  if (incoming.headers['x-goog-api-key'] && body.contents?.[0]?.parts?.[0]?.text?.includes('long')) {
    sendJson(outgoing, 400, {
      error: { code: 400, message: `${'x'.repeat(1910)} key ${key} ${'y'.repeat(1_000_000)}`, status: 'INVALID_ARGUMENT' },
    });
    return;
  }
  if (incoming.headers['x-goog-api-key']) {
    sendJson(outgoing, 400, {
      error: { code: 400, message: `Request from key ${key} has an invalid contents field.`, status: 'INVALID_ARGUMENT' },
    });
    return;
  }
  if (incoming.headers['x-key']) {
    // FastAPI's detail is a list of validation items, or any object a handler raised with.
    const detail = padding
      ? { reason: `${padding}rejected for x-key ${key}` }
      : [{ loc: ['body', 'prompt'], msg: `rejected for x-key ${key}`, type: 'value_error' }];
    sendJson(outgoing, 422, { detail });
    return;
  }
  if (body.stream) {
    outgoing.writeHead(200, { 'content-type': 'text/event-stream' });
    outgoing.write(
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: body.model, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }] })}\n\n`,
    );
    outgoing.end(
      `data: ${JSON.stringify({ error: { message: `Token ${key} exceeded its budget.`, type: 'server_error', param: null, code: null } })}\n\n`,
    );
    return;
  }
  sendJson(outgoing, 400, {
    error: {
      message: `${padding}Invalid token ${key} for this model (request id: 2026112212)`,
      type: 'invalid_request_error',
      param: null,
      code: null,
    },
  });
}

let upstream: LoopbackServer;
let gateway: ImageGateway;
const logged: string[] = [];

beforeAll(async () => {
  upstream = await startLoopbackServer(answerQuotingTheKey);
  const logger = {
    info: (fields: unknown, message: string) => logged.push(JSON.stringify([fields, message])),
    warn: (fields: unknown, message: string) => logged.push(JSON.stringify([fields, message])),
    error: (fields: unknown, message: string) => logged.push(JSON.stringify([fields, message])),
  };
  const relayModel = (id: string) => [{ id, capabilities: { imageOutput: true, text: true } }];
  gateway = createImageGateway({
    logger,
    routing: { maxAttempts: 1 },
    providers: [
      { type: 'openai-chat', name: 'relay', apiKey: relayKey, baseURL: `${upstream.url}/v1`, models: relayModel('relay-chat') },
      {
        type: 'openai-chat',
        name: 'by-header',
        baseURL: `${upstream.url}/v1`,
        headers: { 'X-Api-Key': headerKey },
        models: relayModel('header-chat'),
      },
      { type: 'openai-chat', name: 'moved', apiKey: relayKey, baseURL: `${upstream.url}/moved/v1`, models: relayModel('moved-chat') },
      { type: 'openai', apiKey: imagesKey, baseURL: `${upstream.url}/v1`, models: ['gpt-image-1'] },
      { type: 'gemini', apiKey: geminiKey, baseURL: upstream.url, models: ['gemini-2.5-flash-image'] },
      { type: 'flux', apiKey: fluxKey, baseURL: upstream.url, models: ['flux-kontext-pro'] },
    ],
  });
});
afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

function expectNoKey(text: string): void {
  for (const key of allKeys) expect(text).not.toContain(key);
}

describe('an upstream error that quotes the gateway key', () => {
  it.each([
    ['openai-chat', 'relay-chat', 400, 'UPSTREAM_BAD_REQUEST', 'Invalid token [redacted] for this model'],
    ['openai-chat with the key in a header', 'header-chat', 400, 'UPSTREAM_BAD_REQUEST', 'Invalid token [redacted] for this model'],
    ['openai images', 'gpt-image-1', 400, 'UPSTREAM_BAD_REQUEST', 'Invalid token [redacted] for this model'],
    ['gemini', 'gemini-2.5-flash-image', 400, 'UPSTREAM_BAD_REQUEST', 'Request from key [redacted] has an invalid contents field.'],
    ['flux', 'flux-kontext-pro', 400, 'UPSTREAM_BAD_REQUEST', 'rejected for x-key [redacted]'],
  ])('%s: the client sees the error without the key', async (_label, model, status, code, quoted) => {
    const response = await postChat(gateway, { model, messages: [{ role: 'user', content: 'draw a fox' }] });
    const text = await response.text();
    expect(response.status).toBe(status);
    expectNoKey(text);
    const { error } = JSON.parse(text);
    expect(error.code).toBe(code);
    expect(error.message).toContain(quoted);
  });

  it('cuts a megabyte of upstream text to 2000 characters, after taking the key out', async () => {
    const response = await postChat(gateway, { model: 'gemini-2.5-flash-image', messages: [{ role: 'user', content: 'draw a long fox' }] });
    const text = await response.text();
    expect(response.status).toBe(400);
    expectNoKey(text);
    const { message } = JSON.parse(text).error;
    // The key starts 6 characters before the cut: cutting first would leave "AIzaSy", which no pattern knows.
    expect(message).toHaveLength(2000);
    expect(message).toMatch(/x key \[redac…$/);
    expect(message).not.toContain('AIzaSy');
  });

  it.each([
    ['openai-chat', 'relay-chat', 490, relayKey],
    ['flux', 'flux-kontext-pro', 270, fluxKey],
  ])('%s: a key where the provider once cut its quote leaves no prefix behind', async (_label, model, padding, key) => {
    const response = await postChat(gateway, { model, messages: [{ role: 'user', content: `draw a fox, pad ${padding}` }] });
    const text = await response.text();
    expect(response.status).toBe(400);
    expect(text).not.toContain(key.slice(0, 8));
    expect(JSON.parse(text).error.message).toMatch(/x+(Invalid token |rejected for x-key )\[redacted\]/);
  });

  it('openai-chat stream: the error event after content carries no key', async () => {
    const response = await postChat(gateway, { model: 'relay-chat', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(response.status).toBe(200);
    const text = await response.text();
    expectNoKey(text);
    const failure = dataChunks(parseSse(text)).find((chunk) => chunk.error);
    expect(failure.error.message).toContain('Token [redacted] exceeded its budget.');
  });

  it('a refused redirect tells the client it was a redirect, and the log where it points without its signed query', async () => {
    const lines: string[] = [];
    const record = (fields: unknown, message: string) => lines.push(JSON.stringify([fields, message]));
    const logged = createImageGateway({
      logger: { info: record, warn: record, error: record },
      providers: [
        {
          type: 'openai-chat',
          name: 'moved',
          apiKey: relayKey,
          baseURL: `${upstream.url}/moved/v1`,
          models: [{ id: 'moved-chat', capabilities: { imageOutput: true, text: true } }],
        },
      ],
    });
    try {
      const response = await postChat(logged, { model: 'moved-chat', messages: [{ role: 'user', content: 'hi' }] });
      const text = await response.text();
      expect(response.status).toBe(502);
      expectNoKey(text);
      expect(JSON.parse(text).error.message).toContain('redirect (307)');
      expect(text).not.toContain('elsewhere.test');
      const log = lines.join('\n');
      expect(log).toContain('to https://elsewhere.test/v1/chat/completions;');
      expectNoKey(log);
    } finally {
      await logged.close();
    }
  });

  it('no log line repeats a key, even a hook failure quoting one', async () => {
    const lines: string[] = [];
    const record = (fields: unknown, message: string) => lines.push(JSON.stringify([fields, message]));
    const hooked = createImageGateway({
      logger: { info: record, warn: record, error: record },
      providers: [{ type: 'openai-chat', name: 'relay', apiKey: relayKey, baseURL: `${upstream.url}/v1`, models: ['relay-chat'] }],
      authenticate: () => {
        throw new Error(`key store refused ${relayKey}`);
      },
    });
    try {
      const response = await postChat(hooked, { model: 'relay-chat', messages: [{ role: 'user', content: 'hi' }] });
      expect(response.status).toBe(500);
      expect(lines.join('\n')).toContain('key store refused [redacted]');
      expectNoKey(lines.join('\n'));
    } finally {
      await hooked.close();
    }
    expect(logged.length).toBeGreaterThan(0);
    expectNoKey(logged.join('\n'));
  });
});

describe('createSecretRedactor', () => {
  const redact = createSecretRedactor(['short', 'abcdef123456', 'abcdef123456-longer']);

  it('removes configured secrets, the longer first, and leaves short values alone', () => {
    expect(redact('keys abcdef123456-longer and abcdef123456, not short')).toBe('keys [redacted] and [redacted], not short');
  });

  it('removes a prefix of 10 characters or more, and any other part of 12 or more, but not shorter pieces', () => {
    const key = 'gwRelay7Qx2NpLm4Vt9Zs8Kd';
    const partial = createSecretRedactor([key]);
    expect(partial(`Invalid key ${key.slice(0, 10)}... (masked)`)).toBe('Invalid key [redacted]... (masked)');
    expect(partial(`key ending ...${key.slice(-12)}`)).toBe('key ending ...[redacted]');
    expect(partial(`middle ${key.slice(5, 17)} here`)).toBe('middle [redacted] here');
    expect(partial(`too short: ${key.slice(0, 9)} and ${key.slice(1, 10)}`)).toBe(`too short: ${key.slice(0, 9)} and ${key.slice(1, 10)}`);
  });

  it('removes reversed, base64 (any alignment, either alphabet) and percent-encoded echoes', () => {
    const key = 'relay/key+NOPREFIX=9876?&~';
    const encoded = createSecretRedactor([key]);
    const reversed = Array.from(key).reverse().join('');
    expect(encoded(`echo: ${reversed}!`)).toBe('echo: [redacted]!');
    expect(encoded(`q=${encodeURIComponent(key)}&x=1`)).toBe('q=[redacted]&x=1');
    for (const prefix of ['', 'u:', 'user:']) {
      const basic = Buffer.from(`${prefix}${key}`).toString('base64');
      const out = encoded(`Authorization header was "${basic}"`);
      expect(out, `after ${JSON.stringify(prefix)}`).toMatch(/\[redacted\]/);
      // What is left is the encoding of the bytes around the key (the user part, padding) and the two characters mixing them in.
      const left = out.replace(/^Authorization header was "|"$/g, '').replace('[redacted]', '');
      expect(left.length).toBeLessThanOrEqual(Math.ceil((prefix.length * 4) / 3) + 4);
      const urlSafe = Buffer.from(`${prefix}${key}`).toString('base64url');
      expect(encoded(urlSafe)).toMatch(/\[redacted\]/);
    }
  });

  it('stays linear on a megabyte of near-echoes of many configured secrets', () => {
    const secrets = Array.from({ length: 20 }, (_, index) => `secret-${index}-0123456789abcdefghij`);
    const many = createSecretRedactor(secrets);
    // Every piece starts like a secret (as written, reversed, base64) and then leaves it, so each one is
    // found by the window hash, grown both ways and cut: the matching path runs tens of thousands of times.
    const pieces = secrets.flatMap((secret) => [
      `${secret.slice(0, 12)}#`,
      `${Array.from(secret).reverse().join('').slice(2, 15)}~`,
      `${Buffer.from(secret).toString('base64').slice(0, 14)}.`,
    ]);
    let text = '';
    for (let index = 0; text.length < 1_000_000; index++) text += pieces[index % pieces.length];
    const started = performance.now();
    const result = many(text);
    const elapsed = performance.now() - started;
    expect(result.split('[redacted]').length - 1).toBeGreaterThan(50_000);
    expect(result).not.toContain('secret-1');
    // Linear: tens of milliseconds. Rescanning the text after each echo (a quadratic variant) took minutes.
    expect(elapsed).toBeLessThan(1000);
  });

  it('removes the key shapes upstreams echo, whatever is configured', () => {
    expect(redact('Incorrect API key provided: sk-proj-...abcd.')).toBe('Incorrect API key provided: [redacted]');
    expect(redact('Incorrect API key provided: xyz***789.')).toBe('Incorrect API key provided: [redacted]');
    expect(redact('key AIzaSyA1234567890abcdefghij is bad')).toBe('key [redacted] is bad');
    expect(redact('sent Authorization: Bearer tok.en_123')).toBe('sent Authorization: Bearer [redacted]');
    expect(redact('GET https://h.test/x?alt=sse&api_key=v4lue&n=1')).toBe('GET https://h.test/x?alt=sse&api_key=[redacted]&n=1');
  });

  it('leaves ordinary text as it is', () => {
    for (const text of [
      'The model is overloaded. Please try again later (status 503).',
      'Missing API key: send "Authorization: Bearer <key>".',
      'Basic authentication is not supported; Bearer authentication is.',
      'apiKey: Required',
      'see https://h.test/x?design=flat&author=ann and the sk-learn docs',
    ]) {
      expect(redact(text)).toBe(text);
    }
  });

  it('stays linear on a megabyte of hostile text', () => {
    for (const text of [
      `&${'key'.repeat(350_000)}`,
      `?${'a'.repeat(1_000_000)}`,
      'Bearer '.repeat(150_000),
      `Basic ${'A'.repeat(1_000_000)}`,
    ]) {
      const started = performance.now();
      redact(text);
      // Quadratic scans took minutes on these; linear ones take milliseconds even on a loaded machine.
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });
});

describe('redactedMessage', () => {
  const redact = createSecretRedactor([]);

  it('keeps the whole message, ellipsis included, within 2000 characters', () => {
    expect(redactedMessage('x'.repeat(2000), redact)).toBe('x'.repeat(2000));
    const cut = redactedMessage('x'.repeat(2001), redact);
    expect(cut).toHaveLength(2000);
    expect(cut.endsWith('x…')).toBe(true);
  });

  it('never cuts a character in half', () => {
    const cut = redactedMessage(`${'a'.repeat(1998)}😀${'b'.repeat(100)}`, redact);
    expect(cut).toBe(`${'a'.repeat(1998)}…`);
    expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});

describe('providerSecrets', () => {
  it('collects keys, credential headers with the token alone, and baseURL credentials; not ordinary headers', () => {
    const secrets = providerSecrets([
      { type: 'openai-chat', apiKey: 'api-key-value-1', models: ['m'] },
      {
        type: 'openai-chat',
        name: 'second',
        baseURL: 'https://user%40x:pa%24ss-word@relay.test/v1?api_key=query-key-value&alt=sse',
        headers: { Authorization: 'Bearer header-token-9', 'X-Title': 'My gateway', 'Content-Type': 'application/json' },
        models: ['m'],
      },
    ]);
    expect(secrets).toEqual(
      expect.arrayContaining([
        'api-key-value-1',
        'Bearer header-token-9',
        'header-token-9',
        'pa%24ss-word',
        'pa$ss-word',
        'query-key-value',
      ]),
    );
    expect(secrets).not.toContain('My gateway');
    expect(secrets).not.toContain('gateway');
    expect(secrets).not.toContain('application/json');
    expect(secrets).not.toContain('sse');
  });

  it('takes from a custom provider object only the secrets it declares', () => {
    const custom = { id: 'mine', type: 'mine', concurrency: 1, timeoutMs: 1000, models: [], generate: async function* () {} };
    expect(providerSecrets([custom as never])).toEqual([]);
    expect(providerSecrets([{ ...custom, secrets: ['custom-key-value', '', 42] } as never])).toEqual(['custom-key-value']);
  });
});

describe('a custom provider that declares its secrets', () => {
  const customKey = 'customkeyNOPREFIX2468';
  const custom: ImageProvider = {
    id: 'mine',
    type: 'mine',
    concurrency: 1,
    timeoutMs: 5000,
    models: [{ id: 'mine-image', capabilities: { ...imageModelCapabilities, text: true } }],
    secrets: [customKey],
    // biome-ignore lint/correctness/useYield: it fails before its first event, as an upstream refusing the key would
    async *generate() {
      throw new UpstreamError({
        provider: 'mine',
        kind: 'bad_request',
        status: 400,
        message: `upstream says: key ${customKey} is not allowed here`,
      });
    },
  };

  it('has them redacted from the error a client sees and from the log line', async () => {
    const logged: unknown[] = [];
    const logger = { info: () => {}, error: (fields: unknown) => logged.push(fields), warn: () => {} };
    const gateway = createImageGateway({ providers: [custom], logger });
    try {
      const response = await postChat(gateway, { model: 'mine-image', messages: [{ role: 'user', content: 'Draw a cat' }] });
      const text = await response.text();
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(JSON.parse(text).error.message).toContain('upstream says: key [redacted] is not allowed here');
      expect(text).not.toContain(customKey);
      expect(JSON.stringify(logged)).not.toContain(customKey);
    } finally {
      await gateway.close();
    }
  });
});
