import { isAbortError, UpstreamError } from '../../errors/upstream-error.js';
import { JsonLiftingReader, type LiftedJson } from '../../lib/json/json-lifting-reader.js';
import type { OpenAIErrorContext } from './openai-error.js';
import { readUpstreamJson } from './upstream-json.js';
import type { UpstreamResponse } from './upstream-response.js';

/**
 * The JSON object of a successful upstream answer. A connection lost
 * mid-body or a body that is not a JSON object is a server failure; an
 * abort stays an abort.
 */
export async function readJsonObject<Body extends object = Record<string, unknown>>(
  response: UpstreamResponse,
  context: OpenAIErrorContext,
  signal: AbortSignal,
  reader: JsonLiftingReader = new JsonLiftingReader({ liftAt: () => false }),
): Promise<Body> {
  let json: LiftedJson;
  try {
    json = await readUpstreamJson(response, reader, signal);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (isAbortError(error)) throw error;
    throw serverError(context, response.status, `the upstream answer broke off: ${(error as Error).message}`, error);
  }
  try {
    const value: unknown = json.parse();
    if (typeof value === 'object' && value !== null) return value as Body;
  } catch {
    // Falls through to the error below.
  }
  throw serverError(context, response.status, 'the upstream answered with something that is not JSON');
}

function serverError(context: OpenAIErrorContext, status: number, detail: string, cause?: unknown): UpstreamError {
  return new UpstreamError({
    provider: context.provider,
    kind: 'server',
    status,
    message: detail,
    url: context.url,
    cause,
  });
}
