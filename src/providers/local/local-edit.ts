import sharp, { type Sharp } from 'sharp';
import { GatewayError } from '../../errors/gateway-error.js';
import { undecodableImageError } from '../../errors/image-errors.js';
import type { ImageData } from '../../images/image-data.js';
import { maxImageSide, minImageSide, type PixelSize, parseAspectRatio } from '../../images/image-geometry.js';
import type { GenerationSignal } from '../../provider.js';
import type { LocalOutputFormat } from './local-config.js';
import { type EncodedImage, encodeImage, type RunSharp, runSharpNow } from './local-encode.js';
import { describeOperation, type EditOperation } from './local-instructions.js';
import { clampSize } from './local-size.js';

export interface EditOptions {
  images: readonly ImageData[];
  operations: readonly EditOperation[];
  /** `request.aspectRatio`: crops when the instruction has no crop of its own. */
  aspectRatio?: string;
  /** `request.size`: the result is resized (cropping to fill) to it, last. */
  size?: PixelSize;
  format: LocalOutputFormat;
  quality: number;
  signal: GenerationSignal;
  /** Where each sharp pipeline runs (the gateway's conversion queue); at once when absent. */
  runSharp?: RunSharp;
}

export interface EditResult extends EncodedImage {
  /** Labels of what was applied, in order ("grayscale", "rotate 90°"). */
  applied: string[];
}

/** Decoded pixels between steps: sharp applies one pipeline's operations in its own fixed order, so each step is its own pipeline. */
interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

const white = { r: 255, g: 255, b: 255 };
const blurSigma = { light: 2, medium: 5, strong: 12 } as const;

/**
 * Applies edit operations to the input images with sharp. Several inputs are
 * first placed side by side at the height of the shortest; then operations
 * run in the order written; then `aspectRatio` and `size` from the request.
 * Each input is decoded straight to its share of a strip at most 4096
 * pixels on a side (read from its header first), so five 40 MP photos cost
 * one 4096-pixel strip of memory, not 600 MB of full-size pixels; anything
 * larger later (a rotation's bounding box) is scaled down to fit.
 * Checks the signal between steps and throws its reason when aborted.
 *
 * @example
 * const result = await editImages({ images: [photo], operations: parseInstructions('grayscale'),
 *   format: 'jpeg', quality: 85, signal });
 */
export async function editImages(options: EditOptions): Promise<EditResult> {
  const { signal } = options;
  const runSharp = options.runSharp ?? runSharpNow;
  const sizes: PixelSize[] = [];
  for (const image of options.images) sizes.push(await orientedSize(image));
  const targets = stripSizes(sizes);
  const inputs: RawImage[] = [];
  for (const [index, image] of options.images.entries()) {
    signal.throwIfAborted();
    inputs.push(await decodeInput(image, targets[index] as PixelSize, runSharp));
  }
  let current = inputs.length > 1 ? await sideBySide(inputs, runSharp) : inputs[0];
  if (!current) throw new RangeError('editImages needs at least one input image');
  // Work at most at the output limit: an 8K strip of combined inputs would make every step four times slower.
  if (current.width > maxImageSide || current.height > maxImageSide)
    current = await toRaw(fromRaw(current).resize(maxImageSide, maxImageSide, { fit: 'inside' }), runSharp);
  const applied: string[] = [];
  const steps = [...options.operations];
  const ratio = options.aspectRatio ? parseAspectRatio(options.aspectRatio) : undefined;
  if (ratio && options.aspectRatio && !steps.some((step) => step.kind === 'crop')) {
    steps.push({ kind: 'crop', aspectRatio: options.aspectRatio, ratio });
  }
  if (options.size) steps.push({ kind: 'resize', ...options.size });
  for (const step of steps) {
    signal.throwIfAborted();
    current = await toRaw(applyOperation(fromRaw(current), step, current), runSharp);
    applied.push(describeOperation(step));
  }
  signal.throwIfAborted();
  let output = fromRaw(current);
  if (current.width > maxImageSide || current.height > maxImageSide) output = output.resize(maxImageSide, maxImageSide, { fit: 'inside' });
  return { ...(await encodeImage(output, options.format, options.quality, runSharp)), applied };
}

/** An input's size as the user sees it: EXIF orientations 5 to 8 turn it a quarter. */
async function orientedSize(image: ImageData): Promise<PixelSize> {
  try {
    const { width = 1, height = 1, orientation = 1 } = await sharp(image.bytes()).metadata();
    return orientation >= 5 ? { width: height, height: width } : { width, height };
  } catch (error) {
    throw undecodable(image, error);
  }
}

/**
 * The size each input is decoded at: all at the height of the shortest, the
 * strip they make scaled down (never up) to at most `maxImageSide` on a side.
 */
