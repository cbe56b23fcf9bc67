import { createHash } from 'node:crypto';
import type { GatewayLogger } from '../../lib/logger.js';
import { randomHex } from '../../lib/random-hex.js';
import type { ResultsStats } from '../../observability/gateway-stats.js';
import type { Answer } from '../../server/answer.js';
import type { InflightTracker } from '../../server/inflight-tracker.js';
import type { BlobEntry, BlobStore, StoredBlob } from '../../store/blob-store.js';
import { type FinishedAnswer, RecordedRun, withSource } from './recorded-run.js';
import { idempotencyKeyReused } from './result-errors.js';

/** A result kept by its own id besides the idempotent answer: a stored chat completion, a stored response. */
export interface KeptResult {
  /** The store key it is found by, also while it runs (see `ResultRegistry.keyFor`). */
  readonly key: string;
  /** What to store once the answer is finished, by store key; empty keeps nothing (the generation failed). */
  toBlobs(finished: FinishedAnswer): Array<[key: string, blob: StoredBlob]>;
}

/** A request whose generation runs detached from its connection. */
export interface DetachedRequest {
  /** The store key of the caller's `Idempotency-Key`, when it sent one. */
  readonly idempotencyKey?: string;
  readonly fingerprint: string;
  readonly kept?: KeptResult;
}

export interface ResultRegistryOptions {
  blobs: BlobStore;
  /** How long a finished answer is kept for replay and retrieval. */
  ttlMs: number;
  /** Longest a keyed request waits for another process's run of its key (the total timeout). */
  waitMs: number;
  /** A process's claim on a keyed run lasts this long unless renewed (a third of it apart); default 15 s. */
  leaseMs?: number;
  /** How often a request waiting on another process's run reads the store; default 250 ms. */
  pollMs?: number;
  inflight: InflightTracker;
  logger?: GatewayLogger;
}

/**
 * Detached generations and the answers they leave: the same request again
 * (same caller, same `Idempotency-Key`, same fingerprint) attaches to the
 * running one or replays the stored answer; another request under the same
 * key is a 422. A generation runs to its end whoever is listening (bounded
 * by its total timeout and the gateway's shutdown), and its answer is
 * stored, when it succeeded, for `ttlMs` in the blob store: one place for
 * every backend's bounds, evictions and expiry, so an evicted or expired
 * result reads as absent, never as something else.
 *
 * @example
 * const answer = await registry.serve({ idempotencyKey: registry.keyFor('idem', owner, key), fingerprint }, produce);
 */
export class ResultRegistry {
  readonly #options: ResultRegistryOptions;
  readonly #running = new Map<string, RecordedRun>();
  /** Each running run's end: its answer stored (or not) and its keys let go of. */
  readonly #settledBy = new Map<RecordedRun, Promise<void>>();
  readonly #settling = new Set<Promise<void>>();
  readonly #stats: Omit<ResultsStats, 'store'> = { running: 0, attached: 0, replayed: 0, stored: 0, storeFailures: 0 };

  /** Names this process in the leases it writes. */
  readonly #processId = randomHex(16);

  constructor(options: ResultRegistryOptions) {
    this.#options = options;
  }

  get ttlMs(): number {
    return this.#options.ttlMs;
  }

  /**
   * The store key of one caller's id of one kind: hashed, so a client's key
   * may hold any characters, and one caller can never name another's entry.
   */
  keyFor(kind: 'idem' | 'chatcmpl' | 'resp' | 'resp-events' | 'resp-context', owner: string, id: string): string {
    return `result:${kind}:${createHash('sha256').update(owner).update('\u0000').update(id).digest('base64url')}`;
  }

