/**
 * A fake OpenAI-compatible relay on 127.0.0.1 speaking the real chat
 * completions wire format (reference §3): JSON answers, and SSE with LF
 * framing, `data: [DONE]` and the `include_usage` chunk with `choices: []`.
 * Images come back the ways relays send them: `message.images` /
 * `delta.images`, or markdown in the content (whole, split across deltas,
 * or as an https URL the fake serves). Only node:http and sharp.
 *
 * Pick per test (`startOpenAIChatFake({ scenario, imageMode })`) or per
 * request with prompt keywords: "draw [scenario:rate-limit] [images:markdown-split]".
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequestLog, sendJson, startLoopbackServer, waitUnlessClosed } from './fake-recording-server.js';
import { openAIErrorFixture } from './fixtures/openai-error-fixtures.js';
import { makeFakeImage, openAIServerError, recordRequest } from './openai-fake-http.js';

export type OpenAIChatScenario =
  | 'image' // text + one image (see imageMode)
  | 'text' // a plain text answer
  | 'reasoning' // reasoning_content, then text + image
  | 'tool-call' // a get_weather tool call, finish_reason tool_calls
  | 'content-filter' // finish_reason content_filter, no content
  | 'bad-key' // 401 invalid_api_key echoing part of the key
  | 'rate-limit' // 429 rate_limit_exceeded + retry-after: 3
  | 'quota' // 429 insufficient_quota
  | 'server-error' // 500
  | 'overload' // 503
  | 'openrouter-error' // 402 with a numeric code (OpenRouter style)
  | 'relay-error' // 500 with a "(request id: ...)" suffix (one-api/new-api style)
  | 'mid-stream-error' // stream: some content, then data: {"error":{...}}
  | 'truncated' // stream: some content, then the connection closes
  | 'slow'; // waits `delayMs`, stops when the client leaves

export type OpenAIChatImageMode = 'images' | 'markdown' | 'markdown-split' | 'markdown-url';

export interface OpenAIChatFakeOptions {
  scenario?: OpenAIChatScenario;
  imageMode?: OpenAIChatImageMode;
  /** Size and format of generated images (default 96×64 PNG). */
  image?: { width: number; height: number; format?: 'png' | 'jpeg' };
  /** Delay of the slow scenario (default 10 s). */
  delayMs?: number;
  /** Answer with these bytes instead of a drawn image (hostile answers: SVG, pixel bombs), labelled `mediaType`. */
  imageOverride?: { bytes: Buffer; mediaType: string };
}

export interface RecordedChatRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  json: Record<string, any>;
}

export interface OpenAIChatFake {
  /** Base URL without `/v1`, e.g. "http://127.0.0.1:41234". */
  url: string;
  requests: RecordedChatRequest[];
  /** Resolves with the `count`-th recorded request once it has arrived. */
  waitForRequests(count: number): Promise<RecordedChatRequest>;
  /** Requests whose client went away before the answer was sent. */
  abandoned: number;
  /** Images downloaded from the fake's /files/ URLs. */
  downloads: number;
  setScenario(scenario: OpenAIChatScenario, imageMode?: OpenAIChatImageMode): void;
  close(): Promise<void>;
}

const usage = {
  prompt_tokens: 12,
  completion_tokens: 1310,
  total_tokens: 1322,
  prompt_tokens_details: { cached_tokens: 0, text_tokens: 12 },
  completion_tokens_details: { reasoning_tokens: 20, image_tokens: 1290 },
};

