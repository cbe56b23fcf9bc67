import { textResponse } from './text-response.js';

const bodyPiecesKey = Symbol.for('image-gateway.body-pieces');

/**
 * A Response whose body is a list of pieces the core already holds: text
 * (written as UTF-8) and bytes (written as they are, e.g. a 15 MB base64
 * image as it came from the upstream). The pieces are also kept on the
 * object, so a Node adapter can write them straight to the socket; a web
 * stream reads them one by one only when someone else reads the body.
 * All-text bodies are joined and made a `textResponse`.
 *
 * @example
 * return piecesResponse(['{"url":"', imageBytes, '"}'], { status: 200, headers: { 'content-type': 'application/json' } });
 */
export function piecesResponse(pieces: readonly (string | Uint8Array)[], init: ResponseInit): Response {
  if (pieces.every((piece) => typeof piece === 'string')) return textResponse(pieces.join(''), init);
  const encoder = new TextEncoder();
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const piece = pieces[next++];
      if (piece === undefined) controller.close();
      else controller.enqueue(typeof piece === 'string' ? encoder.encode(piece) : piece);
    },
  });
  const response = new Response(body, init);
  Object.defineProperty(response, bodyPiecesKey, { value: pieces });
  return response;
}

/** The pieces of a Response made by `piecesResponse` (not an all-text one), or undefined for any other. */
export function bodyPiecesOf(response: Response): readonly (string | Uint8Array)[] | undefined {
  const pieces = (response as unknown as Record<symbol, unknown>)[bodyPiecesKey];
  return Array.isArray(pieces) ? pieces : undefined;
}
