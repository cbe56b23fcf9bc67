const familyMarker = Symbol.for('image-gateway.error');

/**
 * The one family of the gateway's errors. `GatewayError` already knows its
 * HTTP answer; `UpstreamError` says how a provider's upstream failed and is
 * turned into one by the table in to-gateway-error.ts. Markers from
 * `Symbol.for` (rather than `instanceof`) recognise them across two copies
 * of the package, as the ESM and CommonJS builds are.
 *
 * @example
 * if (ImageGatewayError.isInstance(error) && error.retryable) retryLater();
 */
export abstract class ImageGatewayError extends Error {
  readonly [familyMarker] = true;
  /** Whether the same request may succeed when tried again: later, or on another provider instance. */
  abstract readonly retryable: boolean;

  static isInstance(error: unknown): error is ImageGatewayError {
    return hasMarker(error, familyMarker);
  }
}

/** Whether `error` carries `marker`; how each member of the family recognises its own. */
export function hasMarker(error: unknown, marker: symbol): boolean {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
}
