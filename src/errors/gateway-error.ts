import { hasMarker, ImageGatewayError } from './image-gateway-error.js';

const marker = Symbol.for('image-gateway.gateway-error');

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_exceeded'
  | 'server_error';

export interface GatewayErrorOptions {
  status: number;
  type: ErrorType;
  code: string;
  message: string;
  param?: string | null;
  /** Extra response headers, such as Retry-After. */
  headers?: Record<string, string>;
  cause?: unknown;
  /** What the log may know but the client must not (an address a host name resolved to). */
  logDetail?: string;
}

/**
 * An error that already knows its HTTP answer. Everything the gateway rejects
 * on purpose is one of these; anything else becomes a 500 without details.
 *
 * @example
 * throw new GatewayError({ status: 400, type: 'invalid_request_error', code: 'invalid_value',
 *   param: 'temperature', message: 'temperature must be between 0 and 2, got 3' });
 */
export class GatewayError extends ImageGatewayError {
  readonly [marker] = true;
  override readonly name = 'GatewayError';
  readonly status: number;
  readonly type: ErrorType;
  readonly code: string;
  readonly param: string | null;
  readonly headers: Record<string, string>;
  readonly logDetail: string | undefined;

  constructor(options: GatewayErrorOptions) {
    super(options.message, { cause: options.cause });
    this.status = options.status;
    this.type = options.type;
    this.code = options.code;
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
    this.logDetail = options.logDetail;
  }

  /** As OpenAI's SDKs judge an answer: 408, 409, 429 and 5xx may succeed when sent again. */
  get retryable(): boolean {
    return this.status === 408 || this.status === 409 || this.status === 429 || this.status >= 500;
  }

  static override isInstance(error: unknown): error is GatewayError {
    return hasMarker(error, marker);
  }
}

/** A 400 invalid_request_error, the most common rejection. */
export function invalidRequest(message: string, param: string | null = null, code = 'invalid_value'): GatewayError {
  return new GatewayError({ status: 400, type: 'invalid_request_error', code, message, param });
}
