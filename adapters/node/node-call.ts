import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { IncomingBody, IncomingCall } from '../../src/server/incoming-call.js';
import type { UnreadBodyLimits } from '../../src/server/unread-body.js';
import { clientClosed, NodeRequestBody } from './node-request-body.js';

/** An IncomingCall over a Node request; its signal follows the response's socket. */
export class NodeCall implements IncomingCall {
  readonly method: string;
  readonly url: string;
  readonly clientAddress: string | undefined;
  readonly #incoming: IncomingMessage;
  #controller: AbortController | undefined;
  #request: Request | undefined;
  /** Why the client went away, once it has; listeners waiting for that. */
  #goneReason: unknown;
  #gone = false;
  #goneListeners: Array<(reason: unknown) => void> | undefined;
  /** Settles when the response finished or the connection closed. */
  readonly ended: Promise<void>;
  readonly #body: NodeRequestBody;

  constructor(incoming: IncomingMessage, outgoing: ServerResponse, parsedBody: unknown) {
    this.#incoming = incoming;
    this.#body = new NodeRequestBody(incoming, parsedBody);
    this.method = incoming.method ?? 'GET';
    this.url = absoluteUrl(incoming);
    this.clientAddress = incoming.socket?.remoteAddress;
    let resolveEnded: () => void = () => {};
    this.ended = new Promise((resolve) => {
      resolveEnded = resolve;
    });
    const left = () => {
      if (!outgoing.writableFinished) this.#clientLeft(clientClosed());
      resolveEnded();
    };
    // 'close' follows 'finish' too. A pipelined request queued behind another never gets its
    // response's 'close' when the client leaves; its socket's 'close' reaches it.
    outgoing.on('close', left);
    const socket = incoming.socket;
    if (socket && !outgoing.socket) outgoing.once('finish', whenSocketCloses(socket, left));
  }

  /** Whether bytes of this request may still be unread on the connection. */
  get bodyUnread(): boolean {
    return this.#body.unread;
  }

  /** Reads and discards what is left of the body, within `limits` (see NodeRequestBody.discardRest). */
  discardUnreadBody(limits: UnreadBodyLimits): Promise<void> {
    return this.#body.discardRest(limits);
  }

  /** Made on first use: most requests only need `clientGone`. */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#gone) this.#controller.abort(this.#goneReason);
    }
    return this.#controller.signal;
  }

  clientGone(listener: (reason: unknown) => void): () => void {
    if (this.#gone) {
      listener(this.#goneReason);
      return () => {};
    }
    this.#goneListeners ??= [];
    const listeners = this.#goneListeners;
    listeners.push(listener);
    return () => {
      const index = listeners.indexOf(listener);
      if (index >= 0) listeners.splice(index, 1);
    };
  }

  #clientLeft(reason: unknown): void {
    this.#gone = true;
    this.#goneReason = reason;
    this.#controller?.abort(reason);
    const listeners = this.#goneListeners ?? [];
    this.#goneListeners = undefined;
    for (const listener of listeners) listener(reason);
  }

  header(name: string): string | null {
    if (keptOnce.has(name)) return allValues(this.#incoming.rawHeaders, name);
    const value = this.#incoming.headers[name];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }

  body(): IncomingBody | undefined {
    return this.#body.reader();
  }

  request(): Request {
    if (!this.#request) {
      const body = this.method === 'GET' || this.method === 'HEAD' ? undefined : this.#body.webStream();
      this.#request = new Request(this.url, {
        method: this.method,
        headers: headersOf(this.#incoming),
        signal: this.signal,
        ...(body ? { body, duplex: 'half' } : {}),
      } as RequestInit);
    }
    return this.#request;
  }
}

/** The calls waiting behind another on each pipelined connection. */
const queuedOnSocket = new WeakMap<Socket, Set<() => void>>();

/**
 * Calls `listener` when the socket closes; returns what stops that. Every
 * call queued on one connection shares one 'close' listener: a client may
 * pipeline any number of requests, and a listener each made Node warn of a
 * leak past ten.
 */
function whenSocketCloses(socket: Socket, listener: () => void): () => void {
  let waiting = queuedOnSocket.get(socket);
  if (!waiting) {
    const calls = new Set<() => void>();
    waiting = calls;
    queuedOnSocket.set(socket, calls);
    socket.once('close', () => {
      queuedOnSocket.delete(socket);
      for (const call of calls) call();
    });
  }
  const calls = waiting;
  calls.add(listener);
  return () => calls.delete(listener);
}

/**
 * Headers of which Node's `headers` keeps only the first when a request
 * repeats them. The gateway reads them as `Headers.get` (and so
 * `gateway.fetch`) does, every value joined: two Authorization headers must
 * not pass on the Node path because the first one is valid.
 */
const keptOnce = new Set(['authorization', 'content-type']);

function allValues(rawHeaders: readonly string[], name: string): string | null {
  let joined: string | null = null;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    if ((rawHeaders[index] as string).toLowerCase() !== name) continue;
    const value = rawHeaders[index + 1] as string;
    joined = joined === null ? value : `${joined}, ${value}`;
  }
  return joined;
}

const hostPattern = /^(?:[\w.-]+|\[[\da-f:.]+\])(?::\d{1,5})?$/i;

/** The request's absolute URL; a Host header that is not a plain host name is not trusted into it. */
export function absoluteUrl(incoming: IncomingMessage): string {
  const target = incoming.url ?? '/';
  if (!target.startsWith('/')) {
    // Absolute-form request targets ("GET http://host/path"), as proxies send them.
    try {
      const parsed = new URL(target);
      return `http://${parsed.host}${parsed.pathname}${parsed.search}`;
    } catch {
      return 'http://localhost/';
    }
  }
  const host = incoming.headers.host;
  const trusted = host && isPlainHost(host) ? host : 'localhost';
  return `http://${trusted}${target}`;
}

/** Host headers already checked: a server sees the same few on almost every request. */
const plainHosts = new Set<string>();

function isPlainHost(host: string): boolean {
  if (plainHosts.has(host)) return true;
  if (!hostPattern.test(host) || !URL.canParse(`http://${host}/`)) return false;
  // Bounded: every client chooses its Host header.
  if (plainHosts.size >= 64) plainHosts.clear();
  plainHosts.add(host);
  return true;
}

function headersOf(incoming: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return headers;
}
