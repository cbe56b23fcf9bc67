import { afterEach, describe, expect, it } from 'vitest';
import { createImageGateway, type ImageGateway, type ImageProvider, UpstreamError, type UsageEvent } from '../../../src/index.js';
import { imageModelCapabilities } from '../../../src/providers/shared/model-catalog.js';
import { dataChunks, parseSse, postChat } from '../../helpers/gateway-client.js';
import { createScriptedProvider } from '../../helpers/scripted-provider.js';

let gateway: ImageGateway;
afterEach(async () => {
  await gateway?.close();
});

const draw = (extra: Record<string, unknown> = {}) => ({ model: 'auto', messages: [{ role: 'user', content: 'draw a cat' }], ...extra });
const serverError = (provider: string) => new UpstreamError({ provider, kind: 'server', status: 503, message: 'The model is overloaded.' });

describe('auto routing', () => {
  it('spreads 300 requests over three healthy instances within ±10 %', async () => {
    const instances = ['a', 'b', 'c'].map((id) => createScriptedProvider({ id, concurrency: 4, auto: () => 'succeed' }));
    gateway = createImageGateway({ providers: instances.map((instance) => instance.provider) });
    for (let batch = 0; batch < 30; batch += 1) {
      const responses = await Promise.all(Array.from({ length: 10 }, () => postChat(gateway, draw())));
      expect(responses.every((response) => response.status === 200)).toBe(true);
    }
    for (const instance of instances) {
      expect(instance.state.calls).toBeGreaterThanOrEqual(90);
      expect(instance.state.calls).toBeLessThanOrEqual(110);
    }
  });

  it('passes over a busy instance while another is idle', async () => {
    const busy = createScriptedProvider({ id: 'busy', concurrency: 1 });
    const idle = createScriptedProvider({ id: 'idle', concurrency: 1, auto: () => 'succeed' });
    gateway = createImageGateway({ providers: [busy.provider, idle.provider] });
    const held = postChat(gateway, { ...draw(), model: 'busy/scripted-image' });
    await new Promise((resolve) => setImmediate(resolve));
    for (let index = 0; index < 5; index += 1) {
      const response = await postChat(gateway, draw());
      expect(response.headers.get('x-gateway-provider')).toBe('idle');
    }
    busy.pending[0]?.succeed();
    expect((await held).status).toBe(200);
  });
});

