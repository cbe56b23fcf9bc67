import type { IncomingMessage, ServerResponse } from 'node:http';
import sharp from 'sharp';
import { type RecordedRequest, type ScenarioFake, sendJson, startRecordingServer, waitUnlessClosed } from './fake-recording-server.js';

/**
 * A fake Black Forest Labs API on 127.0.0.1: submit `POST /v1/{model}` →
 * poll the returned `polling_url` (a "regional" path, so clients must use it)
 * → download `result.sample`, a real JPEG/PNG served by the fake itself.
 * The scenario comes from a `[scenario:NAME]` keyword in the prompt, else
 * from the fake's default (`setScenario`).
 */
export type FluxScenario =
  | 'happy'
  | 'reasoning'
  | 'request-moderated'
  | 'content-moderated'
  | 'error'
  | 'task-not-found'
  | 'bad-key'
  | 'credits'
  | 'validation'
  | 'rate-limit'
  | 'server-error'
  | 'overload'
  | 'poll-hiccup'
  | 'octet-stream'
  | 'slow';

export type FluxRecordedRequest = RecordedRequest;

export interface FluxFakeOptions {
  scenario?: FluxScenario;
  /** The only key accepted (403 otherwise); any non-empty key when unset. */
  apiKey?: string;
  /** Polls answered `Pending` before the terminal status. */
  pendingPolls?: number;
  /** Delay before each poll answer, in ms. */
  pollDelayMs?: number;
}

export type FluxFake = ScenarioFake<FluxScenario>;

interface Task {
  id: string;
  model: string;
  body: any;
  scenario: FluxScenario;
  polls: number;
}

const stepOf = (model: string) => (model.startsWith('flux-2') ? 16 : 32);
const usesAspectRatio = (model: string) => model.includes('kontext') || model.includes('ultra');

/** Validation the real API does (422 `detail` items), or undefined when the body is fine. */
function validate(model: string, body: any): { loc: string[]; msg: string; type: string }[] | undefined {
  const problems: { loc: string[]; msg: string; type: string }[] = [];
  if (typeof body?.prompt !== 'string') problems.push({ loc: ['body', 'prompt'], msg: 'Field required', type: 'missing' });
  for (const field of ['width', 'height']) {
    const value = body?.[field];
    if (value !== undefined && (!Number.isInteger(value) || value % stepOf(model) !== 0 || value < 64)) {
      problems.push({ loc: ['body', field], msg: `Input should be a multiple of ${stepOf(model)}`, type: 'multiple_of' });
    }
  }
  const ratio = typeof body?.aspect_ratio === 'string' ? /^(\d+):(\d+)$/.exec(body.aspect_ratio) : null;
  if (
    body?.aspect_ratio !== undefined &&
    (!ratio || Number(ratio[1]) / Number(ratio[2]) > 21 / 9 + 1e-9 || Number(ratio[1]) / Number(ratio[2]) < 9 / 21 - 1e-9)
  ) {
    problems.push({ loc: ['body', 'aspect_ratio'], msg: 'Aspect ratio must be between 21:9 and 9:21', type: 'value_error' });
  }
  return problems.length > 0 ? problems : undefined;
}

/** Output size: width/height as asked, ~1 MP at the asked ratio, the input's size (Kontext edit), or the model default. */
async function outputSize(task: Task): Promise<{ width: number; height: number }> {
  const { body, model } = task;
  if (body.width && body.height) return { width: body.width, height: body.height };
  const ratio = /^(\d+):(\d+)$/.exec(body.aspect_ratio ?? '');
  if (ratio) {
    const quotient = Number(ratio[1]) / Number(ratio[2]);
    const width = Math.round(Math.sqrt(1024 * 1024 * quotient) / 32) * 32;
    return { width, height: Math.round(width / quotient / 32) * 32 };
  }
  if (typeof body.input_image === 'string') {
    const metadata = await sharp(Buffer.from(body.input_image, 'base64')).metadata();
    return { width: metadata.width ?? 1024, height: metadata.height ?? 1024 };
  }
  return usesAspectRatio(model) ? { width: 1024, height: 1024 } : { width: 1024, height: 768 };
}

/** The terminal or running answer for the current poll of a task. */
function pollAnswer(task: Task, pendingPolls: number, sampleUrl: string): Record<string, unknown> {
  const base = { id: task.id, result: null, progress: null, details: null, preview: null };
  const running = (status: string, progress: number | null) => ({ ...base, status, progress });
  task.polls++;
  switch (task.scenario) {
    case 'slow':
      return running('Pending', null);
    case 'task-not-found':
      return { id: task.id, status: 'Task not found' };
    case 'request-moderated':
      return { ...base, status: 'Request Moderated', details: { 'Moderation Reasons': ['Derivative Works Filter'] } };
    case 'reasoning': {
      const statuses = ['Pending', 'Reasoning', 'Reasoning', 'Generating'];
      if (task.polls <= statuses.length) return running(statuses[task.polls - 1]!, task.polls === 4 ? 0.5 : null);
      break;
    }
    default:
      if (task.polls <= pendingPolls)
        return running('Pending', task.polls === 1 ? null : Math.round((100 * task.polls) / (pendingPolls + 1)));
  }
  if (task.scenario === 'content-moderated')
    return { ...base, status: 'Content Moderated', details: { 'Moderation Reasons': ['Content'] } };
  if (task.scenario === 'error') return { ...base, status: 'Error', details: { error: 'Internal generation failure' } };
  return {
    ...base,
    status: 'Ready',
    result: {
      sample: sampleUrl,
      prompt: task.body.prompt,
      seed: task.body.seed ?? 1234567890,
      start_time: 1736235962.2,
      end_time: 1736235971.9,
      duration: 9.7,
    },
  };
}

