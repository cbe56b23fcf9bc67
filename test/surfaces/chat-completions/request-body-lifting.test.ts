import { describe, expect, it } from 'vitest';
import { LiftedString } from '../../../src/lib/json/json-lifted-string.js';
import type { IncomingCall } from '../../../src/server/incoming-call.js';
import { readJsonBody } from '../../../src/server/read-json-body.js';
import { isChatRequestImageUrlPath } from '../../../src/surfaces/chat-completions/chat-request-image-paths.js';
import { validateChatRequest } from '../../../src/surfaces/chat-completions/validate-chat-request.js';

/** A call whose body arrives as `chunks`, the way the Node adapters hand it over. */
function callWithBody(chunks: Buffer[]): IncomingCall {
  let next = 0;
  return {
    method: 'POST',
    url: 'http://gateway.test/v1/chat/completions',
    header: (name) => (name === 'content-type' ? 'application/json' : null),
    signal: new AbortController().signal,
    clientGone: () => () => {},
    body: () => ({ read: async () => chunks[next++], cancel: () => {} }),
    request: () => {
      throw new Error('not needed');
    },
  };
}

function chunked(text: string, size: number): Buffer[] {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += size) chunks.push(bytes.subarray(start, start + size));
  return chunks;
}

const big = `data:image/png;base64,${'QUJD'.repeat(20_000)}`;
const request = {
  model: 'edit-image',
  note: big,
  messages: [
    { role: 'assistant', content: big, images: [{ image_url: { url: big } }] },
    {
      role: 'user',
      content: [
        { type: 'text', text: big },
        { type: 'image_url', image_url: { url: big } },
        { type: 'image_url', image_url: big },
      ],
    },
  ],
};

describe('reading a chat request body', () => {
  it('lifts big image URLs out as views of the received chunks, and only those', async () => {
    const chunks = chunked(JSON.stringify(request), 16 * 1024);
    const body = (await readJsonBody(callWithBody(chunks), 10_000_000, undefined, { liftAt: isChatRequestImageUrlPath })) as any;
    const lifted = [
      body.messages[0].images[0].image_url.url,
      body.messages[1].content[1].image_url.url,
      body.messages[1].content[2].image_url,
    ];
    for (const value of lifted) {
      expect(value).toBeInstanceOf(LiftedString);
      expect(value.toString()).toBe(big);
      for (const piece of (value as LiftedString).pieces) expect(chunks.some((chunk) => chunk.buffer === piece.buffer)).toBe(true);
    }
    expect([body.note, body.messages[0].content, body.messages[1].content[0].text]).toEqual([big, big, big]);

    const chat = validateChatRequest(body);
    const part = chat.messages[1]!.content![2] as { image_url: unknown };
    expect(part.image_url).toBe(body.messages[1].content[2].image_url);
  });

  it('leaves a small body to one JSON.parse', async () => {
    const small = { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,QUJD' } }] }] };
    const body = await readJsonBody(callWithBody(chunked(JSON.stringify(small), 7)), 10_000, undefined, {
      liftAt: isChatRequestImageUrlPath,
    });
    expect(body).toEqual(small);
  });

  it('reads the same value without lifting options, as strings', async () => {
    const body = await readJsonBody(callWithBody(chunked(JSON.stringify(request), 16 * 1024)), 10_000_000);
    expect(body).toEqual(request);
  });
});