describe('health and fallback', () => {
  it('falls back on a retryable failure and says so in x-gateway-attempts', async () => {
    const failing = createScriptedProvider({ id: 'failing', auto: () => serverError('failing') });
    const healthy = createScriptedProvider({ id: 'healthy', auto: () => 'succeed' });
    gateway = createImageGateway({ providers: [failing.provider, healthy.provider] });
    const response = await postChat(gateway, { ...draw(), model: 'scripted-image' });
    // Round robin may start on either; when it starts on the failing one, the answer still comes from the healthy one.
    expect(response.status).toBe(200);
    expect(response.headers.get('x-gateway-provider')).toBe('healthy');
    const second = await postChat(gateway, { ...draw(), model: 'scripted-image' });
    const attempts = [response, second].map((item) => item.headers.get('x-gateway-attempts'));
    expect(attempts).toContain('2');
  });

  it('returns non-retryable failures at once without trying another instance', async () => {
    const filtered = new UpstreamError({ provider: 'x', kind: 'content_filter', message: 'IMAGE_SAFETY' });
    const first = createScriptedProvider({ id: 'first', auto: () => filtered });
    const second = createScriptedProvider({ id: 'second', auto: () => filtered });
    gateway = createImageGateway({ providers: [first.provider, second.provider] });
    const response = await postChat(gateway, draw());
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe('content_filter');
    expect(first.state.calls + second.state.calls).toBe(1);
    expect(response.headers.get('x-gateway-attempts')).toBe('1');
  });

  it('opens the circuit of a failing instance and lets it back after the cooldown and a good probe', async () => {
    let time = 1_000_000;
    let failing = true;
    const flaky = createScriptedProvider({ id: 'flaky', auto: () => (failing ? serverError('flaky') : 'succeed') });
    const steady = createScriptedProvider({ id: 'steady', auto: () => 'succeed' });
    gateway = createImageGateway({
      providers: [flaky.provider, steady.provider],
      routing: { failureThreshold: 2, cooldownMs: 10_000 },
      now: () => time,
    });
    for (let index = 0; index < 10; index += 1) expect((await postChat(gateway, draw())).status).toBe(200);
    expect(flaky.state.calls).toBe(2);
    expect(gateway.stats().providers.flaky?.health.state).toBe('open');
    failing = false;
    time += 10_001;
    for (let index = 0; index < 10; index += 1) expect((await postChat(gateway, draw())).status).toBe(200);
    expect(flaky.state.calls).toBeGreaterThan(3);
    expect(gateway.stats().providers.flaky?.health.state).toBe('closed');
  });

  it('cools only the instance whose upstream answered 429 with a retry delay', async () => {
    let time = 5_000_000;
    const limited = createScriptedProvider({
      id: 'limited',
      auto: () => new UpstreamError({ provider: 'limited', kind: 'rate_limit', status: 429, message: 'quota', retryAfterMs: 30_000 }),
    });
    const other = createScriptedProvider({ id: 'other', auto: () => 'succeed' });
    gateway = createImageGateway({ providers: [limited.provider, other.provider], now: () => time });
    for (let index = 0; index < 6; index += 1) expect((await postChat(gateway, draw())).status).toBe(200);
    expect(limited.state.calls).toBe(1);
    expect(gateway.stats().providers.limited?.health.unavailableUntil).toBe(5_030_000);
    expect(gateway.stats().providers.other?.health.state).toBe('closed');
    time += 30_001;
    for (let index = 0; index < 4; index += 1) await postChat(gateway, draw());
    expect(limited.state.calls).toBeGreaterThan(1);
  });

  it('falls back invisibly when a stream fails before content, and ends with an error event after content', async () => {
    const failsEarly = createScriptedProvider({ id: 'early', auto: () => serverError('early') });
    const works = createScriptedProvider({ id: 'works', auto: () => 'succeed' });
    gateway = createImageGateway({ providers: [failsEarly.provider, works.provider] });
    for (let index = 0; index < 2; index += 1) {
      const items = parseSse(await (await postChat(gateway, draw({ stream: true }))).text());
      expect(items.some((item) => item.kind === 'data' && item.value.includes('"error"'))).toBe(false);
      expect(dataChunks(items).some((chunk) => chunk.choices[0]?.finish_reason === 'stop')).toBe(true);
      expect(items.at(-1)).toEqual({ kind: 'data', value: '[DONE]' });
    }
    await gateway.close();

    const failsLate: ImageProvider = {
      id: 'late',
      type: 'scripted',
      concurrency: 1,
      timeoutMs: 10_000,
      models: [{ id: 'late-model', capabilities: { ...imageModelCapabilities, text: true } }],
      async *generate() {
        yield { type: 'text-delta', text: 'Here is the start of an answer' };
        throw serverError('late');
      },
    };
    const backup = createScriptedProvider({ id: 'backup', models: ['late-model'], auto: () => 'succeed' });
    gateway = createImageGateway({ providers: [failsLate, backup.provider] });
    const items = parseSse(await (await postChat(gateway, { ...draw({ stream: true }), model: 'late/late-model' })).text());
    const data = items.filter((item) => item.kind === 'data').map((item) => item.value);
    expect(data.at(-1)).toBe('[DONE]');
    expect(JSON.parse(data.at(-2) as string).error.code).toBe('UPSTREAM_ERROR');
    expect(backup.state.calls).toBe(0);
  });
});

