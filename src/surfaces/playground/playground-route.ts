import type { ProviderStats } from '../../observability/gateway-stats.js';
import { type Answer, jsonAnswer, textAnswer } from '../../server/answer.js';
import type { Route } from '../../server/router.js';
import { playgroundPage } from './playground-page.js';

export interface PlaygroundRouteOptions {
  /** Each instance's queue and health figures, read fresh per call. */
  providers: () => Record<string, ProviderStats>;
  closing: () => boolean;
  now: () => number;
  /** The `publicUrl` option: hosted image URLs start with it, so the page may load images from its origin. */
  publicUrl?: string;
}

/**
 * GET /playground: the page (open, as it holds no secrets: its own calls
 * carry the key typed into it), and GET /playground/stats: the instances'
 * load and circuits for its live view, behind the gateway's auth like any
 * API route, so an open gateway shows them to its users and a keyed one
 * only to callers with a key (/healthz keeps its own rule for probes).
 *
 * @example
 * new Router('', [...playgroundRoutes({ providers: () => providerStats(sources), closing: () => false, now: Date.now })]);
 */
export function playgroundRoutes(options: PlaygroundRouteOptions): Route[] {
  let headers: Promise<Record<string, string>> | undefined;
  const pageAnswer = async (): Promise<Answer> => {
    headers ??= pageHeaders(options.publicUrl);
    // A copy per answer: the serve pipeline adds the request id and CORS headers to the one it gets.
    return textAnswer(playgroundPage.html, 200, Object.assign({}, await headers));
  };
  return [
    { method: 'GET', path: '/playground', open: true, handle: pageAnswer },
    { method: 'GET', path: '/playground/stats', handle: () => statsAnswer(options) },
  ];
}

/**
 * The page's headers. Its one script and one style sheet are allowed by
 * their hashes, nothing else runs or loads: no remote origin at all, images
 * only from data: and blob: URLs and the gateway itself (hosted files, also
 * at the `publicUrl` origin when the page is opened by another name), and
 * calls only to the gateway.
 */
async function pageHeaders(publicUrl: string | undefined): Promise<Record<string, string>> {
  const publicOrigin = publicUrl === undefined ? '' : ` ${new URL(publicUrl).origin}`;
  const policy = [
    "default-src 'none'",
    `script-src '${await sha256(playgroundPage.script)}'`,
    `style-src '${await sha256(playgroundPage.style)}'`,
    `img-src 'self'${publicOrigin} data: blob:`,
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': policy,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cache-control': 'no-cache',
  };
}

/** A CSP source for a text: 'sha256-<base64 digest>', with Web Crypto (no node: import in the core). */
async function sha256(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return `sha256-${btoa(String.fromCharCode(...digest))}`;
}

function statsAnswer(options: PlaygroundRouteOptions): Answer {
  const now = options.now();
  const instances = Object.entries(options.providers()).map(([id, instance]) => ({
    id,
    type: instance.type,
    state: instance.health.state,
    concurrency: instance.concurrency,
    active: instance.active,
    waiting: instance.waiting,
    completed: instance.completed,
    failed: instance.failed,
    unavailable_for_ms: instance.health.unavailableUntil === null ? 0 : Math.max(0, instance.health.unavailableUntil - now),
  }));
  return jsonAnswer({ status: options.closing() ? 'shutting_down' : 'ok', instances }, 200, { 'cache-control': 'no-store' });
}
