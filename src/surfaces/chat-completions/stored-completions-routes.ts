import { jsonAnswer } from '../../server/answer.js';
import type { Route } from '../../server/router.js';
import { ownerOf } from '../results/detachment.js';
import { storedResultNotFound } from '../results/result-errors.js';
import type { SurfaceContext } from '../surface-context.js';

const path = '/v1/chat/completions/';

/**
 * GET and DELETE /v1/chat/completions/{completion_id}: a completion kept
 * with `store: true`, for the caller that made it. A completion still
 * generating in this process is waited for; one that is gone (never
 * stored, deleted, expired, evicted, another caller's) is a 404.
 *
 * @example
 * const completion = await client.chat.completions.retrieve('chatcmpl-…');
 */
export function storedCompletionsRoutes(context: SurfaceContext): Route[] {
  const keyOf = (id: string, keyId: string | undefined) => context.results.keyFor('chatcmpl', ownerOf({ keyId }), id);
  return [
    {
      method: 'GET',
      path,
      prefix: true,
      async handle({ caller, parameter }) {
        const entry = await context.results.find(keyOf(parameter, caller.keyId));
        if (!entry) throw storedResultNotFound('chat completion', parameter);
        return { status: 200, headers: { 'content-type': 'application/json' }, body: [entry.bytes] };
      },
    },
    {
      method: 'DELETE',
      path,
      prefix: true,
      async handle({ caller, parameter }) {
        const key = keyOf(parameter, caller.keyId);
        // A completion still running is let finish first, so it is not stored again after the delete.
        const entry = await context.results.find(key);
        if (!entry || !(await context.results.delete(key))) throw storedResultNotFound('chat completion', parameter);
        return jsonAnswer({ id: parameter, object: 'chat.completion.deleted', deleted: true });
      },
    },
  ];
}