  /**
   * Answers a detached request: attaches to its running generation, replays
   * its stored answer, or starts `produce` detached and attaches to that.
   * With `acknowledgement` (a background response), the request is answered
   * with it at once instead, whichever of the three happened.
   */
  async serve(
    request: DetachedRequest,
    produce: () => Promise<Answer>,
    failed: (error: unknown) => Answer,
    acknowledgement?: Answer,
  ): Promise<Answer> {
    const key = request.idempotencyKey;
    if (key !== undefined) {
      const found =
        this.#attachable(key, request.fingerprint, acknowledgement) ?? (await this.#replay(key, request.fingerprint, acknowledgement));
      if (found) return found;
      const elsewhere = await this.#awaitOtherProcess(key, request.fingerprint, acknowledgement);
      if (elsewhere) return elsewhere;
      // The store was read asynchronously: a twin may have started meanwhile.
      const started = this.#attachable(key, request.fingerprint, acknowledgement);
      if (started) return started;
    }
    const run = new RecordedRun(request.fingerprint);
    const keys = [key, request.kept?.key].filter((name): name is string => name !== undefined);
    for (const name of keys) this.#running.set(name, run);
    this.#stats.running += 1;
    const end = this.#options.inflight.begin(run);
    const settled = run.finished
      .then((finished) => this.#store(request, finished))
      .catch((error) => this.#options.logger?.error({ error: String(error) }, 'storing a detached result failed'))
      .finally(() => {
        for (const name of keys) if (this.#running.get(name) === run) this.#running.delete(name);
        this.#stats.running -= 1;
        this.#settling.delete(settled);
        this.#settledBy.delete(run);
        end();
      });
    this.#settling.add(settled);
    this.#settledBy.set(run, settled);
    if (key !== undefined) this.#holdLease(key, request.fingerprint, settled);
    run.start(produce, failed);
    if (acknowledgement) return acknowledged(acknowledgement, 'started');
    return run.attach('started');
  }

  /** The running generation kept under `key`, attached to as it stands; undefined when none runs in this process. */
  attachRunning(key: string): Promise<Answer> | undefined {
    return this.#running.get(key)?.attach('attached');
  }

  /**
   * A kept result by its store key: waits for it while its generation still
   * runs in this process, then reads the store. Undefined when absent.
   */
  async find(key: string): Promise<BlobEntry | undefined> {
    const running = this.#running.get(key);
    if (running) await this.#settledBy.get(running);
    return this.#options.blobs.get(key);
  }

  async delete(key: string): Promise<boolean> {
    return this.#options.blobs.delete(key);
  }

  stats(): ResultsStats {
    const blobs = this.#options.blobs;
    return { ...this.#stats, store: { kind: blobs.kind, ...blobs.stats?.() } };
  }

  /** Waits (at most `timeoutMs`) until every finished run's answer is stored: call after the running work ended. */
  async close(timeoutMs: number): Promise<void> {
    if (this.#settling.size === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.allSettled([...this.#settling]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  #attachable(key: string, fingerprint: string, acknowledgement: Answer | undefined): Promise<Answer> | undefined {
    const running = this.#running.get(key);
    if (!running) return undefined;
    if (running.fingerprint !== fingerprint) throw idempotencyKeyReused();
    this.#stats.attached += 1;
    return acknowledgement ? Promise.resolve(acknowledged(acknowledgement, 'attached')) : running.attach('attached');
  }

  /**
   * Another process may be running this key (a shared store holds its
   * lease): wait for its answer, reading the store every `pollMs`. Undefined
   * when no live lease is there, or once it lapses (its owner died or its
   * run failed): this process then runs the key itself.
   */
  async #awaitOtherProcess(key: string, fingerprint: string, acknowledgement: Answer | undefined): Promise<Answer | undefined> {
    const blobs = this.#options.blobs;
    const giveUpAt = Date.now() + this.#options.waitMs;
    while (Date.now() < giveUpAt) {
      const lease = await blobs.get(leaseKeyOf(key));
      if (!lease || lease.metadata?.owner === this.#processId || this.#running.has(key)) return undefined;
      if (lease.metadata?.fingerprint !== fingerprint) throw idempotencyKeyReused();
      if (acknowledgement) return acknowledged(acknowledgement, 'attached');
      await pause(this.#options.pollMs ?? 250);
      const answered = await this.#replay(key, fingerprint, undefined);
      if (answered) return answered;
    }
    return undefined;
  }

  /** Claims `key` in the store while its run lasts, renewed, and lets it go when the run's answer is stored (or not). */
  #holdLease(key: string, fingerprint: string, settled: Promise<void>): void {
    const blobs = this.#options.blobs;
    const leaseMs = this.#options.leaseMs ?? 15_000;
    const claim = () =>
      blobs
        .put(
          leaseKeyOf(key),
          {
            bytes: new Uint8Array(0),
            contentType: 'application/octet-stream',
            metadata: { kind: 'lease', fingerprint, owner: this.#processId },
          },
          leaseMs,
        )
        .catch(() => {});
    void claim();
    const renewal = setInterval(claim, Math.max(10, Math.floor(leaseMs / 3)));
    renewal.unref?.();
    void settled.finally(() => {
      clearInterval(renewal);
      return blobs.delete(leaseKeyOf(key)).catch(() => false);
    });
  }

  async #replay(key: string, fingerprint: string, acknowledgement: Answer | undefined): Promise<Answer | undefined> {
    const entry = await this.#options.blobs.get(key);
    if (!entry) return undefined;
    const stored = storedAnswer(entry);
    if (!stored) return undefined;
    if (stored.fingerprint !== fingerprint) throw idempotencyKeyReused();
    this.#stats.replayed += 1;
    if (acknowledgement) return acknowledged(acknowledgement, 'replayed');
    return { status: stored.status, headers: withSource(stored.headers, 'replayed'), body: [entry.bytes] };
  }

  async #store(request: DetachedRequest, finished: FinishedAnswer): Promise<void> {
    const writes: Array<[string, StoredBlob]> = [];
    if (request.idempotencyKey !== undefined && succeeded(finished)) {
      writes.push([request.idempotencyKey, answerBlob(request.fingerprint, finished)]);
    }
    if (request.kept) writes.push(...request.kept.toBlobs(finished));
    for (const [key, blob] of writes) {
      try {
        await this.#options.blobs.put(key, blob, this.#options.ttlMs);
        this.#stats.stored += 1;
      } catch (error) {
        this.#stats.storeFailures += 1;
        this.#options.logger?.warn({ error: String((error as Error)?.message ?? error) }, 'a result could not be stored');
      }
    }
  }
}

/** Where a keyed run's claim lives: beside its answer's key. */
function leaseKeyOf(key: string): string {
  return `${key}:lease`;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}

function acknowledged(answer: Answer, source: 'started' | 'attached' | 'replayed'): Answer {
  return { status: answer.status, headers: withSource(answer.headers, source), body: answer.body };
}

/**
 * Only a success is kept for replay: a failure (a timeout, a full queue, an
 * upstream error, a stream that ended in an error event) is not the answer
 * a retry wants, so the same key runs again.
 */
function succeeded(finished: FinishedAnswer): boolean {
  if (finished.status < 200 || finished.status >= 300) return false;
  return !(finished.streamed && streamEndedInError(finished.body));
}

const errorEventMarkers = ['data: {"error":', 'event: error\n', 'event: response.failed\n'];

/** Whether an event stream carries an error event (chat writes `data: {"error":…}`, the other surfaces `event: error`). */
function streamEndedInError(body: Uint8Array): boolean {
  // Error events are small and come last: the tail is enough, and an image's base64 holds no such text.
  const tail = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('latin1', Math.max(0, body.byteLength - 8192));
  return errorEventMarkers.some((marker) => tail.includes(marker));
}

/** An answer as the blob store keeps it: the body as bytes, the rest in the metadata. */
function answerBlob(fingerprint: string, finished: FinishedAnswer): StoredBlob {
  return {
    bytes: finished.body,
    contentType: finished.headers['content-type'] ?? 'application/octet-stream',
    metadata: {
      kind: 'answer',
      fingerprint,
      status: String(finished.status),
      headers: JSON.stringify(replayableHeaders(finished.headers)),
    },
  };
}

function storedAnswer(entry: BlobEntry): { fingerprint: string; status: number; headers: Record<string, string> } | undefined {
  const metadata = entry.metadata;
  if (metadata?.kind !== 'answer' || metadata.fingerprint === undefined) return undefined;
  try {
    return { fingerprint: metadata.fingerprint, status: Number(metadata.status), headers: JSON.parse(metadata.headers ?? '{}') };
  } catch {
    return undefined;
  }
}

/** The request id belongs to the request that asks: the replay gets its own. */
function replayableHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    if (name === 'x-request-id' || name === 'x-gateway-request-id' || name === 'x-gateway-result') continue;
    kept[name] = headers[name] as string;
  }
  return kept;
}
