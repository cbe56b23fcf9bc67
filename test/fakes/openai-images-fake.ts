/**
 * A fake OpenAI Images API on 127.0.0.1 speaking the real wire format
 * (reference §2): `POST /v1/images/generations` (JSON), `POST /v1/images/edits`
 * (multipart, `image` or `image[]`), SSE streaming with `event:` + `data:`,
 * the OpenAI error envelope and retry headers. Only node:http and sharp, so
 * bench/ and examples/ can reuse it.
 *
 * Pick a scenario per test (`startOpenAIImagesFake({ scenario })`) or per
 * request with a prompt keyword: "a cat [scenario:rate-limit]".
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequestLog, sendJson, startLoopbackServer, waitUnlessClosed } from './fake-recording-server.js';
import { openAIErrorFixture } from './fixtures/openai-error-fixtures.js';
import { makeFakeImage, type OpenAIRecordedRequest, openAIServerError, recordRequest } from './openai-fake-http.js';

export { makeFakeImage, type OpenAIRecordedRequest, type RecordedFile } from './openai-fake-http.js';

export type OpenAIImagesScenario =
  | 'happy'
  | 'moderation' // 400 moderation_blocked (GPT image)
  | 'content-policy' // 400 content_policy_violation (dall-e)
  | 'bad-key' // 401 invalid_api_key, echoing part of the key like OpenAI does
  | 'rate-limit' // 429 rate_limit_exceeded + retry-after (seconds)
  | 'rate-limit-ms' // 429 rate_limit_exceeded + retry-after-ms
  | 'quota' // 429 insufficient_quota
  | 'server-error' // 500 server_error
  | 'overload' // 503
  | 'no-retry' // 500 with x-should-retry: false
  | 'mid-stream-error' // stream: a partial image, then an error event
  | 'empty' // 200 with data: []
  | 'slow'; // waits `delayMs` before answering, stops when the client leaves

export interface OpenAIImagesFakeOptions {
  scenario?: OpenAIImagesScenario;
  /** Delay of the slow scenario (default 10 s). */
  delayMs?: number;
  /** End streams with `data: [DONE]` as some relays do (default false, like OpenAI). */
  streamDone?: boolean;
}

export interface OpenAIImagesFake {
  /** Base URL without `/v1`, e.g. "http://127.0.0.1:41234". */
  url: string;
  requests: OpenAIRecordedRequest[];
  /** Resolves with the `count`-th recorded request once it has arrived. */
  waitForRequests(count: number): Promise<OpenAIRecordedRequest>;
  /** Requests whose client went away before the answer was sent. */
  abandoned: number;
  setScenario(scenario: OpenAIImagesScenario): void;
  close(): Promise<void>;
}

