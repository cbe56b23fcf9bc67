import { describe, expect, it } from 'vitest';
import { JsonShapeGuard, JsonShapeLimitError } from '../../../src/lib/json/json-shape-guard.js';

const limits = { maxDepth: 4, maxKeysPerObject: 3, maxArrayItems: 3, maxRootArrayItems: 5, maxMembers: 12 };

/** What the guard says of `text` fed in pieces of `size` bytes: undefined when it passes. */
function verdict(text: string, size: number): JsonShapeLimitError | undefined {
  const guard = new JsonShapeGuard(limits);
  const bytes = Buffer.from(text);
  try {
    for (let start = 0; start < bytes.length; start += size) guard.push(bytes.subarray(start, start + size));
    return undefined;
  } catch (error) {
    if (error instanceof JsonShapeLimitError) return error;
    throw error;
  }
}

describe('JsonShapeGuard', () => {
  const cases: Array<{ text: string; limit?: string; path?: Array<string | number> }> = [
    { text: '{"a":1,"b":2,"c":3}' },
    { text: '{"a":1,"b":2,"c":3,"d":4}', limit: 'maxKeysPerObject', path: [] },
    { text: '{"list":[1,2,3]}' },
    { text: '{"m":[{"x":[1,2,3,4]}]}', limit: 'maxArrayItems', path: ['m', 0, 'x'] },
    // An array at the root object's top level has its own, larger bound.
    { text: '{"m":[1,2,3,4,5]}' },
    { text: '{"m":[1,2,3,4,5,6]}', limit: 'maxRootArrayItems', path: ['m'] },
    { text: '[1,2,3,4]', limit: 'maxArrayItems', path: [] },
    { text: '[[[[1]]]]' },
    { text: '{"a":{"b":[1,2],"c":[1,2]},"d":{"e":1}}' },
    { text: '{"a":{"b":[1,2],"c":[1,2]},"d":{"e":[1,2],"f":[1,2]}}', limit: 'maxMembers', path: [] },
    { text: '{"a":[[[{}]]]}', limit: 'maxDepth', path: ['a', 0, 0, 0] },
    // Structure inside strings and keys, escapes included, is text: it counts for nothing.
    { text: '{"k\\"{[,":"{[,,,,\\\\","v":"\\"],,,,"}' },
    { text: '{"k\\"y":{"a":1,"b":2,"c":3,"d":4}}', limit: 'maxKeysPerObject', path: ['k"y'] },
    // Strings longer than the loop's window go to the native search, escapes and structure inside them included.
    { text: `{"${'k'.repeat(90)}":"${'x'.repeat(100)}\\"{[,${'y'.repeat(100)}","a":1,"b":2}` },
    {
      text: `{"${'k'.repeat(90)}\\"":{"v":"${'x'.repeat(100)}\\\\","a":1,"b":2,"c":3}}`,
      limit: 'maxKeysPerObject',
      path: [`${'k'.repeat(90)}"`],
    },
  ];

  for (const { text, limit, path } of cases) {
    it(`${limit ? `refuses (${limit})` : 'passes'} ${text}, whole or a byte at a time`, () => {
      for (const size of [text.length, 1, 2, 5]) {
        const error = verdict(text, size);
        if (!limit) expect(error).toBeUndefined();
        else expect(error).toMatchObject({ limit, path });
      }
    });
  }
});
