import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import sharp from 'sharp';
import { type RecordedRequest, type ScenarioFake, sendJson, startRecordingServer, waitUnlessClosed } from './fake-recording-server.js';

export type { RecordedRequest } from './fake-recording-server.js';

/**
 * A fake Gemini API (`generateContent`, `streamGenerateContent?alt=sse`) on
 * 127.0.0.1 that answers in the real wire format with real PNG/JPEG images.
 * The scenario comes from a `[scenario:NAME]` keyword anywhere in the
 * request's text, else from the fake's default (`setScenario`).
 */
export type GeminiScenario =
  | 'happy'
  | 'thoughts'
  | 'all-thought'
  | 'prompt-block'
  | 'output-block'
  | 'no-image'
  | 'text-refusal'
  | 'bad-key'
  | 'missing-key'
  | 'rate-limit'
  | 'billing'
  | 'overload'
  | 'internal'
  | 'deadline'
  | 'mid-stream-error'
  | 'slow';

export interface GeminiFakeOptions {
  scenario?: GeminiScenario;
  /** The only key accepted (400 API_KEY_INVALID otherwise); any non-empty key when unset. */
  apiKey?: string;
  /** Delay before the first byte in the `slow` scenario, in ms. */
  slowMs?: number;
  /** Frame SSE events with CRLF as Google does (default), or LF. */
  crlf?: boolean;
}

export type GeminiFake = ScenarioFake<GeminiScenario>;

type Json = Record<string, any>;
const fixture = (name: string): Json => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const errorFixtures = fixture('gemini-errors.json');
const blockedFixtures = fixture('gemini-blocked-answers.json');

/** Observed output sizes of gemini-2.5-flash-image; 3.x at 1K is close, 2K/4K scale them. */
const sizesByRatio: Record<string, [number, number]> = {
  '1:1': [1024, 1024],
  '2:3': [832, 1248],
  '3:2': [1248, 832],
  '3:4': [864, 1184],
  '4:3': [1184, 864],
  '4:5': [896, 1152],
  '5:4': [1152, 896],
  '9:16': [768, 1344],
  '16:9': [1344, 768],
  '21:9': [1536, 672],
  '1:4': [512, 2048],
  '4:1': [2048, 512],
  '1:8': [384, 3072],
  '8:1': [3072, 384],
};
const tierScale: Record<string, number> = { '512': 0.5, '1K': 1, '2K': 2, '4K': 4 };
/** Final images are orange, thought drafts grey, so tests can tell them apart. */
const finalColour = { r: 230, g: 120, b: 40 };
const draftColour = { r: 128, g: 128, b: 128 };

const pick = (object: Json | undefined, camel: string, snake: string) => object?.[camel] ?? object?.[snake];
const isLegacy = (model: string) => /gemini-(1\.|2\.)/.test(model);

async function encode(width: number, height: number, colour: typeof finalColour, jpeg: boolean) {
  const image = sharp({ create: { width, height, channels: 3, background: colour } });
  const buffer = await (jpeg ? image.jpeg({ quality: 80 }) : image.png()).toBuffer();
  return { mimeType: jpeg ? 'image/jpeg' : 'image/png', data: buffer.toString('base64') };
}

function error(status: number, code: string, message: string) {
  return { status, body: { error: { code: status, message, status: code } } };
}

