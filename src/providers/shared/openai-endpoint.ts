/**
 * The URL of one OpenAI-style endpoint below `baseURL`. A base that already
 * names an API version (`/v1`, `/api/v3`, `/v1beta/openai`) is used as it is;
 * a bare host gets `/v1`. So `https://api.openai.com`, `https://api.openai.com/v1`
 * and `https://openrouter.ai/api/v1` all work.
 *
 * @example
 * endpointUrl('https://api.openai.com', 'images/generations'); // "https://api.openai.com/v1/images/generations"
 */
export function endpointUrl(baseURL: string, path: string): string {
  const base = baseURL.replace(/\/+$/, '');
  const pathname = new URL(base).pathname;
  const hasVersion = /\/v\d+[a-z0-9]*(\/|$)/i.test(pathname);
  return `${base}${hasVersion ? '' : '/v1'}/${path}`;
}

export interface RequestHeaderOptions {
  apiKey?: string | undefined;
  headers?: Record<string, string> | undefined;
  requestId: string;
  extra?: Record<string, string | undefined>;
}

/** Headers for an upstream call: Bearer auth, then the instance's own headers (which may override it). */
export function requestHeaders(options: RequestHeaderOptions): Record<string, string> {
  const headers: Record<string, string> = { 'x-client-request-id': options.requestId };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  for (const [name, value] of Object.entries(options.extra ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
  return headers;
}
