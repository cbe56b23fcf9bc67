import type { ServerResponse } from 'node:http';
import { byteLengthOf } from '../../src/lib/body-pieces.js';
import type { Answer } from '../../src/server/answer.js';
import type { UnreadBodyLimits } from '../../src/server/unread-body.js';
import { writeBodyPieces } from './node-body-writer.js';
import type { NodeCall } from './node-call.js';
import { WriteStallGuard } from './node-write-stall.js';

/** How the Node path writes answers: the write-stall bound, and what an early answer discards of the upload. */
export interface AnswerWriting {
  stallTimeoutMs: number;
  unreadBody: UnreadBodyLimits;
}

/** Writes an answer; `call.ended` settles when the response finished or the client left. */
export function writeAnswer(answer: Answer, call: NodeCall, outgoing: ServerResponse, writing: AnswerWriting): void {
  if (outgoing.destroyed) return;
  const { stallTimeoutMs } = writing;
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
  if (answer.body === undefined && call.method === 'HEAD') {
    // A HEAD answer carries the Content-Length its GET would have: no body to measure it from.
    outgoing.writeHead(answer.status, headers);
    outgoing.end();
    return;
  }
  const body = answer.body ?? '';
  if (typeof body === 'string' && call.bodyUnread) {
    // The answer goes out whole (its length tells the client where it ends); the response ends, and
    // the connection closes, only once the rest of the upload was discarded or a bound was reached.
    outgoing.writeHead(answer.status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
    outgoing.write(body);
    call.discardUnreadBody(writing.unreadBody).then(() => {
      if (outgoing.writableEnded || outgoing.destroyed) return;
      outgoing.end();
      WriteStallGuard.after(outgoing, stallTimeoutMs);
    });
    return;
  }
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
