import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { ImageGateway } from '../../src/gateway.js';
import { byteLengthOf } from '../../src/lib/body-pieces.js';
import type { Answer } from '../../src/server/answer.js';
import { serveOf } from '../../src/server/host-entry.js';
import type { IncomingBody, IncomingCall } from '../../src/server/incoming-call.js';
import { writeBodyPieces } from './node-body-writer.js';
import { clientClosed, NodeRequestBody, serializeBody } from './node-request-body.js';
import { WriteStallGuard } from './node-write-stall.js';

/** Serves one Node request; resolves once the response is written or the client left. */
export type NodeBridge = (incoming: IncomingMessage, outgoing: ServerResponse, parsedBody?: unknown) => Promise<void>;

/**
 * Serves Node requests straight from IncomingMessage to ServerResponse: the
 * core reads headers and body chunks through an `IncomingCall` and answers
 * with an `Answer`, so no Web Request, Response or stream is built per
 * request (measured: they cost most of the gateway's per-request CPU).
 * The call's signal aborts when the client disconnects.
 *
 * A body parser that ran first (express.json(), @koa/bodyparser) has drained
 * the stream; its result (`parsedBody`) is read instead of the spent stream.
 * A gateway object not made by createImageGateway is served through its
 * `fetch`, converted by @hono/node-server.
 */
export function createNodeBridge(gateway: ImageGateway): NodeBridge {
  const handle = serveOf(gateway);
  if (!handle) return fetchBridge(gateway);
  const { serve, writeStallTimeoutMs } = handle;
  return async (incoming, outgoing, parsedBody) => {
    const call = new NodeCall(incoming, outgoing, parsedBody);
    const answer = await serve(call);
    writeAnswer(answer, call, outgoing, writeStallTimeoutMs);
    await call.ended;
  };
}

/** An IncomingCall over a Node request; its signal follows the response's socket. */
class NodeCall implements IncomingCall {
  readonly method: string;
  readonly url: string;
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

/** Writes an answer; `call.ended` settles when the response finished or the client left. */
function writeAnswer(answer: Answer, call: NodeCall, outgoing: ServerResponse, stallTimeoutMs: number): void {
  if (outgoing.destroyed) return;
  // Unread bytes left on the connection would be read and discarded before the next request: close it instead.
  const headers = call.bodyUnread ? { ...answer.headers, connection: 'close' } : answer.headers;
  if (answer.stream) {
    outgoing.writeHead(answer.status, headers);
    outgoing.flushHeaders();
    // Made once a write is not taken at once: ten thousand streams waiting in the queue should not
    // each hold one. (A chunked write sits in the corked socket until the next tick, so a non-empty
    // buffer right after write() says nothing; its return value does.)
    let stall: WriteStallGuard | undefined;
    const checkStall = () => {
      stall ??= new WriteStallGuard(outgoing, stallTimeoutMs);
      stall.check();
    };
    const cancel = answer.stream({
      write: (chunk) => {
        if (outgoing.writableEnded || outgoing.destroyed) return;
        if (!outgoing.write(chunk) || stall) checkStall();
      },
      close: () => {
        if (outgoing.writableEnded || outgoing.destroyed) return;
        outgoing.end();
        if (stall) stall.check();
        else WriteStallGuard.after(outgoing, stallTimeoutMs);
      },
      ready: () => !outgoing.writableNeedDrain,
      onReady: (callback) => {
        outgoing.on('drain', callback);
      },
    });
    call.clientGone(cancel);
    return;
  }
  if (answer.status === 204 || answer.status === 304) {
    outgoing.writeHead(answer.status, headers);
    outgoing.end();
    return;
  }
  const body = answer.body ?? '';
  if (typeof body === 'string') {
    outgoing.writeHead(answer.status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
    outgoing.end(body);
    WriteStallGuard.after(outgoing, stallTimeoutMs);
    return;
  }
  const length = byteLengthOf(body);
  outgoing.writeHead(answer.status, { ...headers, 'content-length': String(length) });
  writeBodyPieces(outgoing, body, length, stallTimeoutMs);
}

/** For gateway objects without `serve`: Web Request/Response through @hono/node-server. */
function fetchBridge(gateway: ImageGateway): NodeBridge {
  const listener = getRequestListener((request) => gateway.fetch(request), { overrideGlobalObjects: false });
  return async (incoming, outgoing, parsedBody) => {
    // Body parsers declare rawBody as a string on IncomingMessage; the converter wants a Buffer.
    const withRawBody = incoming as unknown as { rawBody?: unknown };
    if (incoming.readableEnded && !(withRawBody.rawBody instanceof Buffer))
      withRawBody.rawBody = parsedBody === undefined || parsedBody === null ? Buffer.alloc(0) : serializeBody(parsedBody);
    return listener(incoming, outgoing);
  };
}