export async function startOpenAIChatFake(options: OpenAIChatFakeOptions = {}): Promise<OpenAIChatFake> {
  const log = createRequestLog<RecordedChatRequest>();
  const files = new Map<string, Buffer>();
  let defaultScenario: OpenAIChatScenario = options.scenario ?? 'image';
  let defaultImageMode: OpenAIChatImageMode = options.imageMode ?? 'images';
  const imageSpec = { width: options.image?.width ?? 96, height: options.image?.height ?? 64, format: options.image?.format ?? 'png' };
  const fake: OpenAIChatFake = {
    url: '',
    requests: log.requests,
    waitForRequests: log.waitForRequests,
    abandoned: 0,
    downloads: 0,
    setScenario: (scenario, imageMode) => {
      defaultScenario = scenario;
      if (imageMode) defaultImageMode = imageMode;
    },
    close: () => server.close(),
  };

  async function handle(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const path = (incoming.url ?? '/').split('?')[0] ?? '/';
    if (incoming.method === 'GET' && path.startsWith('/files/')) {
      const file = files.get(path.slice('/files/'.length));
      if (!file)
        return sendJson(outgoing, 404, { error: { message: 'not found', type: 'invalid_request_error', param: null, code: null } });
      fake.downloads += 1;
      const contentType = options.imageOverride?.mediaType ?? `image/${imageSpec.format}`;
      outgoing.writeHead(200, { 'content-type': contentType, 'content-length': file.length }).end(file);
      return;
    }
    const recorded = (await recordRequest(incoming, path)) as RecordedChatRequest;
    log.add(recorded);
    if (path !== '/v1/chat/completions') {
      return sendJson(outgoing, 404, {
        error: { message: `Invalid URL (POST ${path})`, type: 'invalid_request_error', param: null, code: null },
      });
    }
    const body = recorded.json;
    const prompt = lastUserText(body.messages);
    const scenario = (/\[scenario:([a-z-]+)\]/.exec(prompt)?.[1] as OpenAIChatScenario | undefined) ?? defaultScenario;
    const imageMode = (/\[images:([a-z-]+)\]/.exec(prompt)?.[1] as OpenAIChatImageMode | undefined) ?? defaultImageMode;
    if (scenario === 'slow') {
      const finished = await waitUnlessClosed(outgoing, options.delayMs ?? 10_000);
      if (!finished) {
        fake.abandoned += 1;
        return;
      }
    }
    const failure = failureFor(scenario, recorded.headers.authorization ?? '');
    if (failure) return sendJson(outgoing, failure.status, failure.body, failure.headers);

    const answer = await buildAnswer(scenario, imageMode, String(body.model ?? 'unknown'));
    if (body.stream === true) return streamAnswer(outgoing, answer, body, scenario);
    const message: Record<string, unknown> = { role: 'assistant', content: answer.content };
    if (answer.reasoning) message.reasoning_content = answer.reasoning;
    if (answer.images.length > 0) message.images = answer.images.map((url, index) => ({ type: 'image_url', image_url: { url }, index }));
    if (answer.toolCalls) message.tool_calls = answer.toolCalls;
    sendJson(outgoing, 200, {
      id: answer.id,
      object: 'chat.completion',
      created: answer.created,
      model: answer.model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: answer.finishReason }],
      usage,
    });
  }

  interface Answer {
    id: string;
    created: number;
    model: string;
    reasoning?: string;
    content: string | null;
    /** How the content is cut into stream deltas. */
    contentPieces: string[];
    images: string[];
    toolCalls?: Array<Record<string, any>>;
    finishReason: string;
  }

  async function buildAnswer(scenario: OpenAIChatScenario, imageMode: OpenAIChatImageMode, model: string): Promise<Answer> {
    const base = {
      id: `chatcmpl-${randomUUID()}`,
      created: Math.floor(Date.now() / 1000),
      model,
      images: [] as string[],
      finishReason: 'stop',
    };
    if (scenario === 'text' || scenario === 'mid-stream-error' || scenario === 'truncated') {
      return { ...base, content: 'The capital of France is Paris.', contentPieces: ['The', ' capital', ' of France', ' is Paris.'] };
    }
    if (scenario === 'content-filter') return { ...base, content: '', contentPieces: [], finishReason: 'content_filter' };
    if (scenario === 'tool-call') {
      const toolCalls = [{ id: 'call_abc123', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }];
      return { ...base, content: null, contentPieces: [], toolCalls, finishReason: 'tool_calls' };
    }
    const bytes = options.imageOverride?.bytes ?? (await makeFakeImage(imageSpec.width, imageSpec.height, imageSpec.format, 3));
    const dataUrl = `data:${options.imageOverride?.mediaType ?? `image/${imageSpec.format}`};base64,${bytes.toString('base64')}`;
    const reasoning = scenario === 'reasoning' ? '**Planning the image**\n\nA cat on a windowsill.' : undefined;
    const intro = 'Here is your image: ';
    if (imageMode === 'images') return { ...base, reasoning, content: intro, contentPieces: [intro], images: [dataUrl] };
    if (imageMode === 'markdown-url') {
      const name = `${randomUUID()}.${imageSpec.format}`;
      files.set(name, bytes);
      const markdown = `![generated](${fake.url}/files/${name})`;
      return { ...base, reasoning, content: intro + markdown, contentPieces: [intro, markdown] };
    }
    const markdown = `![generated](${dataUrl})`;
    const content = `${intro}${markdown} Enjoy!`;
    if (imageMode === 'markdown') return { ...base, reasoning, content, contentPieces: [intro, markdown, ' Enjoy!'] };
    // markdown-split: cut at the awkward places ("!", "[", "](", inside the base64) and then in even pieces.
    const cuts = [intro.length + 1, intro.length + 2, intro.length + 12, intro.length + 14, intro.length + 40];
    const pieces: string[] = [];
    let start = 0;
    for (const cut of cuts) {
      pieces.push(content.slice(start, cut));
      start = cut;
    }
    for (; start < content.length; start += 997) pieces.push(content.slice(start, start + 997));
    return { ...base, reasoning, content, contentPieces: pieces };
  }

  function streamAnswer(outgoing: ServerResponse, answer: Answer, body: Record<string, any>, scenario: OpenAIChatScenario): void {
    outgoing.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => {
      const data = {
        id: answer.id,
        object: 'chat.completion.chunk',
        created: answer.created,
        model: answer.model,
        system_fingerprint: 'fp_fake',
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
        usage: null,
      };
      outgoing.write(`data: ${JSON.stringify(data)}\n\n`);
    };
    chunk({ role: 'assistant', content: '', refusal: null });
    if (answer.reasoning) for (const piece of answer.reasoning.split(/(?<=\n)/)) chunk({ reasoning_content: piece });
    for (const [index, piece] of answer.contentPieces.entries()) {
      chunk({ content: piece });
      if (index === 1 && scenario === 'mid-stream-error') {
        outgoing.write(
          `data: ${JSON.stringify({ error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: 'server_error' } })}\n\n`,
        );
        outgoing.end('data: [DONE]\n\n');
        return;
      }
      if (index === 1 && scenario === 'truncated') {
        outgoing.destroy();
        return;
      }
    }
    for (const [index, url] of answer.images.entries()) chunk({ images: [{ type: 'image_url', image_url: { url }, index }] });
    if (answer.toolCalls) {
      for (const [index, call] of answer.toolCalls.entries()) {
        chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] });
        const argumentsText: string = call.function.arguments;
        const middle = Math.floor(argumentsText.length / 2);
        chunk({ tool_calls: [{ index, function: { arguments: argumentsText.slice(0, middle) } }] });
        chunk({ tool_calls: [{ index, function: { arguments: argumentsText.slice(middle) } }] });
      }
    }
    chunk({}, answer.finishReason);
    if (body.stream_options?.include_usage === true) {
      outgoing.write(
        `data: ${JSON.stringify({ id: answer.id, object: 'chat.completion.chunk', created: answer.created, model: answer.model, choices: [], usage })}\n\n`,
      );
    }
    outgoing.end('data: [DONE]\n\n');
  }

  const server = await startLoopbackServer(handle, openAIServerError);
  fake.url = server.url;
  return fake;
}

interface Failure {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const failureFixtures: Partial<Record<OpenAIChatScenario, string>> = {
  'bad-key': 'invalid_api_key',
  'rate-limit': 'rate_limit_exceeded',
  quota: 'insufficient_quota',
  'server-error': 'server_error',
  overload: 'overloaded',
  'openrouter-error': 'openrouter_insufficient_credits',
  'relay-error': 'new_api_request_failed',
};

function failureFor(scenario: OpenAIChatScenario, authorization: string): Failure | undefined {
  const name = failureFixtures[scenario];
  if (!name) return undefined;
  const fixture = openAIErrorFixture(name, authorization);
  return { status: fixture.status, body: fixture.body, headers: scenario === 'rate-limit' ? { 'retry-after': '3' } : {} };
}

function lastUserText(messages: unknown): string {
  if (!Array.isArray(messages)) return '';
  const last = [...messages].reverse().find((message) => message?.role === 'user');
  if (typeof last?.content === 'string') return last.content;
  if (Array.isArray(last?.content)) return last.content.map((part: { text?: string }) => part.text ?? '').join(' ');
  return '';
}
