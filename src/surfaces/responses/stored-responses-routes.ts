import { invalidRequest } from '../../errors/gateway-error.js';
import { type Answer, jsonAnswer } from '../../server/answer.js';
import type { Caller } from '../../server/exchange.js';
import type { IncomingCall } from '../../server/incoming-call.js';
import type { Route } from '../../server/router.js';
import { ownerOf } from '../results/detachment.js';
import { storedResultNotFound } from '../results/result-errors.js';
import type { SurfaceContext } from '../surface-context.js';
import { eventsAfter } from './response-event-replay.js';
import type { LiveResponses, ResponseLifecycle } from './response-lifecycle.js';
import { responseObject } from './response-object.js';

const path = '/v1/responses/';

/**
 * GET /v1/responses/{id} (poll: `queued`, `in_progress`, then the stored
 * response), GET with `?stream=true&starting_after=N` (the event stream from
 * event N+1: live while it runs, from the store after), POST
 * /v1/responses/{id}/cancel and DELETE /v1/responses/{id}; all for the caller
 * that made the response, a 404 for anyone else and for what is gone.
 *
 * @example
 * const response = await client.responses.retrieve('resp_…');
 */
export function storedResponsesRoutes(context: SurfaceContext, live: LiveResponses): Route[] {
  const keys = (caller: Caller, id: string) => {
    const owner = ownerOf(caller);
    return {
      response: context.results.keyFor('resp', owner, id),
      events: context.results.keyFor('resp-events', owner, id),
      context: context.results.keyFor('resp-context', owner, id),
    };
  };
  const stored = async (key: string, id: string): Promise<Answer> => {
    const entry = await context.results.find(key);
    if (!entry) throw storedResultNotFound('response', id);
    return { status: 200, headers: { 'content-type': 'application/json' }, body: [entry.bytes] };
  };
  return [
    {
      method: 'GET',
      path,
      prefix: true,
      async handle({ call, caller, parameter: id }) {
        const key = keys(caller, id);
        const query = new URL(call.url).searchParams;
        if (query.get('stream') === 'true') return streamAgain(context, key, id, startingAfter(call));
        const running = live.get(key.response);
        if (running) return jsonAnswer(snapshot(running));
        return stored(key.response, id);
      },
    },
    {
      method: 'POST',
      path,
      prefix: true,
      async handle({ caller, parameter }) {
        if (!parameter.endsWith('/cancel')) throw storedResultNotFound('response route', parameter);
        const id = parameter.slice(0, -'/cancel'.length);
        const key = keys(caller, id);
        // Cancelling what already ended answers it as it ended, as OpenAI does.
        live.get(key.response)?.cancel();
        return stored(key.response, id);
      },
    },
    {
      method: 'DELETE',
      path,
      prefix: true,
      async handle({ caller, parameter: id }) {
        const key = keys(caller, id);
        live.get(key.response)?.cancel();
        const entry = await context.results.find(key.response);
        if (!entry || !(await context.results.delete(key.response))) throw storedResultNotFound('response', id);
        await context.results.delete(key.events);
        await context.results.delete(key.context);
        return jsonAnswer({ id, object: 'response', deleted: true });
      },
    },
  ];
}

/** A running response as it stands: its status, no output yet. */
function snapshot(lifecycle: ResponseLifecycle): Record<string, unknown> {
  const facts = lifecycle.facts;
  return responseObject(lifecycle.identity, facts.request, lifecycle.status, [], null, facts.promptEstimate, null);
}

function startingAfter(call: IncomingCall): number {
  const text = new URL(call.url).searchParams.get('starting_after');
  if (text === null) return -1;
  if (!/^\d{1,9}$/.test(text))
    throw invalidRequest('starting_after must be a sequence number (an integer of 0 or more).', 'starting_after');
  return Number(text);
}

/** The response's events after `after`: live from its run in this process, else from the store. */
async function streamAgain(
  context: SurfaceContext,
  key: { response: string; events: string; context: string },
  id: string,
  after: number,
): Promise<Answer> {
  const running = context.results.attachRunning(key.response);
  if (running) return eventsAfter(await running, after);
  const events = await context.results.find(key.events);
  if (events)
    return eventsAfter(
      { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' }, body: [events.bytes] },
      after,
    );
  if (await context.results.find(key.response)) {
    throw invalidRequest(
      `Response '${id.slice(0, 100)}' did not run as a stream or in the background: it has no events to stream again.`,
      'stream',
    );
  }
  throw storedResultNotFound('response', id);
}