export async function startOpenAIImagesFake(options: OpenAIImagesFakeOptions = {}): Promise<OpenAIImagesFake> {
  const log = createRequestLog<OpenAIRecordedRequest>();
  const files = new Map<string, Buffer>();
  let defaultScenario: OpenAIImagesScenario = options.scenario ?? 'happy';
  const fake: OpenAIImagesFake = {
    url: '',
    requests: log.requests,
    waitForRequests: log.waitForRequests,
    abandoned: 0,
    setScenario: (scenario) => {
      defaultScenario = scenario;
    },
    close: () => server.close(),
  };

  async function handle(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const path = (incoming.url ?? '/').split('?')[0] ?? '/';
    if (incoming.method === 'GET' && path.startsWith('/files/')) {
      const file = files.get(path.slice('/files/'.length));
      if (!file) return sendError(outgoing, 404, { message: 'not found', type: 'invalid_request_error', param: null, code: null });
      outgoing.writeHead(200, { 'content-type': 'image/png', 'content-length': file.length }).end(file);
      return;
    }
    const recorded = await recordRequest(incoming, path);
    log.add(recorded);
    if (path !== '/v1/images/generations' && path !== '/v1/images/edits') {
      return sendError(outgoing, 404, { message: `Invalid URL (POST ${path})`, type: 'invalid_request_error', param: null, code: null });
    }
    const body = recorded.json ?? recorded.fields ?? {};
    const prompt = String(body.prompt ?? '');
    const scenario = (/\[scenario:([a-z-]+)\]/.exec(prompt)?.[1] as OpenAIImagesScenario | undefined) ?? defaultScenario;
    const model = String(body.model ?? 'dall-e-2');
    const dalle = model.startsWith('dall-e');
    const authorization = recorded.headers.authorization ?? '';

    if (scenario === 'slow') {
      const finished = await waitUnlessClosed(outgoing, options.delayMs ?? 10_000);
      if (!finished) {
        fake.abandoned += 1;
        return;
      }
    }
    const failure = failureFor(scenario, authorization, dalle);
    if (failure) return sendError(outgoing, failure.status, failure.error, failure.headers);
    if (!dalle && body.response_format !== undefined) {
      return sendError(outgoing, 400, {
        message: "Unknown parameter: 'response_format'.",
        type: 'invalid_request_error',
        param: 'response_format',
        code: 'unknown_parameter',
      });
    }
    const count = Number(body.n ?? 1);
    if (model.startsWith('dall-e-3') && count !== 1) {
      return sendError(outgoing, 400, {
        message: 'You must provide n=1 for this model.',
        type: 'invalid_request_error',
        param: 'n',
        code: null,
      });
    }
    const [width, height] = parseSize(body.size);
    const format = (['jpeg', 'webp'].includes(String(body.output_format)) ? body.output_format : 'png') as 'png' | 'jpeg' | 'webp';
    const event = path.endsWith('edits') ? 'image_edit' : 'image_generation';
    const streaming = !dalle && (body.stream === true || body.stream === 'true');
    if (streaming) {
      return stream(outgoing, {
        event,
        count,
        width,
        height,
        format,
        partials: Number(body.partial_images ?? 0),
        midStreamError: scenario === 'mid-stream-error',
      });
    }
    if (scenario === 'empty') return sendJson(outgoing, 200, { created: now(), data: [] });
    const data: Array<Record<string, string>> = [];
    for (let index = 0; index < count; index += 1) {
      const image = await makeFakeImage(width, height, format, index + 1);
      if (dalle && body.response_format !== 'b64_json') {
        const name = `${randomUUID()}.png`;
        files.set(name, image);
        data.push({
          url: `${fake.url}/files/${name}`,
          ...(model.startsWith('dall-e-3') ? { revised_prompt: `A detailed rendering of ${prompt}` } : {}),
        });
      } else {
        data.push({
          b64_json: image.toString('base64'),
          ...(model.startsWith('dall-e-3') ? { revised_prompt: `A detailed rendering of ${prompt}` } : {}),
        });
      }
    }
    if (dalle) return sendJson(outgoing, 200, { created: now(), data });
    return sendJson(outgoing, 200, {
      created: now(),
      background: 'opaque',
      output_format: format,
      quality: String(body.quality ?? 'high'),
      size: `${width}x${height}`,
      data,
      usage: usage(count),
    });
  }

  interface StreamPlan {
    event: string;
    count: number;
    width: number;
    height: number;
    format: 'png' | 'jpeg' | 'webp';
    partials: number;
    midStreamError: boolean;
  }

  async function stream(outgoing: ServerResponse, plan: StreamPlan): Promise<void> {
    outgoing.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-request-id': `req_${randomUUID()}`,
    });
    const shared = { size: `${plan.width}x${plan.height}`, quality: 'high', background: 'opaque', output_format: plan.format };
    for (let image = 0; image < plan.count; image += 1) {
      for (let partial = 0; partial < plan.partials; partial += 1) {
        const bytes = await makeFakeImage(plan.width, plan.height, plan.format, 10 + partial);
        writeEvent(outgoing, `${plan.event}.partial_image`, {
          type: `${plan.event}.partial_image`,
          b64_json: bytes.toString('base64'),
          partial_image_index: partial,
          created_at: now(),
          ...shared,
        });
        if (plan.midStreamError) {
          writeEvent(outgoing, 'error', {
            type: 'error',
            error: {
              message: 'The server had an error while processing your request.',
              type: 'server_error',
              param: null,
              code: 'server_error',
            },
          });
          outgoing.end();
          return;
        }
      }
      const bytes = await makeFakeImage(plan.width, plan.height, plan.format, image + 1);
      writeEvent(outgoing, `${plan.event}.completed`, {
        type: `${plan.event}.completed`,
        b64_json: bytes.toString('base64'),
        created_at: now(),
        ...shared,
        usage: { input_tokens: 50, input_tokens_details: { image_tokens: 0, text_tokens: 50 }, output_tokens: 4160, total_tokens: 4210 },
      });
    }
    if (options.streamDone) outgoing.write('data: [DONE]\n\n');
    outgoing.end();
  }

  const server = await startLoopbackServer(handle, openAIServerError);
  fake.url = server.url;
  return fake;
}

interface Failure {
  status: number;
  error: Record<string, unknown>;
  headers?: Record<string, string>;
}

const failureFixtures: Partial<Record<OpenAIImagesScenario, string>> = {
  moderation: 'moderation_blocked',
  'content-policy': 'content_policy_violation',
  'bad-key': 'invalid_api_key',
  'rate-limit': 'rate_limit_exceeded',
  'rate-limit-ms': 'rate_limit_exceeded',
  quota: 'insufficient_quota',
  'server-error': 'server_error',
  'no-retry': 'server_error',
  overload: 'overloaded',
};

const failureHeaders: Partial<Record<OpenAIImagesScenario, Record<string, string>>> = {
  'rate-limit': { 'retry-after': '7' },
  'rate-limit-ms': { 'retry-after-ms': '1500' },
  'no-retry': { 'x-should-retry': 'false' },
};

function failureFor(scenario: OpenAIImagesScenario, authorization: string, dalle: boolean): Failure | undefined {
  // dall-e models refuse prompts with their own code.
  const name = scenario === 'moderation' && dalle ? 'content_policy_violation' : failureFixtures[scenario];
  if (!name) return undefined;
  const fixture = openAIErrorFixture(name, authorization);
  return { status: fixture.status, error: fixture.body.error, headers: failureHeaders[scenario] ?? {} };
}

function parseSize(size: unknown): [number, number] {
  const match = /^(\d+)x(\d+)$/.exec(String(size ?? ''));
  return match ? [Number(match[1]), Number(match[2])] : [1024, 1024];
}

function usage(count: number): Record<string, unknown> {
  return {
    input_tokens: 50,
    input_tokens_details: { text_tokens: 10, image_tokens: 40 },
    output_tokens: 4160 * count,
    output_tokens_details: { image_tokens: 4160 * count, text_tokens: 0 },
    total_tokens: 50 + 4160 * count,
  };
}

function writeEvent(outgoing: ServerResponse, event: string, data: unknown): void {
  outgoing.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function sendError(outgoing: ServerResponse, status: number, error: Record<string, unknown>, headers: Record<string, string> = {}): void {
  sendJson(outgoing, status, { error }, { 'x-request-id': `req_${randomUUID()}`, ...headers });
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}
