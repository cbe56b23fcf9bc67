/**
 * One incoming HTTP request as the core sees it: what it reads, and nothing
 * it does not. A Web Request is one source; the Node adapters build calls
 * straight from IncomingMessage, so the Web Request is only made when an
 * `authenticate` hook asks for it.
 */
export interface IncomingCall {
  readonly method: string;
  /** The absolute URL. */
  readonly url: string;
  /**
   * The peer's IP address when the host knows it (the Node adapters do;
   * a Web Request does not carry one). Only for counting failed
   * authentications: never taken from a header a client could set.
   */
  readonly clientAddress?: string;
  /** A header's value (name in lower case), or null. */
  header(name: string): string | null;
  /** Aborts when the client goes away. */
  readonly signal: AbortSignal;
  /**
   * Calls `listener` once when the client goes away; returns how to
   * unsubscribe. What the core links its deadline to: a Node call needs no
   * AbortController of its own for it.
   */
  clientGone(listener: (reason: unknown) => void): () => void;
  /** The body, or undefined when there is none. */
  body(): IncomingBody | undefined;
  /** The Web Request, built on first use. */
  request(): Request;
}

/** A request body being read. */
export interface IncomingBody {
  /** Reads the next chunk; undefined at the end. */
  read(): Promise<Uint8Array | undefined>;
  /** Stops reading; a pending read settles. */
  cancel(reason?: unknown): void;
}

/** A call over a Web Request, which can say what of its body the core left unread. */
export interface WebCall extends IncomingCall {
  /** The body stream when the core did not read it to its end (never read, or stopped at a size limit). */
  unreadBody(): ReadableStream<Uint8Array> | undefined;
}

/** The call for a Web Request. */
export function callFromRequest(request: Request): WebCall {
  let taken = false;
  let released = false;
  let ended = false;
  return {
    method: request.method,
    url: request.url,
    header: (name) => request.headers.get(name),
    signal: request.signal,
    clientGone(listener) {
      const signal = request.signal;
      const onAbort = () => listener(signal.reason);
      if (signal.aborted) {
        onAbort();
        return () => {};
      }
      signal.addEventListener('abort', onAbort, { once: true });
      return () => signal.removeEventListener('abort', onAbort);
    },
    body() {
      if (!request.body) return undefined;
      const reader = request.body.getReader();
      taken = true;
      return {
        read: async () => {
          try {
            const { done, value } = await reader.read();
            if (done) ended = true;
            return done ? undefined : value;
          } catch (error) {
            // A body stream fails when its client left mid-upload (Node's Readable.toWeb errors it with
            // "aborted", undici with "terminated"): the same 499 the Node adapter answers, not a gateway fault.
            // Only an AbortError passes as it is: a TimeoutError would read as the generation timing out.
            throw (error as Error)?.name === 'AbortError'
              ? error
              : new DOMException('The client closed the request while sending its body.', 'AbortError');
          }
        },
        cancel: (reason) => {
          // A size limit (no reason) only stops reading: the rest is discarded after the 413 went out.
          if (reason === undefined) {
            try {
              reader.releaseLock();
              released = true;
              return;
            } catch {
              // A read still pending: cancel instead.
            }
          }
          reader.cancel(reason).catch(() => {});
        },
      };
    },
    request: () => request,
    unreadBody() {
      const body = request.body;
      if (!body || ended || (taken && !released) || body.locked) return undefined;
      return body;
    },
  };
}
