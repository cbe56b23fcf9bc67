import type { FailOnOptions } from 'sharp';
import type { ImageFormat } from '../image-format.js';

/**
 * libjpeg warnings that cameras and phones produce in files whose every block
 * decodes: bytes between the end of a scan and the next marker (some phone
 * firmware writes its own data there) and a baseline scan header with
 * progressive fields set. The pixels are whole; sharp's default refuses them.
 */
const harmlessJpegWarnings = [/\bextraneous bytes before marker\b/i, /\binvalid SOS parameters for sequential JPEG\b/i];

/**
 * Runs a sharp decode of client bytes (`decode` builds the pipeline with the
 * `failOn` it is given) as strictly as the gateway accepts them.
 *
 * libjpeg reports scan data that ends before the frame's last block only as
 * a warning ("Corrupt JPEG data: premature end of data segment") and paints
 * the missing blocks grey: a frame header that claims 6000×6000 over the data
 * of a 64×48 picture, or a file cut short with its end marker put back, then
 * "decodes" at `failOn: 'error'`, at full scale and at reduced scale alike.
 * So a JPEG decodes at `'warning'`, and again at `'error'` only when that
 * failed on one of the harmless warnings above. libvips stops at the first
 * warning, so a harmless one ahead of missing data hides it; such a file
 * passes with its grey blocks, as every JPEG did before. Whatever passes
 * decodes at `'error'`, which is how the local engine reads its inputs.
 *
 * The PNG, GIF and WebP decoders report missing data as errors, so those
 * decode at `'error'`, as lenient as before.
 *
 * @example
 * await decodeAsAccepted('jpeg', (failOn) => sharp(bytes, { failOn }).resize(64, 64).raw().toBuffer());
 */
export async function decodeAsAccepted<T>(format: ImageFormat, decode: (failOn: FailOnOptions) => Promise<T>): Promise<T> {
  if (format !== 'jpeg') return decode('error');
  try {
    return await decode('warning');
  } catch (error) {
    if (!isHarmlessJpegWarning(error)) throw error;
    return decode('error');
  }
}

function isHarmlessJpegWarning(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return harmlessJpegWarnings.some((pattern) => pattern.test(message));
}