/**
 * Starts the fake on 127.0.0.1, port 0.
 *
 * @example
 * const fake = await startFluxFake({ pendingPolls: 2 });
 * // point a provider at fake.url; fake.requests holds submit, polls and the sample download
 */
export async function startFluxFake(options: FluxFakeOptions = {}): Promise<FluxFake> {
  let scenario: FluxScenario = options.scenario ?? 'happy';
  const pendingPolls = options.pendingPolls ?? 2;
  const tasks = new Map<string, Task>();
  let nextId = 1;
  let origin = '';

  async function handle(request: IncomingMessage, response: ServerResponse, record: FluxRecordedRequest) {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => sendJson(response, status, body, headers);
    const url = new URL(request.url ?? '/', origin);
    const sample = /^\/delivery\/([^/]+)\/sample\.(jpeg|png)$/.exec(url.pathname);
    if (sample && request.method === 'GET') {
      const task = tasks.get(sample[1] ?? '');
      if (!task || url.searchParams.get('sig') !== 'fake-signature') return send(403, { detail: 'AuthenticationFailed' });
      const { width, height } = await outputSize(task);
      const image = sharp({ create: { width, height, channels: 3, background: { r: 40, g: 160, b: 90 } } });
      const bytes = await (sample[2] === 'png' ? image.png() : image.jpeg()).toBuffer();
      const type = task.scenario === 'octet-stream' ? 'application/octet-stream' : `image/${sample[2]}`;
      response.writeHead(200, { 'content-type': type, 'content-length': String(bytes.length) }).end(bytes);
      return;
    }
    const key = request.headers['x-key'];
    if (!key || (options.apiKey && key !== options.apiKey)) return send(403, { detail: 'Not authenticated - Invalid Authentication' });

    if (url.pathname === '/regional/v1/get_result' && request.method === 'GET') {
      // A client that leaves mid-delay gets no answer, and no timer outlives the test.
      if (options.pollDelayMs && !(await waitUnlessClosed(response, options.pollDelayMs))) return;
      const task = tasks.get(url.searchParams.get('id') ?? '');
      if (!task) return send(200, { id: url.searchParams.get('id'), status: 'Task not found' });
      if (task.scenario === 'poll-hiccup' && task.polls === 1 && !('hiccuped' in task)) {
        Object.assign(task, { hiccuped: true });
        return send(503, { detail: 'Service temporarily unavailable' });
      }
      const ext = task.body.output_format === 'png' ? 'png' : 'jpeg';
      const sampleUrl = `${origin}/delivery/${task.id}/sample.${ext}?se=2026-01-07T08%3A46%3A02Z&sp=r&sv=2024-11-04&sr=b&rsct=image/${ext}&sig=fake-signature`;
      return send(200, pollAnswer(task, pendingPolls, sampleUrl));
    }

    const submit = /^\/v1\/([a-z0-9.-]+)$/.exec(url.pathname);
    if (!submit || request.method !== 'POST') return send(404, { detail: 'Not Found' });
    const model = submit[1] ?? '';
    const chosen = (/\[scenario:([a-z-]+)\]/.exec(String(record.body?.prompt ?? ''))?.[1] as FluxScenario) ?? scenario;
    if (chosen === 'bad-key') return send(403, { detail: 'Not authenticated - Invalid Authentication' });
    if (chosen === 'credits') return send(402, { detail: 'Insufficient credits. Please top up at https://dashboard.bfl.ai' });
    if (chosen === 'rate-limit') return send(429, { detail: 'You have exceeded the number of active tasks (24).' }, { 'retry-after': '7' });
    if (chosen === 'server-error') return send(500, { detail: 'Internal Server Error' });
    if (chosen === 'overload') return send(503, { detail: 'Service temporarily unavailable' });
    const problems =
      chosen === 'validation' ? [{ loc: ['body', 'prompt'], msg: 'Field required', type: 'missing' }] : validate(model, record.body);
    if (problems) return send(422, { detail: problems });
    const id = `00000000-0000-4000-8000-${String(nextId++).padStart(12, '0')}`;
    tasks.set(id, { id, model, body: record.body, scenario: chosen, polls: 0 });
    return send(200, { id, polling_url: `${origin}/regional/v1/get_result?id=${id}`, cost: 4.0, input_mp: 0, output_mp: 1.05 });
  }

  const server = await startRecordingServer(handle, (failure) => ({ detail: failure.message }));
  origin = server.url;

  return {
    ...server,
    setScenario(next) {
      scenario = next;
    },
  };
}