describe('capability detection', () => {
  const textOnly = createScriptedProvider({
    id: 'chat',
    models: ['chat-model'],
    capabilities: {
      imageOutput: false,
      imageInput: true,
      text: true,
      tools: true,
      jsonMode: true,
      contextWindow: 1_000,
      reasoning: 'high',
    },
    auto: () => 'succeed',
  });
  const painter = createScriptedProvider({
    id: 'painter',
    models: ['paint-model'],
    capabilities: { imageOutput: true, text: false, maxInputImages: 1 },
    auto: () => 'succeed',
  });

  const cases: Array<{
    name: string;
    body: Record<string, unknown>;
    provider?: string;
    error?: { code: string; param?: string; text: RegExp };
  }> = [
    {
      name: 'tools → a tool-capable model',
      body: { tools: [{ type: 'function', function: { name: 'f' } }], messages: [{ role: 'user', content: 'weather?' }] },
      provider: 'chat',
    },
    {
      name: 'json mode → a JSON-mode model',
      body: { response_format: { type: 'json_object' }, messages: [{ role: 'user', content: 'list 3 languages as JSON' }] },
      provider: 'chat',
    },
    {
      name: 'an image request → an image model',
      body: { modalities: ['image'], messages: [{ role: 'user', content: 'a cat' }] },
      provider: 'painter',
    },
    {
      name: 'min_reasoning_level high → a reasoning model',
      body: { min_reasoning_level: 'high', messages: [{ role: 'user', content: 'Solve x^2 - 5x + 6 = 0' }] },
      provider: 'chat',
    },
    {
      name: 'a prompt over every context window → NO_CAPABLE_MODEL',
      body: { messages: [{ role: 'user', content: 'word '.repeat(40_000) }] },
      error: { code: 'NO_CAPABLE_MODEL', text: /text answers/ },
    },
    {
      name: 'a named image-only model asked for tools → MODEL_CAPABILITY_MISSING',
      body: { model: 'paint-model', tools: [{ type: 'function', function: { name: 'f' } }], messages: [{ role: 'user', content: 'x' }] },
      error: { code: 'MODEL_CAPABILITY_MISSING', param: 'tools', text: /tool calling/ },
    },
    {
      name: 'too many input images for the named model',
      body: {
        model: 'paint-model',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'combine' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            ],
          },
        ],
      },
      error: { code: 'MODEL_CAPABILITY_MISSING', param: 'messages', text: /2 input images \(it accepts at most 1\)/ },
    },
    {
      name: 'a reasoning level no named model offers',
      body: { model: 'paint-model', min_reasoning_level: 'high', messages: [{ role: 'user', content: 'draw a cat' }] },
      error: { code: 'MODEL_CAPABILITY_MISSING', param: 'min_reasoning_level', text: /reasoning level "high"/ },
    },
  ];

  for (const testCase of cases) {
    it(testCase.name, async () => {
      gateway = createImageGateway({ providers: [textOnly.provider, painter.provider] });
      const response = await postChat(gateway, { model: 'auto', ...testCase.body });
      if (testCase.provider) {
        expect(response.status).toBe(200);
        expect(response.headers.get('x-gateway-provider')).toBe(testCase.provider);
      } else {
        expect(response.status).toBe(400);
        const { error } = await response.json();
        expect(error.code).toBe(testCase.error?.code);
        if (testCase.error?.param) expect(error.param).toBe(testCase.error.param);
        expect(error.message).toMatch(testCase.error?.text as RegExp);
      }
    });
  }

  it('sets x-gateway-reasoning-effort when a reasoning level applied', async () => {
    gateway = createImageGateway({ providers: [textOnly.provider, painter.provider] });
    const response = await postChat(gateway, {
      model: 'chat-model',
      reasoning_effort: 'medium',
      messages: [{ role: 'user', content: 'think' }],
    });
    expect(response.headers.get('x-gateway-reasoning-effort')).toBe('medium');
  });

  it('resolves aliases and instance/model pins, and lists both in /v1/models without keys', async () => {
    gateway = createImageGateway({
      providers: [
        { type: 'local', name: 'local-eu' },
        { type: 'local', name: 'local-us' },
        { type: 'gemini', apiKey: 'AIza-secret-key-000' },
      ],
      aliases: { 'nano-banana': 'local-image' },
    });
    const pinned = await postChat(gateway, { model: 'local-us/local-image', messages: [{ role: 'user', content: 'draw a cat' }] });
    expect(pinned.headers.get('x-gateway-provider')).toBe('local-us');
    const aliased = await postChat(gateway, { model: 'nano-banana', messages: [{ role: 'user', content: 'draw a cat' }] });
    expect(aliased.status).toBe(200);
    const models = await gateway.fetch(new Request('http://gateway.test/v1/models'));
    const text = await models.text();
    expect(text).not.toContain('AIza-secret-key-000');
    const list = JSON.parse(text);
    expect(list.object).toBe('list');
    const local = list.data.find((model: { id: string }) => model.id === 'local-image');
    expect(local).toMatchObject({ object: 'model', owned_by: 'local', instances: ['local-eu', 'local-us'] });
    expect(local.capabilities.imageOutput).toBe(true);
    expect(list.data.find((model: { id: string }) => model.id === 'nano-banana')).toMatchObject({ alias_for: 'local-image' });
  });

  it('retrieves one model at /v1/models/{model}, as models.retrieve() reads it, and 404s an unknown one', async () => {
    const slashed = createScriptedProvider({ id: 'relay', models: ['google/gemini-x'], auto: () => 'succeed' }).provider;
    gateway = createImageGateway({ providers: [{ type: 'local' }, slashed], aliases: { 'nano-banana': 'local-image' }, basePath: '/api' });
    const get = (path: string, method = 'GET') => gateway.fetch(new Request(`http://gateway.test/api${path}`, { method }));

    const local = await get('/v1/models/local-image');
    expect(local.status).toBe(200);
    expect(await local.json()).toMatchObject({ id: 'local-image', object: 'model', created: expect.any(Number), owned_by: 'local' });
    expect(await (await get('/v1/models/nano-banana')).json()).toMatchObject({
      id: 'nano-banana',
      object: 'model',
      alias_for: 'local-image',
    });
    // SDKs encode a "/" in the id (openai-node does); some send it as it is.
    for (const path of ['/v1/models/google%2Fgemini-x', '/v1/models/google/gemini-x']) {
      const slashedModel = await get(path);
      expect(slashedModel.status, path).toBe(200);
      expect((await slashedModel.json()).id).toBe('google/gemini-x');
    }

    const missing = await get('/v1/models/no-such-model');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: {
        message: 'The model "no-such-model" does not exist here; GET /v1/models lists the models this gateway serves.',
        type: 'invalid_request_error',
        param: 'model',
        code: 'model_not_found',
      },
    });
    expect((await get('/v1/models/local-image', 'POST')).status).toBe(405);
    expect(gateway.handles(new Request('http://gateway.test/api/v1/models/local-image'))).toBe(true);
    expect(gateway.handles(new Request('http://gateway.test/api/v1/models/'))).toBe(false);
  });
});

