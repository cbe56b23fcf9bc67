import { afterAll, describe, expect, it } from 'vitest';
import { createImageGateway } from '../../../src/index.js';
import { decodeMarkdownImage, pngDataUrl, postChat } from '../../helpers/gateway-client.js';

const gateway = createImageGateway({ maxBodyBytes: 4096 });
/** For the requests that carry an input image, bigger than `gateway` takes. */
const roomy = createImageGateway();
afterAll(() => Promise.all([gateway.close(), roomy.close()]));

const user = [{ role: 'user', content: 'generate a cat' }];

describe('request validation', () => {
  const cases: Array<{ name: string; body: unknown; param: string; code: string; message: RegExp }> = [
    {
      name: 'missing messages',
      body: { model: 'local-image' },
      param: 'messages',
      code: 'missing_required_parameter',
      message: /Missing required parameter: 'messages'/,
    },
    {
      name: 'empty messages',
      body: { model: 'local-image', messages: [] },
      param: 'messages',
      code: 'invalid_value',
      message: /at least one message/,
    },
    {
      name: 'an earlier answer image that is not {image_url:{url}}',
      body: { messages: [{ role: 'assistant', content: '', images: [{ image_url: 'x' }] }, ...user] },
      param: 'messages[0].images[0].image_url',
      code: 'invalid_value',
      message: /must be an object \{url\}.*got "x"/,
    },
    {
      name: 'a user message without content (as OpenAI answers it)',
      body: { model: 'local-image', messages: [{ role: 'user' }] },
      param: 'messages[0].content',
      code: 'missing_required_parameter',
      message: /^Missing required parameter: 'messages\[0\]\.content'\.$/,
    },
    {
      name: 'a user message whose content is an empty array (as OpenAI answers it)',
      body: {
        model: 'local-image',
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: [] },
        ],
      },
      param: 'messages[1].content',
      code: 'empty_array',
      message:
        /^Invalid 'messages\[1\]\.content': empty array\. Expected an array with minimum length 1, but got an empty array instead\.$/,
    },
    {
      name: 'unknown role',
      body: { messages: [{ role: 'robot', content: 'hi' }] },
      param: 'messages[0].role',
      code: 'invalid_value',
      message: /"system", "user", "assistant", "tool"/,
    },
    {
      name: 'content of the wrong type',
      body: { messages: [{ role: 'user', content: 42 }] },
      param: 'messages[0].content',
      code: 'invalid_value',
      message: /string or an array of content parts/,
    },
    {
      name: 'unsupported content part',
      body: { messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] },
      param: 'messages[0].content[0].type',
      code: 'invalid_value',
      message: /supported types are "text" and "image_url"/,
    },
    {
      name: 'image_url whose url is not a string',
      body: {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'edit' },
              { type: 'image_url', image_url: { url: 5 } },
            ],
          },
        ],
      },
      param: 'messages[0].content[1].image_url.url',
      code: 'invalid_value',
      message: /data: or https: URL/,
    },
    {
      name: 'temperature out of range',
      body: { messages: user, temperature: 3 },
      param: 'temperature',
      code: 'invalid_value',
      message: /between 0 and 2/,
    },
    { name: 'stream not a boolean', body: { messages: user, stream: 'yes' }, param: 'stream', code: 'invalid_value', message: /boolean/ },
    { name: 'n not an integer', body: { messages: user, n: 1.5 }, param: 'n', code: 'invalid_value', message: /integer from 1 to 10/ },
    {
      name: 'max_tokens negative',
      body: { messages: user, max_tokens: -1 },
      param: 'max_tokens',
      code: 'invalid_value',
      message: /positive integer/,
    },
    { name: 'size malformed', body: { messages: user, size: 'big' }, param: 'size', code: 'invalid_value', message: /WIDTHxHEIGHT/ },
    {
      name: 'aspect_ratio malformed',
      body: { messages: user, aspect_ratio: 'wide' },
      param: 'aspect_ratio',
      code: 'invalid_value',
      message: /W:H/,
    },
    {
      name: 'size with sides of zero',
      body: { messages: user, size: '00x00' },
      param: 'size',
      code: 'invalid_value',
      message: /"WIDTHxHEIGHT" with each side from 16 to 4096 pixels .*; got "00x00"/,
    },
    {
      name: 'size with sides over 4096',
      body: { messages: user, size: '99999x99999' },
      param: 'size',
      code: 'invalid_value',
      message: /each side from 16 to 4096 pixels .*got "99999x99999"/,
    },
    {
      name: 'size with one side under 16',
      body: { messages: user, size: '1024x15' },
      param: 'size',
      code: 'invalid_value',
      message: /from 16 to 4096 .*got "1024x15"/,
    },
    {
      name: 'aspect_ratio 0:0',
      body: { messages: user, aspect_ratio: '0:0' },
      param: 'aspect_ratio',
      code: 'invalid_value',
      message: /"W:H" with W and H positive integers .*got "0:0"/,
    },
    {
      name: 'aspect_ratio with a zero height',
      body: { messages: user, aspect_ratio: '1:0' },
      param: 'aspect_ratio',
      code: 'invalid_value',
      message: /"W:H" with W and H positive integers .*got "1:0"/,
    },
    {
      name: 'aspect_ratio wider than 16:1',
      body: { messages: user, aspect_ratio: '17:1' },
      param: 'aspect_ratio',
      code: 'invalid_value',
      message: /neither more than 16 times the other .*got "17:1"/,
    },
    {
      name: 'image_config.aspect_ratio with a zero width',
      body: { messages: user, image_config: { aspect_ratio: '0:5' } },
      param: 'image_config.aspect_ratio',
      code: 'invalid_value',
      message: /"W:H" with W and H positive integers .*got "0:5"/,
    },
    {
      name: 'image_url.detail unknown',
      body: {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'edit' },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'ultra' } },
            ],
          },
        ],
      },
      param: 'messages[0].content[1].image_url.detail',
      code: 'invalid_value',
      message: /'messages\[0\]\.content\[1\]\.image_url\.detail': must be one of "auto", "low", "high"; got "ultra"/,
    },
    {
      name: 'image_url null',
      body: {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'edit' },
              { type: 'image_url', image_url: null },
            ],
          },
        ],
      },
      param: 'messages[0].content[1].image_url',
      code: 'invalid_value',
      message: /'messages\[0\]\.content\[1\]\.image_url': must be an object \{url, detail\?\} .*or a URL string; got null/,
    },
    {
      name: 'image_config.image_size unknown',
      body: { messages: user, image_config: { image_size: '8K' } },
      param: 'image_config.image_size',
      code: 'invalid_value',
      message: /"1K", "2K", "4K"/,
    },
    {
      name: 'response_format type unknown',
      body: { messages: user, response_format: { type: 'xml' } },
      param: 'response_format.type',
      code: 'invalid_value',
      message: /json_object/,
    },
    {
      name: 'tool_choice unknown',
      body: { messages: user, tool_choice: 'maybe' },
      param: 'tool_choice',
      code: 'invalid_value',
      message: /"none", "auto", "required"/,
    },
    {
      name: 'modalities unknown',
      body: { messages: user, modalities: ['audio'] },
      param: 'modalities[0]',
      code: 'invalid_value',
      message: /"text" and "image"/,
    },
  ];

  for (const testCase of cases) {
    it(`rejects ${testCase.name} with a 400 naming ${testCase.param}`, async () => {
      const response = await postChat(gateway, testCase.body);
      expect(response.status).toBe(400);
      const { error } = await response.json();
      expect(error.type).toBe('invalid_request_error');
      expect(error.param).toBe(testCase.param);
      expect(error.code).toBe(testCase.code);
      expect(error.message).toMatch(testCase.message);
    });
  }

  it('tolerates unknown fields', async () => {
    const response = await postChat(gateway, {
      model: 'local-image',
      messages: [{ role: 'user', content: 'hello' }],
      frequency_penalty: 0.5,
      custom: { a: 1 },
    });
    expect(response.status).toBe(200);
  });

  it('reads "stream": null as OpenAI\'s SDKs type it: no stream', async () => {
    const response = await postChat(gateway, { model: 'local-image', stream: null, messages: [{ role: 'user', content: 'hello' }] });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect((await response.json()).object).toBe('chat.completion');
    const wrong = await postChat(gateway, { model: 'local-image', stream: 'yes', messages: [{ role: 'user', content: 'hello' }] });
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).error.param).toBe('stream');
  });

  it('still answers 200 to sizes, aspect ratios and detail values within the bounds', async () => {
    const image = await pngDataUrl(32, 32);
    const bodies: unknown[] = [
      ...['1024x1024', 'auto', '16x16', '4096x16', '16x4096', '1536x1024'].map((size) => ({ model: 'local-image', messages: user, size })),
      ...['16:9', '21:9', '9:16', '1:1', '16:1', '1:16', '99:98'].map((ratio) => ({
        model: 'local-image',
        messages: user,
        aspect_ratio: ratio,
      })),
      { model: 'local-image', messages: user, image_config: { aspect_ratio: '4:3', image_size: '1K' } },
      ...['auto', 'low', 'high'].map((detail) => ({
        model: 'local-image',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'make it brighter' },
              { type: 'image_url', image_url: { url: image, detail } },
            ],
          },
        ],
      })),
      {
        model: 'local-image',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'make it brighter' },
              { type: 'image_url', image_url: image },
            ],
          },
        ],
      },
    ];
    for (const body of bodies) {
      const response = await postChat(roomy, body);
      expect([response.status, JSON.stringify(body).slice(0, 120)]).toEqual([200, JSON.stringify(body).slice(0, 120)]);
      await response.arrayBuffer();
    }
  });

  it('draws the size asked at the bounds, and a 16:1 ratio', async () => {
    const sizeOf = async (body: Record<string, unknown>) => {
      const response = await postChat(roomy, { model: 'local-image', messages: user, ...body });
      const { width, height } = await decodeMarkdownImage((await response.json()).choices[0].message.content);
      return `${width}x${height}`;
    };
    expect(await sizeOf({ size: '16x4096' })).toBe('16x4096');
    expect(await sizeOf({ size: '4096x16' })).toBe('4096x16');
    expect(await sizeOf({ aspect_ratio: '16:1' })).toBe('1024x64');
  });

  it('rejects malformed JSON with 400 invalid_json', async () => {
    const response = await postChat(gateway, '{"messages": [');
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json' });
  });

  it('rejects a body that is not an object', async () => {
    const response = await postChat(gateway, '[1,2]');
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe('invalid_request_body');
  });

  it('rejects a non-JSON content type with 415', async () => {
    const response = await postChat(gateway, 'model=local-image', { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(response.status).toBe(415);
    const { error } = await response.json();
    expect(error).toMatchObject({ type: 'invalid_request_error', code: 'unsupported_media_type' });
    expect(error.message).toContain('application/json');
  });

  it('rejects a body over maxBodyBytes with 413 naming the limit', async () => {
    const response = await postChat(gateway, { messages: [{ role: 'user', content: 'x'.repeat(5000) }] });
    expect(response.status).toBe(413);
    const { error } = await response.json();
    expect(error.code).toBe('request_too_large');
    expect(error.message).toContain('4096');
    expect(error.message).toContain('maxBodyBytes');
  });

  it('answers an unknown model with the seed MODEL_NOT_FOUND body, byte for byte', async () => {
    const response = await postChat(gateway, { model: 'invalid-model', messages: user });
    expect(response.status).toBe(400);
    expect(await response.text()).toBe(
      '{"error":{"message":"No Worker supports model: invalid-model","type":"invalid_request_error","code":"MODEL_NOT_FOUND"}}',
    );
  });

  it('refuses a model name over 256 characters before echoing it anywhere', async () => {
    const response = await postChat(gateway, { model: `m${'x'.repeat(256)}`, messages: user });
    expect(response.status).toBe(400);
    const { error } = await response.json();
    expect(error).toMatchObject({ param: 'model', code: 'invalid_value' });
    expect(error.message).toContain('at most 256 characters');
    expect(error.message.length).toBeLessThan(200);
  });

  it('reads a ratio suffix in the model name only when aspect_ratio would take it', async () => {
    const sized = await postChat(gateway, { model: 'local-image-16x9', messages: user });
    expect(sized.status).toBe(200);
    const image = await decodeMarkdownImage((await sized.json()).choices[0].message.content);
    expect((image.width ?? 0) / (image.height ?? 1)).toBeCloseTo(16 / 9, 1);
    const nonsense = await postChat(gateway, { model: 'local-image-0x5', messages: user });
    expect(nonsense.status).toBe(400);
    expect((await nonsense.json()).error).toMatchObject({ code: 'MODEL_NOT_FOUND', message: 'No Worker supports model: local-image-0x5' });
  });

  it('names the missing capability when a known model cannot serve the request', async () => {
    const response = await postChat(gateway, {
      model: 'local-image',
      messages: user,
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
    });
    expect(response.status).toBe(400);
    const { error } = await response.json();
    expect(error).toMatchObject({ code: 'MODEL_CAPABILITY_MISSING', param: 'tools' });
    expect(error.message).toContain('tool calling');
  });

  it('answers unknown paths with a 404 and wrong methods with a 405, in OpenAI error form', async () => {
    const notFound = await gateway.fetch(new Request('http://gateway.test/v1/images/nothing'));
    expect(notFound.status).toBe(404);
    expect((await notFound.json()).error).toMatchObject({ type: 'not_found_error', code: 'NOT_FOUND' });
    const longPath = await gateway.fetch(new Request(`http://gateway.test/${'a'.repeat(7000)}`));
    expect((await longPath.json()).error.message).toBe(`No route for GET /${'a'.repeat(199)}….`);
    const wrongMethod = await gateway.fetch(new Request('http://gateway.test/v1/chat/completions'));
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });
});