export function stripSizes(sizes: readonly PixelSize[]): PixelSize[] {
  const height = Math.min(...sizes.map((size) => size.height));
  const widths = sizes.map((size) => Math.max(1, Math.round((size.width * height) / size.height)));
  const total = widths.reduce((sum, width) => sum + width, 0);
  const scale = Math.min(1, maxImageSide / total, maxImageSide / height);
  const scaledHeight = Math.max(1, Math.round(height * scale));
  return widths.map((width) => ({ width: Math.max(1, Math.round(width * scale)), height: scaledHeight }));
}

/**
 * Decodes one input image at `size`. The ingester has proved that it decodes, at
 * `failOn: 'error'` or stricter (see image-decode-policy.ts), so this decodes
 * at 'error' too: sharp's default ('warning') would refuse a whole JPEG that
 * libjpeg only warns about. Should it fail all the same, the fault is in the
 * client's bytes: a 400 naming the image, not a 500.
 */
async function decodeInput(image: ImageData, size: PixelSize, runSharp: RunSharp): Promise<RawImage> {
  try {
    // rotate() with no angle applies EXIF orientation, so "rotate 90" turns what the user sees.
    const pipeline = sharp(image.bytes(), { failOn: 'error' })
      .rotate()
      .resize(size.width, size.height, { fit: 'fill' })
      .flatten({ background: white });
    return await toRaw(pipeline, runSharp);
  } catch (error) {
    if ((error as Error)?.name === 'AbortError' || GatewayError.isInstance(error)) throw error;
    throw undecodable(image, error);
  }
}

function undecodable(image: ImageData, error: unknown) {
  const format = image.mediaType.replace(/^image\//, '').toUpperCase();
  return undecodableImageError(image.sentAt ?? 'messages', undefined, format, error);
}

function applyOperation(image: Sharp, operation: EditOperation, size: PixelSize): Sharp {
  switch (operation.kind) {
    case 'saturation':
      return image.modulate({ saturation: operation.factor });
    case 'grayscale':
      return image.grayscale();
    case 'blur':
      // Scaled with the picture so "blur" looks alike on a 1K and a 4K image.
      return image.blur(blurSigma[operation.strength] * Math.max(1, Math.max(size.width, size.height) / 1024));
    case 'sharpen':
      return image.sharpen({ sigma: 1.5 });
    case 'brightness':
      return image.modulate({ brightness: operation.factor });
    case 'contrast':
      return image.linear(operation.factor, 128 * (1 - operation.factor));
    case 'rotate':
      return operation.degrees === 0 ? image : image.rotate(operation.degrees, { background: white });
    case 'flip':
      return operation.direction === 'vertical' ? image.flip() : image.flop();
    case 'invert':
      return image.negate({ alpha: false });
    case 'tint':
      return image.tint(operation.rgb);
    case 'crop':
      return image.extract(centeredCrop(size, operation.ratio));
    case 'resize': {
      const target = clampSize(operation);
      return image.resize(target.width, target.height, { fit: 'cover' });
    }
    case 'scale':
      return image.resize(scaledSide(size.width, operation.factor), scaledSide(size.height, operation.factor), { fit: 'fill' });
  }
}

function scaledSide(side: number, factor: number): number {
  return Math.min(maxImageSide, Math.max(minImageSide, Math.round(side * factor)));
}

/** The largest centred rectangle with the given width/height ratio. */
export function centeredCrop(size: PixelSize, ratio: number): { left: number; top: number; width: number; height: number } {
  const width = Math.min(size.width, Math.max(1, Math.round(size.height * ratio)));
  const height = Math.min(size.height, Math.max(1, Math.round(width / ratio)));
  return { left: Math.floor((size.width - width) / 2), top: Math.floor((size.height - height) / 2), width, height };
}

async function sideBySide(inputs: readonly RawImage[], runSharp: RunSharp): Promise<RawImage> {
  const height = Math.min(...inputs.map((input) => input.height));
  const resized: RawImage[] = [];
  for (const input of inputs) {
    const width = Math.max(1, Math.round((input.width * height) / input.height));
    resized.push(input.height === height ? input : await toRaw(fromRaw(input).resize(width, height, { fit: 'fill' }), runSharp));
  }
  const totalWidth = resized.reduce((sum, input) => sum + input.width, 0);
  let left = 0;
  const layers = resized.map((input) => {
    const layer = { input: input.data, raw: { width: input.width, height: input.height, channels: input.channels }, left, top: 0 };
    left += input.width;
    return layer;
  });
  return toRaw(sharp({ create: { width: totalWidth, height, channels: 3, background: white } }).composite(layers), runSharp);
}

/** Decodes to 3-channel sRGB pixels: grayscale steps and odd inputs come back to one shape. */
async function toRaw(image: Sharp, runSharp: RunSharp): Promise<RawImage> {
  const pipeline = image.toColourspace('srgb').removeAlpha().raw();
  const { data, info } = await runSharp(() => pipeline.toBuffer({ resolveWithObject: true }));
  return { data, width: info.width, height: info.height, channels: info.channels as RawImage['channels'] };
}

function fromRaw(image: RawImage): Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } });
}
