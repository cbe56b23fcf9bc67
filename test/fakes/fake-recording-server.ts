/**
 * The HTTP core every fake upstream shares: a node:http server on
 * 127.0.0.1 (ephemeral port) whose handler failures become JSON 500s, a
 * log of what arrived that tests can await, JSON answers, and a wait that
 * notices a client leaving. Each fake keeps only its wire format.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeHandler = (incoming: IncomingMessage, outgoing: ServerResponse) => Promise<void>;

export interface LoopbackServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  /** Cuts open connections too, so a test never waits on a stuck client. */
  close(): Promise<void>;
}

/** A request as a JSON-speaking fake received it. */
export interface RecordedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body; undefined when the body was empty or not JSON. */
  body: any;
  /** Set once the connection closed before the fake finished answering. */
  clientAborted: boolean;
  /** Resolves when this request's response closed (finished or cut off). */
  closed: Promise<void>;
}

export interface RequestLog<Entry> {
  /** Everything recorded so far, oldest first; tests may empty it. */
  requests: Entry[];
  add(entry: Entry): void;
  /** Resolves with the `count`-th request once it has arrived. */
  waitForRequests(count: number): Promise<Entry>;
}

/**
 * Starts `handle` on 127.0.0.1, port 0. A handler that throws answers 500
 * with `failureBody(error)` (each upstream has its own error envelope), or
 * cuts the connection when the answer had already begun.
 *
 * @example
 * const server = await startLoopbackServer(async (incoming, outgoing) => sendJson(outgoing, 200, { ok: true }));
 * await fetch(`${server.url}/anything`);
 * await server.close();
 */
export async function startLoopbackServer(
  handle: FakeHandler,
  failureBody: (error: Error) => unknown = (error) => ({ error: { message: String(error) } }),
): Promise<LoopbackServer> {
  const server = createServer((incoming, outgoing) => {
    handle(incoming, outgoing).catch((error: Error) => {
      if (!outgoing.headersSent) sendJson(outgoing, 500, failureBody(error));
      else outgoing.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * A list of received requests that tests can await instead of polling.
 *
 * @example
 * const log = createRequestLog<RecordedRequest>();
 * const third = await log.waitForRequests(3);
 */
export function createRequestLog<Entry>(): RequestLog<Entry> {
  const requests: Entry[] = [];
  const waiters: (() => void)[] = [];
  return {
    requests,
    add(entry) {
      requests.push(entry);
      for (const wake of waiters.splice(0)) wake();
    },
    async waitForRequests(count) {
      while (requests.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
      return requests[count - 1] as Entry;
    },
  };
}

export interface RecordingServer extends LoopbackServer {
  requests: RecordedRequest[];
  /** Resolves with the `count`-th request once it has arrived. */
  waitForRequests(count: number): Promise<RecordedRequest>;
}

/**
 * A loopback server for a JSON-speaking upstream: every request is read,
 * recorded and logged before `handle` answers it.
 *
 * @example
 * const server = await startRecordingServer(async (incoming, outgoing, record) => sendJson(outgoing, 200, record.body));
 * await fetch(server.url, { method: 'POST', body: '{"a":1}' });
 * server.requests[0]?.body; // { a: 1 }
 */
export async function startRecordingServer(
  handle: (incoming: IncomingMessage, outgoing: ServerResponse, record: RecordedRequest) => Promise<void>,
  failureBody?: (error: Error) => unknown,
): Promise<RecordingServer> {
  const log = createRequestLog<RecordedRequest>();
  const server = await startLoopbackServer(async (incoming, outgoing) => {
    const record = await recordJsonRequest(incoming, outgoing);
    log.add(record);
    await handle(incoming, outgoing, record);
  }, failureBody);
  return { ...server, requests: log.requests, waitForRequests: log.waitForRequests };
}

/** A recording server whose default scenario a test can switch. */
export interface ScenarioFake<Scenario> extends RecordingServer {
  /** Used when the request names no `[scenario:NAME]` of its own. */
  setScenario(scenario: Scenario): void;
}

/** The whole request body. */
export async function readBody(incoming: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Reads and JSON-parses the body and starts watching the response, so a
 * test can tell a finished answer from a client that left.
 */
export async function recordJsonRequest(incoming: IncomingMessage, outgoing: ServerResponse): Promise<RecordedRequest> {
  const text = (await readBody(incoming)).toString('utf8');
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const record: RecordedRequest = {
    method: incoming.method ?? '',
    url: incoming.url ?? '',
    headers: incoming.headers,
    body,
    clientAborted: false,
    closed: Promise.resolve(),
  };
  record.closed = new Promise((resolve) =>
    outgoing.once('close', () => {
      record.clientAborted = !outgoing.writableFinished;
      resolve();
    }),
  );
  return record;
}

export function sendJson(outgoing: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  outgoing.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  outgoing.end(text);
}

/** Resolves true after `ms`, or false as soon as the client goes away. */
export function waitUnlessClosed(outgoing: ServerResponse, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      outgoing.off('close', onClose);
      resolve(true);
    }, ms);
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    outgoing.once('close', onClose);
  });
}
