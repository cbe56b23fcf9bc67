import type { IncomingMessage } from 'node:http';
import { nextChunk } from '../../src/lib/readable-next-chunk.js';
import type { IncomingBody } from '../../src/server/incoming-call.js';
import type { UnreadBodyLimits } from '../../src/server/unread-body.js';

/** Why a call ends when its client went away: an AbortError, answered as 499. */
export const clientClosed = () => new DOMException('The client closed the request.', 'AbortError');

/**
 * The body of a Node request, read by the core and, when an `authenticate`
 * hook asks for the Web Request, by that Request too: once the Request's
 * stream exists, chunks are kept in order and each reader takes them at its
 * own pace, so a hook that reads `request.clone().json()` leaves the body
 * whole for the gateway.
 */
export class NodeRequestBody {
  readonly #incoming: IncomingMessage;
  readonly #parsed: unknown;
  /** Every chunk read so far, kept only once a second reader (the Web Request) exists. */
  #log: Uint8Array[] | undefined;
  #done = false;
  #pending: Promise<void> | undefined;
  #coreStarted = false;
  #cancelReason: unknown;
  /** Set when the core stopped reading early: the connection cannot be reused. */
  abandoned = false;

  constructor(incoming: IncomingMessage, parsedBody: unknown) {
    this.#incoming = incoming;
    this.#parsed = parsedBody;
  }

  /** Whether bytes of this request may still be unread on the connection. */
  get unread(): boolean {
    return this.abandoned || !this.#incoming.complete;
  }

  /**
   * Reads and discards what is left of the body, up to `limits.maxBytes` more
   * bytes and `limits.maxMs`; resolves when the body ended, the client left,
   * or a bound was reached. What an early answer (401, 404, 413) waits for
   * before the connection closes: closed with bytes still arriving, the
   * kernel resets it, and a client still writing its upload (Node's fetch,
   * the openai SDK) fails with EPIPE and loses the answer it was sent.
   */
  discardRest(limits: UnreadBodyLimits): Promise<void> {
    const incoming = this.#incoming;
    if (incoming.complete || incoming.destroyed) return Promise.resolve();
    // Nothing reads the body any more: no chunk is kept for a second reader.
    this.#log = undefined;
    return new Promise((resolve) => {
      let discarded = 0;
      const finish = () => {
        clearTimeout(timer);
        incoming.off('data', onData);
        incoming.off('end', finish);
        incoming.off('close', finish);
        resolve();
      };
      const onData = (chunk: Buffer) => {
        discarded += chunk.length;
        if (discarded > limits.maxBytes) finish();
      };
      const timer = setTimeout(finish, limits.maxMs);
      incoming.on('data', onData);
      incoming.once('end', finish);
      incoming.once('close', finish);
      incoming.resume();
    });
  }

  /** The core's reader. */
  reader(): IncomingBody | undefined {
    if (this.#incoming.readableEnded && !this.#log) return parsedBody(this.#parsed);
    this.#coreStarted = true;
    let index = 0;
    return {
      read: async () => {
        if (!this.#log) return this.#next();
        const chunk = await this.#chunkAt(index);
        if (chunk) index += 1;
        return chunk;
      },
      cancel: (reason) => {
        this.abandoned = true;
        // A deadline (a reason) ends a trickling upload; a size limit only stops reading, so the 413 still goes out.
        if (reason === undefined) return;
        this.#cancelReason = reason;
        this.#incoming.destroy(reason instanceof Error ? reason : undefined);
      },
    };
  }

  /** The body for a Web Request made before the core read anything; undefined when there is none to give. */
  webStream(): ReadableStream<Uint8Array> | undefined {
    if (this.#coreStarted) return undefined;
    if (this.#incoming.readableEnded) {
      const bytes = parsedBody(this.#parsed);
      if (!bytes) return undefined;
      return new ReadableStream({
        async pull(controller) {
          const chunk = await bytes.read();
          if (chunk) controller.enqueue(chunk);
          else controller.close();
        },
      });
    }
    this.#log = [];
    let index = 0;
    // highWaterMark 0: nothing is pulled until the Request's reader asks.
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          const chunk = await this.#chunkAt(index);
          if (!chunk) controller.close();
          else {
            index += 1;
            controller.enqueue(chunk);
          }
        },
      },
      { highWaterMark: 0 },
    );
  }

  async #chunkAt(index: number): Promise<Uint8Array | undefined> {
    const log = this.#log as Uint8Array[];
    while (log.length <= index && !this.#done) {
      this.#pending ??= this.#next().then(
        (chunk) => {
          this.#pending = undefined;
          if (chunk) log.push(chunk);
        },
        (error: unknown) => {
          this.#pending = undefined;
          throw error;
        },
      );
      await this.#pending;
    }
    return log[index];
  }

  /** The next chunk of the stream (all that is buffered), or undefined at its end. */
  async #next(): Promise<Uint8Array | undefined> {
    if (this.#done) return undefined;
    try {
      const chunk = await nextChunk(this.#incoming);
      if (chunk === null) this.#done = true;
      return chunk ?? undefined;
    } catch (error) {
      throw this.#failure(error);
    }
  }

  /** Why reading stopped: the core's own cancel reason, else a client gone mid-upload (499), else the stream's error. */
  #failure(error: unknown): unknown {
    if (this.#cancelReason !== undefined) return this.#cancelReason;
    if (this.#incoming.destroyed || error === undefined) return clientClosed();
    return error;
  }
}

/** The body a parser already read (express.json(), @koa/bodyparser), as one chunk. */
function parsedBody(parsed: unknown): IncomingBody | undefined {
  if (parsed === undefined || parsed === null) return undefined;
  let bytes: Uint8Array | undefined = serializeBody(parsed);
  return {
    read: async () => {
      const chunk = bytes;
      bytes = undefined;
      return chunk;
    },
    cancel: () => {
      bytes = undefined;
    },
  };
}

/** A parsed body back as bytes: Buffers and strings as they are, anything else as JSON. */
function serializeBody(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body);
  return Buffer.from(JSON.stringify(body));
}