describe('request ids and projects', () => {
  it('echoes an incoming x-request-id', async () => {
    gateway = createImageGateway();
    const response = await postChat(gateway, { messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-request-id': 'trace-123' } });
    expect(response.headers.get('x-gateway-request-id')).toBe('trace-123');
  });

  it('requires a project when requireProjectId is set, from the body or the header', async () => {
    gateway = createImageGateway({ requireProjectId: true });
    const missing = await postChat(gateway, { messages: [{ role: 'user', content: 'hi' }] });
    expect(missing.status).toBe(400);
    const { error } = await missing.json();
    expect(error).toMatchObject({ code: 'PROJECT_ID_REQUIRED', param: 'project_id' });
    expect(error.message).toContain('x-gateway-project-id');
    expect((await postChat(gateway, { project_id: 'p1', messages: [{ role: 'user', content: 'hi' }] })).status).toBe(200);
    expect(
      (await postChat(gateway, { messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-gateway-project-id': 'p2' } })).status,
    ).toBe(200);
    expect(Object.keys(gateway.stats().projects).sort()).toEqual(['p1', 'p2']);
  });

  it('calls onUsage once per request with project, key, model, provider, images, tokens and timings', async () => {
    const events: UsageEvent[] = [];
    gateway = createImageGateway({ apiKeys: ['sk-billing-000000'], onUsage: (event) => events.push(event) });
    const headers = { authorization: 'Bearer sk-billing-000000' };
    await postChat(
      gateway,
      { model: 'local-image', project_id: 'acme', messages: [{ role: 'user', content: 'generate a cat' }] },
      { headers },
    );
    await (
      await postChat(
        gateway,
        { model: 'local-image', stream: true, project_id: 'acme', messages: [{ role: 'user', content: 'generate a dog' }] },
        { headers },
      )
    ).text();
    expect(events).toHaveLength(2);
    for (const event of events) {
      expect(event).toMatchObject({
        projectId: 'acme',
        model: 'local-image',
        provider: 'local',
        providerModel: 'local-image',
        status: 200,
        images: 1,
        attempts: 1,
      });
      expect(event.keyId).toMatch(/^key_/);
      expect(event.totalTokens).toBeGreaterThan(0);
      expect(event.totalMs).toBeGreaterThanOrEqual(event.generationMs);
      expect(JSON.stringify(event)).not.toContain('sk-billing');
    }
    expect(events.map((event) => event.stream)).toEqual([false, true]);
    expect(gateway.stats().projects.acme).toMatchObject({ requests: 2, images: 2 });
  });
});
