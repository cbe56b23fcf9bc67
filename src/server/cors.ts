import type { Answer } from './answer.js';
import type { IncomingCall } from './incoming-call.js';

const exposed = [
  'x-gateway-provider',
  'x-gateway-model',
  'x-gateway-attempts',
  'x-gateway-request-id',
  'x-request-id',
  'x-gateway-reasoning-effort',
  'x-gateway-queue-ms',
  'retry-after',
].join(', ');

/** The `cors` option: true allows any origin; otherwise the origins listed ("*" among them allows any). */
export type CorsOption = boolean | { origin: string | string[] };

/** CORS headers for a request, or none when CORS is off or the origin is not allowed. */
export function corsHeaders(option: CorsOption, call: IncomingCall): Record<string, string> {
  if (option === false) return {};
  const origin = call.header('origin');
  let allowed: string | undefined;
  if (option === true) allowed = '*';
  else {
    const origins = Array.isArray(option.origin) ? option.origin : [option.origin];
    if (origins.includes('*')) allowed = '*';
    else if (origin && origins.includes(origin)) allowed = origin;
  }
  if (!allowed) return {};
  return {
    'access-control-allow-origin': allowed,
    'access-control-expose-headers': exposed,
    'access-control-allow-headers': 'authorization, content-type, x-request-id, x-gateway-project-id',
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-max-age': '600',
    ...(allowed === '*' ? {} : { vary: 'origin' }),
  };
}

/** Adds headers to an answer (they win over the answer's own). */
export function withHeaders(answer: Answer, headers: Record<string, string>): Answer {
  Object.assign(answer.headers, headers);
  return answer;
}
