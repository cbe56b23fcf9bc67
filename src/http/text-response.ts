const bodyTextKey = Symbol.for('image-gateway.body-text');

/**
 * A Response whose body is a string the core already holds. The text is
 * also kept on the object, so a Node adapter can write it with one
 * `end(text)` instead of pulling it back out through a web stream.
 *
 * @example
 * return textResponse(JSON.stringify(payload), { status: 200, headers: { 'content-type': 'application/json' } });
 */
export function textResponse(body: string, init: ResponseInit): Response {
  const response = new Response(body, init);
  Object.defineProperty(response, bodyTextKey, { value: body });
  return response;
}

/** The string body of a Response made by `textResponse`, or undefined for any other. */
export function bodyTextOf(response: Response): string | undefined {
  const text = (response as unknown as Record<symbol, unknown>)[bodyTextKey];
  return typeof text === 'string' ? text : undefined;
}

/** `Response.json` with the text kept, as `textResponse` does. */
export function jsonResponse(payload: unknown, init: ResponseInit = {}): Response {
  return textResponse(JSON.stringify(payload), {
    ...init,
    headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
  });
}
