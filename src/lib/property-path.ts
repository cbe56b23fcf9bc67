/**
 * A property path as a person writes it, for error messages and `param`.
 *
 * @example
 * formatPath(['messages', 0, 'content', 1]); // "messages[0].content[1]"
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(body)';
}