/** Checks what the real API checks (§1.2); returns an error answer or the output size. */
async function validate(model: string, body: Json) {
  const contents = body.contents;
  if (!Array.isArray(contents)) return error(400, 'INVALID_ARGUMENT', '* GenerateContentRequest.contents: contents is not specified');
  if (contents.some((content: Json) => !Array.isArray(content.parts) || content.parts.length === 0)) {
    return error(400, 'INVALID_ARGUMENT', 'Request has empty input.');
  }
  const config = pick(body, 'generationConfig', 'generation_config') ?? {};
  if ((pick(config, 'candidateCount', 'candidate_count') ?? 1) > 1) {
    return error(400, 'INVALID_ARGUMENT', 'Multiple candidates is not enabled for this model');
  }
  const imageConfig = pick(config, 'imageConfig', 'image_config') ?? {};
  const ratio: string | undefined = pick(imageConfig, 'aspectRatio', 'aspect_ratio');
  const tier: string | undefined = pick(imageConfig, 'imageSize', 'image_size');
  if (ratio && !sizesByRatio[ratio]) return error(400, 'INVALID_ARGUMENT', `Aspect ratio ${ratio} is not supported for this model`);
  if (tier && !isLegacy(model) && !tierScale[tier]) {
    return error(400, 'INVALID_ARGUMENT', `Unsupported image_size '${tier}'. Supported values are: 1K, 2K, 4K, 512`);
  }
  let [width, height] = sizesByRatio[ratio ?? ''] ?? (isLegacy(model) ? [1024, 1024] : [1408, 768]);
  const firstImage = contents.flatMap((content: Json) => content.parts).find((part: Json) => pick(part, 'inlineData', 'inline_data'));
  if (!ratio && firstImage) {
    // Edits keep roughly the input's shape.
    const input = await sharp(Buffer.from(pick(firstImage, 'inlineData', 'inline_data').data, 'base64')).metadata();
    const quotient = (input.width ?? 1) / (input.height ?? 1);
    const nearest = Object.entries(sizesByRatio).sort(
      ([, a], [, b]) => Math.abs(Math.log(a[0] / a[1] / quotient)) - Math.abs(Math.log(b[0] / b[1] / quotient)),
    )[0];
    if (nearest) [width, height] = nearest[1];
  }
  const scale = isLegacy(model) || /gemini-2\.5/.test(model) ? 1 : (tierScale[tier ?? '1K'] ?? 1);
  return { width: Math.round(width * scale), height: Math.round(height * scale), tier: tier ?? '1K' };
}

function usageFor(model: string, body: Json, tier: string, withImage: boolean): Json {
  const thinking = !isLegacy(model) && !/gemini-2\.5/.test(model);
  const parts = (body.contents as Json[]).flatMap((content) => content.parts);
  const words = JSON.stringify(parts.map((part) => part.text ?? '')).split(/\s+/).length;
  const promptTokenCount = words + parts.filter((part) => pick(part, 'inlineData', 'inline_data')).length * (thinking ? 560 : 258);
  const imageTokens = !withImage ? 0 : !thinking ? 1290 : tier === '4K' ? 2000 : 1120;
  const candidatesTokenCount = imageTokens + 10;
  const thoughtsTokenCount = thinking ? 180 : undefined;
  // Implicit caching: a prompt of 1024 tokens or more may be served partly from cache, in whole blocks.
  const cachedContentTokenCount = promptTokenCount >= 1024 ? promptTokenCount - (promptTokenCount % 1024) : undefined;
  return {
    promptTokenCount,
    candidatesTokenCount,
    totalTokenCount: promptTokenCount + candidatesTokenCount + (thoughtsTokenCount ?? 0),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokenCount }],
    candidatesTokensDetails: [{ modality: 'IMAGE', tokenCount: imageTokens }],
    ...(thoughtsTokenCount ? { thoughtsTokenCount } : {}),
    ...(cachedContentTokenCount ? { cachedContentTokenCount } : {}),
    serviceTier: 'standard',
  };
}