describe('options', () => {
  it('throws a TypeError naming the bad option', () => {
    expect(() => createImageGateway({ heartbeatIntervalMs: -5 })).toThrow(/options\.heartbeatIntervalMs/);
    expect(() => createImageGateway({ queue: { maxWaitMs: 'soon' as unknown as number } })).toThrow(/options\.queue\.maxWaitMs/);
    expect(() => createImageGateway({ providers: [{ type: 'local' }, { type: 'local' }] })).toThrow(/options\.providers\[1\]\.name/);
    expect(() => createImageGateway({ unknownOption: true } as never)).toThrow(/unknownOption/);
  });
});

describe('authentication', () => {
  const secured = createImageGateway({ apiKeys: ['sk-test-0123456789'] });
  afterAll(() => secured.close());

  it('rejects a missing or wrong key with 401 UNAUTHORIZED', async () => {
    for (const headers of [{}, { authorization: 'Bearer sk-wrong-key-000000' }] as Record<string, string>[]) {
      const response = await postChat(secured, { model: 'local-image', messages: user }, { headers });
      expect(response.status).toBe(401);
      const { error } = await response.json();
      expect(error).toMatchObject({ type: 'authentication_error', code: 'UNAUTHORIZED' });
      expect(JSON.stringify(error)).not.toContain('sk-test');
    }
  });

  it('accepts the configured key and counts usage under a key id, never the key', async () => {
    const response = await postChat(
      secured,
      { model: 'local-image', messages: [{ role: 'user', content: 'hello' }] },
      { headers: { authorization: 'Bearer sk-test-0123456789' } },
    );
    expect(response.status).toBe(200);
    const keys = Object.keys(secured.stats().keys);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^key_[0-9a-f]{12}$/);
  });

  it('takes the key alone as well as a Bearer key (seed 004 sends it bare), and names the forms when neither is sent', async () => {
    const ask = (authorization: string) =>
      postChat(secured, { model: 'local-image', messages: [{ role: 'user', content: 'hello' }] }, { headers: { authorization } });
    expect((await ask('sk-test-0123456789')).status).toBe(200);
    expect((await ask('  bearer   sk-test-0123456789 ')).status).toBe(200);
    expect((await ask('sk-wrong-key-000000')).status).toBe(401);
    const missing = await (await ask('')).json();
    expect(missing.error.message).toBe('Missing API key: send "Authorization: Bearer <key>".');
    for (const malformed of ['Basic c2stdGVzdA==', 'Bearer', 'sk-test 0123456789']) {
      const response = await ask(malformed);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      const { error } = await response.json();
      expect(error).toEqual({
        message: 'Malformed Authorization header: send "Authorization: Bearer <key>" (or the key alone).',
        type: 'authentication_error',
        code: 'UNAUTHORIZED',
      });
    }
  });

  it('lets a host authenticate() hook decide', async () => {
    const hooked = createImageGateway({ authenticate: (request) => request.headers.get('x-user') === 'alice' });
    try {
      expect((await postChat(hooked, { messages: [{ role: 'user', content: 'hi' }] })).status).toBe(401);
      expect((await postChat(hooked, { messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-user': 'alice' } })).status).toBe(
        200,
      );
    } finally {
      await hooked.close();
    }
  });
});

describe('messages without content, through the official openai SDK', () => {
  it('are a BadRequestError whose param names the message, as OpenAI answers', async () => {
    const { default: OpenAI } = await import('openai');
    const client = new OpenAI({
      apiKey: 'unused-by-open-access',
      baseURL: 'http://gateway.test/v1',
      maxRetries: 0,
      fetch: (input: string | URL | Request, init?: RequestInit) => gateway.fetch(new Request(input, init)),
    });
    const refused = async (messages: unknown) => {
      try {
        await client.chat.completions.create({ model: 'local-image', messages } as never);
      } catch (error) {
        return error as { status: number; param: string; code: string };
      }
      throw new Error('answered 200');
    };
    expect(await refused([{ role: 'user' }])).toMatchObject({
      status: 400,
      param: 'messages[0].content',
      code: 'missing_required_parameter',
    });
    expect(await refused([{ role: 'user', content: [] }])).toMatchObject({
      status: 400,
      param: 'messages[0].content',
      code: 'empty_array',
    });
  });
});
