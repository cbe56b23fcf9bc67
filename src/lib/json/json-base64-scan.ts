/** 1 for each byte of the base64 alphabets (standard and URL-safe, with padding). */
const base64Bytes = new Uint8Array(256);
for (const character of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_') base64Bytes[character.charCodeAt(0)] = 1;

/**
 * The index of the first byte in `bytes[start, end)` outside the base64
 * alphabets, or -1. None of those bytes means anything to JSON (no quote,
 * backslash or control character) nor to markdown (no bracket, parenthesis,
 * `!` or space), so a run of them can be set aside and put back unread.
 */
export function firstNonBase64(bytes: Uint8Array, start: number, end: number): number {
  for (let index = start; index < end; index++) if (base64Bytes[bytes[index] as number] === 0) return index;
  return -1;
}