/** The answer as the list of chunks a stream would carry; non-stream answers merge them. */
async function chunksFor(scenario: GeminiScenario, model: string, body: Json, size: { width: number; height: number; tier: string }) {
  const jpeg = !isLegacy(model) && !/gemini-2\.5/.test(model);
  const usage = usageFor(model, body, size.tier, true);
  const chunk = (parts: Json[], finishReason?: string): Json => ({
    candidates: [{ content: { role: 'model', parts }, ...(finishReason ? { finishReason } : {}), index: 0 }],
    usageMetadata: usage,
    modelVersion: model,
    responseId: 'fake-response-id',
  });
  const image = async (colour: typeof finalColour, scale = 1) => ({
    inlineData: await encode(Math.round(size.width * scale), Math.round(size.height * scale), colour, jpeg),
    ...(jpeg ? { thoughtSignature: 'RmFrZVRob3VnaHRTaWduYXR1cmU=' } : {}),
  });
  const thoughtText = { text: '**Composing the scene**\n\nPlacing the subject and choosing the light.', thought: true };
  switch (scenario) {
    case 'thoughts':
      return [
        chunk([thoughtText]),
        chunk([{ ...(await image(draftColour, 0.5)), thought: true }]),
        chunk([{ text: 'Here is your image.' }]),
        chunk([await image(finalColour)]),
        chunk([{ text: '' }], 'STOP'),
      ];
    case 'all-thought':
      return [chunk([thoughtText]), chunk([{ ...(await image(finalColour)), thought: true }]), chunk([{ text: '' }], 'STOP')];
    case 'mid-stream-error':
      return [
        chunk([thoughtText]),
        { error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } },
      ];
    case 'prompt-block':
    case 'output-block':
    case 'no-image':
    case 'text-refusal':
      return [blockedFixtures[scenario] as Json];
    default:
      return [chunk([{ text: 'Here is your image: ' }]), chunk([await image(finalColour)]), chunk([{ text: '' }], 'STOP')];
  }
}

function merge(chunks: Json[]): Json {
  const last = chunks.at(-1) ?? {};
  if (!last.candidates) return last;
  const parts = chunks
    .flatMap((chunk) => chunk.candidates?.[0]?.content?.parts ?? [])
    .filter((part: Json) => part.text !== '' || part.inlineData);
  return { ...last, candidates: [{ ...last.candidates[0], content: { role: 'model', parts } }] };
}

/**
 * Starts the fake on 127.0.0.1, port 0.
 *
 * @example
 * const fake = await startGeminiFake({ scenario: 'thoughts' });
 * // point a provider at fake.url, then: fake.requests[0].body.generationConfig
 */
export async function startGeminiFake(options: GeminiFakeOptions = {}): Promise<GeminiFake> {
  let scenario: GeminiScenario = options.scenario ?? 'happy';

  async function handle(request: IncomingMessage, response: ServerResponse, record: RecordedRequest) {
    const send = (status: number, body: Json) => sendJson(response, status, body, { 'content-type': 'application/json; charset=UTF-8' });
    if (record.body === undefined) return send(400, error(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.').body);
    const url = new URL(request.url ?? '/', 'http://fake');
    const match = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(url.pathname);
    if (!match || request.method !== 'POST') return send(404, error(404, 'NOT_FOUND', `${url.pathname} not found`).body);
    const model = decodeURIComponent(match[1] ?? '');
    const stream = match[2] === 'streamGenerateContent' && url.searchParams.get('alt') === 'sse';
    const key = request.headers['x-goog-api-key'] ?? url.searchParams.get('key');
    const chosen = (/\[scenario:([a-z-]+)\]/.exec(JSON.stringify(record.body?.contents ?? ''))?.[1] as GeminiScenario) ?? scenario;
    const keyScenario = !key ? 'missing-key' : options.apiKey && key !== options.apiKey ? 'bad-key' : undefined;
    const failure = errorFixtures[keyScenario ?? chosen] ?? (chosen === 'mid-stream-error' && !stream ? errorFixtures.overload : undefined);
    if (failure) return send(failure.status, failure.body);
    const checked = await validate(model, record.body ?? {});
    if ('status' in checked) return send(checked.status, checked.body);
    if (chosen === 'slow' && !(await waitUnlessClosed(response, options.slowMs ?? 10_000))) return;
    const chunks = await chunksFor(chosen, model, record.body, checked);
    if (!stream) return send(200, merge(chunks));
    const separator = options.crlf === false ? '\n\n' : '\r\n\r\n';
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const chunk of chunks) response.write(`data: ${JSON.stringify(chunk)}${separator}`);
    response.end();
  }

  const server = await startRecordingServer(handle, (failure) => error(500, 'INTERNAL', failure.message).body);

  return {
    ...server,
    setScenario(next) {
      scenario = next;
    },
  };
}
