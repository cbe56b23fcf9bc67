import { GatewayError } from '../../errors/gateway-error.js';
import type { Answer } from '../../server/answer.js';
import type { Route, RoutedCall } from '../../server/router.js';
import { signerOf } from '../shared/host-image.js';
import { imageFileKey, imageFileName, imageFilesPath, parseImageFileName } from '../shared/image-file-links.js';
import type { SurfaceContext } from '../surface-context.js';
import { parseByteRange } from './byte-range.js';

/**
 * `GET` and `HEAD /v1/files/images/{id}`: the hosted image files of URL
 * delivery. Open (no Authorization): the id's 128 random bits are the
 * capability, as an `<img src>` carries no key. With a signing secret, a URL
 * whose signature or expiry does not hold is a 404 before storage is asked.
 * Answers carry the file's type and length, an ETag (the content under an id
 * never changes), `Cache-Control: private, max-age=<seconds left>, immutable`,
 * `nosniff`, and honour one `Range` (206, or 416) and `If-None-Match` (304).
 *
 * @example
 * new Router('', [...imageFileRoutes(context)]);
 */
export function imageFileRoutes(context: SurfaceContext): Route[] {
  const handle = (routed: RoutedCall) => serveImageFile(routed, context);
  return [
    { method: 'GET', path: imageFilesPath, prefix: true, open: true, handle },
    { method: 'HEAD', path: imageFilesPath, prefix: true, open: true, handle },
  ];
}

async function serveImageFile({ call, parameter }: RoutedCall, context: SurfaceContext): Promise<Answer> {
  const id = parseImageFileName(parameter);
  if (!id) throw notFound();
  const signer = signerOf(context);
  if (signer && !signer.verify(id, new URL(call.url).searchParams, context.now())) throw notFound();
  const entry = await context.blobs.get(imageFileKey(id));
  if (!entry) throw notFound();
  const size = entry.bytes.byteLength;
  const secondsLeft = Math.max(0, Math.floor((entry.expiresAt - context.now()) / 1000));
  const etag = `"${id}"`;
  const headers: Record<string, string> = {
    'content-type': entry.contentType,
    etag,
    'cache-control': `private, max-age=${secondsLeft}, immutable`,
    'x-content-type-options': 'nosniff',
    'accept-ranges': 'bytes',
    'content-disposition': `inline; filename="${imageFileName(id, entry.contentType)}"`,
  };
  if (matchesEtag(call.header('if-none-match'), etag)) return { status: 304, headers };
  const ifRange = call.header('if-range');
  const range = ifRange === null || ifRange === etag ? parseByteRange(call.header('range'), size) : undefined;
  if (range === 'unsatisfiable') {
    throw new GatewayError({
      status: 416,
      type: 'invalid_request_error',
      code: 'RANGE_NOT_SATISFIABLE',
      param: 'Range',
      message: `The Range header asks for bytes outside this file, which has ${size} bytes (bytes 0-${Math.max(0, size - 1)}).`,
      headers: { 'content-range': `bytes */${size}` },
    });
  }
  const status = range ? 206 : 200;
  const bytes = range ? entry.bytes.subarray(range.start, range.end + 1) : entry.bytes;
  if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${size}`;
  headers['content-length'] = String(bytes.byteLength);
  // HEAD: the headers GET would send, no body (the Node writer keeps the given Content-Length).
  if (call.method === 'HEAD') return { status, headers };
  return { status, headers, body: [bytes] };
}

/** `If-None-Match`: `*` or a list of tags, weak ones compared weakly (RFC 9110 13.1.2). */
function matchesEtag(header: string | null, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

function notFound(): GatewayError {
  return new GatewayError({
    status: 404,
    type: 'invalid_request_error',
    code: 'FILE_NOT_FOUND',
    param: 'file_id',
    message: 'No such image file: the link is wrong, or it expired (hosted image files last images.urlTtlSeconds).',
  });
}
