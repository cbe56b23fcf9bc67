import type { ResponseIdentity, ResponseStatus } from './response-object.js';
import type { ResponsesRequest } from './responses-request-schema.js';

/**
 * Where a stored response's generation stands while it runs, for
 * `GET /v1/responses/{id}` and `POST /v1/responses/{id}/cancel`: queued
 * until its first attempt starts, then in progress; cancelling aborts its
 * deadline and makes the stored response `cancelled`.
 */
export class ResponseLifecycle {
  status: Extract<ResponseStatus, 'queued' | 'in_progress'> = 'queued';
  cancelled = false;
  /** The model the response will name (the first route's for `auto`). */
  readonly identity: ResponseIdentity;
  /** What a snapshot of the running response echoes. */
  readonly facts: { request: ResponsesRequest; promptEstimate: number };
  #abort: ((reason: unknown) => void) | undefined;

  constructor(identity: ResponseIdentity, facts: { request: ResponsesRequest; promptEstimate: number }) {
    this.identity = identity;
    this.facts = facts;
  }

  /** The generation's deadline, which `cancel` aborts. */
  bind(abort: (reason: unknown) => void): void {
    this.#abort = abort;
  }

  started(): void {
    this.status = 'in_progress';
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.#abort?.(new DOMException('The response was cancelled.', 'AbortError'));
  }
}

/** The lifecycles of the stored responses running in this process, by store key. */
export class LiveResponses {
  readonly #byKey = new Map<string, ResponseLifecycle>();

  add(key: string, lifecycle: ResponseLifecycle): void {
    this.#byKey.set(key, lifecycle);
  }

  get(key: string): ResponseLifecycle | undefined {
    return this.#byKey.get(key);
  }

  delete(key: string): void {
    this.#byKey.delete(key);
  }
}
