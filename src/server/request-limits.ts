import { GatewayError } from '../errors/gateway-error.js';
import type { JsonShapeLimitError, JsonShapeLimits } from '../lib/json/json-shape-guard.js';
import { formatPath } from '../lib/property-path.js';

/**
 * What one JSON request may carry besides its images, on every surface:
 * its structure is counted as the body arrives and refused before
 * JSON.parse, validation or any copy walks it (a 61 MB body of 5 million
 * unknown keys used to stall the event loop for 28 s).
 */
export interface RequestLimits extends JsonShapeLimits {
  maxRootArrayItems: number;
  /**
   * Bytes of the body outside image data (the strings at the image paths a
   * surface gives `readJsonBody` as `lifting`; a surface that gives none is
   * bounded by `maxBodyBytes` alone). A body without images is held to
   * this, far below `maxBodyBytes`.
   */
  maxTextBytes: number;
}

/**
 * The defaults, generous for what clients send: a chat request is a few
 * dozen keys, tens of messages and a prompt of at most a few thousand
 * words (image models take 32 K tokens at most, about 128 KB of text):
 * 2 MiB of text is fifteen times that. Long agent conversations pass a
 * thousand turns, so arrays at the top level (`messages`) take 10 000
 * items while nested ones take 1000. 40 000 values bound the work of
 * parsing and validating what the other limits let through (1000 messages
 * of 70 text parts blocked the event loop for 320 ms unbounded; 10 000
 * short messages are about 30 000 values and block it for about 70 ms,
 * bench/request-limits). Nesting depth 32 leaves room for
 * JSON schemas in `tools` and `response_format`; 1000 is also OpenAI's
 * limit on an `enum` in a structured-output schema.
 */
export const defaultRequestLimits: Readonly<RequestLimits> = Object.freeze({
  maxDepth: 32,
  maxKeysPerObject: 1000,
  maxArrayItems: 1000,
  maxRootArrayItems: 10_000,
  maxMembers: 40_000,
  maxTextBytes: 2 * 1024 * 1024,
});

const limitWords: Record<keyof JsonShapeLimits, (allowed: number, where: string) => string> = {
  maxDepth: (allowed, where) => `${where} is nested more than ${allowed} levels deep; at most ${allowed} levels are allowed`,
  maxKeysPerObject: (allowed, where) => `${where} has more than ${allowed} keys; at most ${allowed} are allowed`,
  maxArrayItems: (allowed, where) => `${where} has more than ${allowed} items; at most ${allowed} are allowed`,
  maxRootArrayItems: (allowed, where) => `${where} has more than ${allowed} items; at most ${allowed} are allowed`,
  maxMembers: (allowed) =>
    `The request body holds more than ${allowed} values (objects, arrays and their members); at most ${allowed} are allowed`,
};

/** The 400 for a body whose structure crossed a limit, naming the place, the limit and its option. */
export function requestShapeError(error: JsonShapeLimitError): GatewayError {
  const param = error.path.length === 0 ? undefined : formatPath(error.path);
  const where = param === undefined ? 'The request body' : `'${param}'`;
  return new GatewayError({
    status: 400,
    type: 'invalid_request_error',
    code: 'request_too_complex',
    param,
    message: `${limitWords[error.limit](error.allowed, where)} (option requestLimits.${error.limit}).`,
  });
}

/** The 413 for a body with more than `maxTextBytes` outside its images. */
export function tooMuchTextError(size: number, limit: number): GatewayError {
  return new GatewayError({
    status: 413,
    type: 'invalid_request_error',
    code: 'request_too_large',
    message:
      `The request body holds at least ${size} bytes besides image data, over the limit of ${limit} bytes ` +
      '(option requestLimits.maxTextBytes); only images may make a body larger, up to maxBodyBytes.',
  });
}

/** Longest `project_id`: it names a row of the usage tables and appears in every log line of the request. */
export const maxProjectIdLength = 128;
const projectIdPattern = /^[A-Za-z0-9._:@/-]+$/;

/**
 * Checks a client's project id (body field or header) before it reaches a
 * log line or a usage table: 1 to 128 characters of letters, digits and
 * `. _ : @ / -`. The message never quotes the value.
 *
 * @example
 * checkProjectId('my_project', 'project_id'); // 'my_project'
 * checkProjectId('x'.repeat(200), 'project_id'); // throws a 400 naming project_id
 */
export function checkProjectId(value: string, param: string): string {
  if (value.length >= 1 && value.length <= maxProjectIdLength && projectIdPattern.test(value)) return value;
  throw new GatewayError({
    status: 400,
    type: 'invalid_request_error',
    code: 'invalid_value',
    param,
    message:
      `Invalid '${param}': must be 1 to ${maxProjectIdLength} characters of letters, digits and . _ : @ / - ` +
      `(got ${value.length} characters${value.length <= maxProjectIdLength ? ', with others' : ''}).`,
  });
}
