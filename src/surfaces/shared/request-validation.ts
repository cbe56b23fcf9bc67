import type { z } from 'zod';
import { GatewayError } from '../../errors/gateway-error.js';
import { formatPath } from '../../lib/property-path.js';

/**
 * Parses a request body with a surface's schema, turning the first zod issue
 * into an OpenAI error whose `param` is the dotted path
 * (`messages[0].content[1].image_url.url`): `missing_required_parameter` for
 * an absent field, `invalid_value` otherwise. `shape` names what the body
 * must be, for a body that is not a JSON object at all.
 *
 * @example
 * const request = parseRequest(imagesGenerationSchema, body, '"prompt"');
 */
export function parseRequest<Schema extends z.ZodType>(schema: Schema, body: unknown, shape: string): z.output<Schema> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new GatewayError({
      status: 400,
      type: 'invalid_request_error',
      code: 'invalid_request_body',
      message: `The request body must be a JSON object with ${shape}.`,
    });
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw issueError(body, result.error.issues[0] as z.core.$ZodIssue);
}

/** The 400 for one zod issue of `body`. */
function issueError(body: unknown, first: z.core.$ZodIssue): GatewayError {
  const { issue, path } = deepestIssue(first, []);
  const param = formatPath(path);
  const missing = issue.code === 'invalid_type' && readPath(body, path) === undefined;
  const message = missing ? `Missing required parameter: '${param}'.` : `Invalid '${param}': ${describe(issue)}.`;
  return new GatewayError({
    status: 400,
    type: 'invalid_request_error',
    code: missing ? 'missing_required_parameter' : 'invalid_value',
    param,
    message,
  });
}

/**
 * A union (string | parts[]) reports one opaque issue; the branch that got
 * furthest into the input says what the client actually got wrong.
 */
function deepestIssue(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[]): { issue: z.core.$ZodIssue; path: PropertyKey[] } {
  const path = [...prefix, ...issue.path];
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return { issue, path };
  let best: { issue: z.core.$ZodIssue; path: PropertyKey[] } = { issue, path };
  for (const branch of issue.errors) {
    const first = branch[0];
    if (!first || first.path.length === 0) continue;
    const candidate = deepestIssue(first, path);
    if (candidate.path.length > best.path.length) best = candidate;
  }
  return best;
}

function readPath(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function describe(issue: z.core.$ZodIssue): string {
  // zod's generic texts ("Invalid input") say nothing useful; ours name what is allowed.
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) {
    return `expected ${issue.expected}`;
  }
  if (issue.code === 'invalid_value' && issue.message.startsWith('Invalid')) {
    return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
  }
  return issue.message;
}
