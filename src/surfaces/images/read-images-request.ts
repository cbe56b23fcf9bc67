import { invalidRequest } from '../../errors/gateway-error.js';
import type { ImageReference } from '../../images/ingest/image-ingest-types.js';
import { LiftedString } from '../../lib/json/json-lifted-string.js';
import type { JsonPath } from '../../lib/json/json-lifting-reader.js';
import type { Exchange } from '../../server/exchange.js';
import { readJsonBody } from '../../server/read-json-body.js';
import { type MultipartBody, type MultipartFile, readMultipartBody } from '../../server/read-multipart-body.js';
import { parseRequest } from '../shared/request-validation.js';
import type { SurfaceContext } from '../surface-context.js';
import { type ImagesRequest, imagesRequestSchema } from './images-request-schema.js';

/** Which Images API endpoint a request came in on. */
export type ImagesOperation = 'generation' | 'edit';

/** An Images API request read and validated, with the images it carries as references for the ingester. */
export interface ReadImagesRequest {
  request: ImagesRequest;
  /** The images to edit, in the order sent (none for a generation). */
  inputs: ImageReference[];
  mask?: ImageReference;
}

/** Text fields of a multipart form: a multipart edit holds at most one of each, so a few dozen is plenty. */
export const maxFormFields = 32;
/** Bytes of one text field: a 32 000-character prompt in four-byte UTF-8 fits. */
export const maxFormFieldBytes = 128 * 1024;

/** Multipart text that stands for a number or a boolean, as OpenAI's SDKs send `n`, `partial_images` and `stream`. */
const numericFields = new Set(['n', 'partial_images', 'output_compression']);
const booleanFields = new Set(['stream']);

/** Big data URLs in a JSON edit are lifted out as bytes (see read-json-body.ts): `images[i].image_url` and `mask.image_url`. */
function isImagesRequestImageUrlPath(path: JsonPath): boolean {
  if (path.length === 3) return path[0] === 'images' && typeof path[1] === 'number' && path[2] === 'image_url';
  return path.length === 2 && path[0] === 'mask' && path[1] === 'image_url';
}

/**
 * Reads an Images API request: JSON for a generation; for an edit either
 * `multipart/form-data` (`image` or `image[]` files, an optional `mask`),
 * as OpenAI's SDKs send it, or JSON with `images: [{image_url}]`. A
 * generation with images, or an edit without, is a 400 naming the field.
 */
export async function readImagesRequest(
  exchange: Exchange,
  context: SurfaceContext,
  operation: ImagesOperation,
): Promise<ReadImagesRequest> {
  const { call, deadline } = exchange;
  const contentType = call.header('content-type') ?? '';
  if (operation === 'edit' && /^multipart\//i.test(contentType.trim())) {
    const form = await readMultipartBody(
      call,
      {
        maxBodyBytes: context.options.maxBodyBytes,
        maxFileBytes: context.options.images.maxImageBytes,
        // The inputs, and a mask beside them.
        maxFiles: context.options.images.maxImages + 1,
        maxFields: maxFormFields,
        maxFieldBytes: maxFormFieldBytes,
      },
      deadline,
    );
    return fromForm(form, context.options.images.maxImages);
  }
  const body = await readJsonBody(
    call,
    context.options.maxBodyBytes,
    deadline,
    { liftAt: isImagesRequestImageUrlPath },
    context.options.requestLimits,
  );
  const request = parseRequest(imagesRequestSchema, body, '"prompt"');
  if (operation === 'generation') {
    if (request.images)
      throw invalidRequest('A generation takes no images; send them to POST /v1/images/edits.', 'images', 'invalid_value');
    if (request.mask) throw invalidRequest('A generation takes no mask; send it to POST /v1/images/edits.', 'mask', 'invalid_value');
    return { request, inputs: [] };
  }
  if (!request.images) {
    throw invalidRequest(
      'Missing required parameter: \'images\'. An edit sent as JSON carries its images as "images": [{"image_url": "data:… or https://…"}]; or send multipart/form-data with "image" files.',
      'images',
      'missing_required_parameter',
    );
  }
  const inputs = request.images.map((image, index) => reference(image.image_url, `images[${index}].image_url`, index));
  const mask = request.mask ? reference(request.mask.image_url, 'mask.image_url', inputs.length) : undefined;
  return { request, inputs, mask };
}

function fromForm(form: MultipartBody, maxImages: number): ReadImagesRequest {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of form.fields) {
    if (numericFields.has(name) && /^-?\d+$/.test(value.trim())) fields[name] = Number(value);
    else if (booleanFields.has(name) && (value === 'true' || value === 'false')) fields[name] = value === 'true';
    else fields[name] = value;
  }
  const request = parseRequest(imagesRequestSchema, fields, '"prompt"');
  const images: MultipartFile[] = [];
  let mask: MultipartFile | undefined;
  for (const file of form.files) {
    if (file.field === 'image' || file.field === 'image[]' || /^image\[\d+\]$/.test(file.field)) images.push(file);
    else if (file.field === 'mask' && !mask) mask = file;
    else {
      throw invalidRequest(
        `The form field "${file.field}" holds a file; files go in "image" (one), "image[]" (several) and "mask".`,
        file.field,
        'invalid_value',
      );
    }
  }
  if (images.length === 0) {
    throw invalidRequest(
      'Missing required parameter: \'image\'. Send the image to edit as a file in the "image" field (several as "image[]").',
      'image',
      'missing_required_parameter',
    );
  }
  if (images.length > maxImages) {
    throw invalidRequest(
      `The form carries ${images.length} images; the limit is ${maxImages} (images.maxImages).`,
      fileParam(images, maxImages),
      'TOO_MANY_IMAGES',
    );
  }
  const inputs = images.map((file, index) => reference(fileDataUrl(file), fileParam(images, index), index));
  return { request, inputs, mask: mask ? reference(fileDataUrl(mask), 'mask', images.length) : undefined };
}

/** `image` for a lone file, `image[1]` for the second of several. */
function fileParam(images: readonly MultipartFile[], index: number): string {
  const field = images[index]?.field ?? 'image[]';
  if (images.length === 1 && field === 'image') return 'image';
  return `${field.replace(/\[\d*\]$/, '')}[${index}]`;
}

/**
 * A file as the data URL the ingester reads, its base64 held as bytes: the
 * same sniffing, limits, bomb guard and JPEG normalisation as a chat image,
 * and providers that send base64 upstream reuse it as it is.
 */
function fileDataUrl(file: MultipartFile): LiftedString {
  const declared = /^image\/[\w.+-]+$/i.test(file.mediaType) ? file.mediaType : 'application/octet-stream';
  return new LiftedString([Buffer.from(`data:${declared};base64,`, 'latin1'), Buffer.from(file.bytes.toString('base64'), 'latin1')]);
}

function reference(url: string | LiftedString, param: string, partIndex: number): ImageReference {
  return { url, param, messageIndex: 0, partIndex, origin: 'user' };
}
