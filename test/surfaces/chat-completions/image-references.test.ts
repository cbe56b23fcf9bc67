import { describe, expect, it } from 'vitest';
import { chatRequestSchema } from '../../../src/surfaces/chat-completions/chat-request-schema.js';
import { planImageInputs, readsAsEdit, stripMarkdownImages } from '../../../src/surfaces/chat-completions/image-references.js';

const red = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
const generated = 'data:image/png;base64,R0VORVJBVEVE';
const plan = (body: unknown) => planImageInputs(chatRequestSchema.parse(body));

describe('planImageInputs', () => {
  it('uses the image parts of the last user message, string or {url} form', () => {
    const result = plan({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'combine these' },
            { type: 'image_url', image_url: { url: red, detail: 'high' } },
            { type: 'image_url', image_url: 'https://example.com/b.png' },
          ],
        },
      ],
    });
    expect(result.references).toEqual([
      { url: red, param: 'messages[0].content[1].image_url.url', messageIndex: 0, partIndex: 1, origin: 'user' },
      { url: 'https://example.com/b.png', param: 'messages[0].content[2].image_url', messageIndex: 0, partIndex: 2, origin: 'user' },
    ]);
    expect(result.inputIndexes).toEqual([0, 1]);
  });

  it('has no references for a text-only request', () => {
    expect(plan({ messages: [{ role: 'user', content: 'draw a cat' }] })).toEqual({ references: [], inputIndexes: [] });
  });

  it('edits the last assistant image of seed 004 (images[]) on "make it brighter"', () => {
    const result = plan({
      messages: [
        { role: 'user', content: 'Draw a cute orange cat' },
        {
          role: 'assistant',
          content: '',
          images: [
            { type: 'image_url', image_url: { url: red } },
            { type: 'image_url', image_url: { url: generated } },
          ],
        },
        { role: 'user', content: 'make it brighter' },
      ],
    });
    expect(result.references).toEqual([
      { url: generated, param: 'messages[1].images[1].image_url.url', messageIndex: 1, partIndex: 1, origin: 'assistant' },
    ]);
    expect(result.inputIndexes).toEqual([0]);
  });

  it('edits a markdown data-URL image of an earlier assistant turn (seed 000)', () => {
    const result = plan({
      messages: [
        { role: 'system', content: 'You draw.' },
        { role: 'user', content: 'generate a cat' },
        { role: 'assistant', content: `Here it is:\n![generated](${generated})` },
        { role: 'user', content: [{ type: 'text', text: 'Now add a hat' }] },
      ],
    });
    expect(result.references).toEqual([
      { url: generated, param: 'messages[2].content', messageIndex: 2, partIndex: 0, origin: 'assistant' },
    ]);
    expect(result.inputIndexes).toEqual([0]);
  });

  it('keeps earlier user images as history, in conversation order, and inserts the edited assistant image in place', () => {
    const result = plan({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'in this style' },
            { type: 'image_url', image_url: { url: red } },
          ],
        },
        { role: 'assistant', content: `![generated](${generated})` },
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: red } },
            { type: 'text', text: 'ok' },
          ],
        },
        { role: 'assistant', content: 'Nice.' },
        { role: 'user', content: 'make the sky darker' },
      ],
    });
    expect(result.references.map((reference) => reference.param)).toEqual([
      'messages[0].content[1].image_url.url',
      'messages[1].content',
      'messages[2].content[0].image_url.url',
    ]);
    expect(result.inputIndexes).toEqual([1]);
  });

  it('falls back to the most recent earlier user image when no assistant image exists', () => {
    const result = plan({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: red } },
            { type: 'image_url', image_url: { url: generated } },
          ],
        },
        { role: 'assistant', content: 'What should I change?' },
        { role: 'user', content: 'turn it black and white' },
      ],
    });
    expect(result.references).toHaveLength(2);
    expect(result.inputIndexes).toEqual([1]);
  });

  it('starts fresh on a new "draw a ..." request after a generation', () => {
    const result = plan({
      messages: [
        { role: 'user', content: 'draw a cat' },
        { role: 'assistant', content: `![generated](${generated})` },
        { role: 'user', content: 'Now draw a dog on a skateboard' },
      ],
    });
    expect(result).toEqual({ references: [], inputIndexes: [] });
  });
});

describe('readsAsEdit', () => {
  it.each([
    'make it brighter',
    'Add a red hat',
    'now black and white',
    'more contrast please',
    'generate a version of it with a hat',
    '把它变成黑白',
  ])('reads %j as an edit', (text) => expect(readsAsEdit(text)).toBe(true));
  it.each(['draw a cat', 'Generate an image of a lighthouse', 'please create two logos', 'What is the capital of France?', '画一只猫', ''])(
    'reads %j as something else',
    (text) => expect(readsAsEdit(text)).toBe(false),
  );
});

describe('stripMarkdownImages', () => {
  it('removes data-URL images and keeps the words', () => {
    expect(stripMarkdownImages(`Here it is:\n![generated](${generated})`)).toBe('Here it is:');
  });
});
