import { z } from 'zod';
import type { UsageEvent } from '../usage-event.js';

const price = z.number().min(0).max(1_000_000);

/** A price per image: one figure for every quality, or one per quality ("low", "high", "hd"...; "default" for the rest). */
const imagePrice = z.union([price, z.record(z.string().min(1).max(32), price)]);

/**
 * One model's prices, in whatever unit you bill in (the gateway adds them up,
 * it converts nothing). `perImage` prices each output image by the size asked
 * ("1024x1024", a tier "1K"/"2K"/"4K", or "default") and quality; `perMillionTokens`
 * prices tokens, with input and output images at their own rates.
 */
export const modelPriceSchema = z
  .object({
    perImage: z.record(z.string().min(1).max(32), imagePrice).optional(),
    perMillionTokens: z
      .object({
        /** Text (and, without `imageInput`, image) tokens of the prompt. */
        input: price.optional(),
        /** Tokens of the prompt's input images; absent: they cost `input`. */
        imageInput: price.optional(),
        /** Text and reasoning tokens of the answer. */
        output: price.optional(),
        /** Tokens of the answer's images; never priced at the text rate. Ignored when `perImage` prices the images. */
        imageOutput: price.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Prices by model: the provider model id ("gpt-image-1"), or "instance/model" for one instance's own. */
export const modelPricesSchema = z.record(z.string().min(1).max(256), modelPriceSchema);

export type ModelPrice = z.output<typeof modelPriceSchema>;
export type ModelPrices = z.output<typeof modelPricesSchema>;

/** Decimal places a cost keeps: sums of float prices otherwise print as 0.30000000000000004. */
const costDecimals = 1e9;

/**
 * What one request cost by `prices`, or undefined when its serving model has
 * no price. Output images are priced per image when `perImage` has a price
 * for the size asked (else its "default"), else by their image tokens at
 * `imageOutput`; text output tokens (the answer's tokens less its image
 * tokens) at `output`; the prompt's image tokens at `imageInput` (else
 * `input`), the rest at `input`. Image tokens are never priced as text.
 *
 * @example
 * costOf({ 'gpt-image-1': { perImage: { '1024x1024': { low: 0.011, high: 0.167 } } } }, event); // 0.167 for one high 1024x1024
 */
export function costOf(prices: ModelPrices, event: UsageEvent): number | undefined {
  if (!event.providerModel) return undefined;
  const modelPrice = (event.provider ? prices[`${event.provider}/${event.providerModel}`] : undefined) ?? prices[event.providerModel];
  if (!modelPrice) return undefined;
  const perToken = modelPrice.perMillionTokens;
  const imagePrice = event.images > 0 ? perImagePrice(modelPrice, event.size, event.quality) : undefined;
  let cost = imagePrice === undefined ? 0 : imagePrice * event.images;
  if (perToken) {
    const promptImageTokens = event.promptImageTokens ?? 0;
    const outputImageTokens = Math.min(event.imageTokens ?? 0, event.completionTokens);
    cost += (Math.max(0, event.promptTokens - promptImageTokens) * (perToken.input ?? 0)) / 1e6;
    cost += (promptImageTokens * (perToken.imageInput ?? perToken.input ?? 0)) / 1e6;
    cost += ((event.completionTokens - outputImageTokens) * (perToken.output ?? 0)) / 1e6;
    // A per-image price already covers the images: their tokens are not billed twice.
    if (imagePrice === undefined) cost += (outputImageTokens * (perToken.imageOutput ?? 0)) / 1e6;
  }
  return Math.round(cost * costDecimals) / costDecimals;
}

/** The price of one image of this size and quality: the size's own entry or "default", then the quality's own or "default". */
function perImagePrice(modelPrice: ModelPrice, size: string | undefined, quality: string | undefined): number | undefined {
  const bySize = modelPrice.perImage;
  if (!bySize) return undefined;
  const entry = (size === undefined ? undefined : bySize[size]) ?? bySize.default;
  if (entry === undefined || typeof entry === 'number') return entry;
  return (quality === undefined ? undefined : entry[quality]) ?? entry.default;
}
