import { describe, expect, it } from 'vitest';
import { LiftedString } from '../../../src/lib/json/json-lifted-string.js';
import { JsonLiftingReader, type JsonPath } from '../../../src/lib/json/json-lifting-reader.js';
import { TextWithLifts } from '../../../src/lib/json/json-text-with-lifts.js';

const liftUrls = (path: JsonPath) => path.at(-1) === 'url';

/** Feeds `text` in chunks of `size` bytes (the last chunk shorter). */
function read(
  text: string | Buffer,
  size: number,
  options: { liftAt?: (path: JsonPath) => boolean; liftPayloadsAt?: (path: JsonPath) => boolean; minimumLength?: number } = {},
) {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const reader = new JsonLiftingReader({
    liftAt: options.liftAt ?? liftUrls,
    liftPayloadsAt: options.liftPayloadsAt,
    minimumLength: options.minimumLength ?? 8,
  });
  for (let start = 0; start < bytes.length; start += size) reader.push(bytes.subarray(start, start + size));
  return reader.finish();
}

/** The parsed value with lifted strings turned back into strings, for comparison with JSON.parse. */
function materialise(value: unknown): unknown {
  if (value instanceof LiftedString) return value.toString();
  if (value instanceof TextWithLifts) return value.restoreText(value.text);
  if (Array.isArray(value)) return value.map(materialise);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, materialise(item)]));
  }
  return value;
}

function liftedStrings(value: unknown, found: LiftedString[] = []): LiftedString[] {
  if (value instanceof LiftedString) found.push(value);
  else if (typeof value === 'object' && value !== null) for (const item of Object.values(value)) liftedStrings(item, found);
  return found;
}

/** Asserts that every chunking gives JSON.parse's value (or its error), and returns the lifted strings of one reading. */
function expectSameAsJsonParse(text: string, options: Parameters<typeof read>[2] = {}): LiftedString[] {
  let expected: unknown;
  let expectedError = false;
  try {
    expected = JSON.parse(text);
  } catch {
    expectedError = true;
  }
  const sizes = [1, 2, 3, 5, 7, 16, 64, Buffer.byteLength(text) + 1];
  for (const size of sizes) {
    const result = read(text, size, options);
    if (expectedError) expect(() => result.parse(), `chunks of ${size}`).toThrow(SyntaxError);
    else expect(materialise(result.parse()), `chunks of ${size}`).toEqual(expected);
  }
  return expectedError ? [] : liftedStrings(read(text, 7, options).parse());
}

const base64 = Buffer.from(Array.from({ length: 300 }, (_, index) => (index * 7919) % 256)).toString('base64');
const dataUrl = `data:image/png;base64,${base64}`;

describe('JsonLiftingReader', () => {
  it('lifts a long printable string at a chosen path as views of the chunks, and leaves the rest to JSON.parse', () => {
    const text = JSON.stringify({
      id: 'chatcmpl-1',
      choices: [{ message: { content: 'Here: ', images: [{ type: 'image_url', image_url: { url: dataUrl } }] } }],
      usage: { prompt_tokens: 9 },
    });
    const lifted = expectSameAsJsonParse(text);
    expect(lifted).toHaveLength(1);
    expect(lifted[0]?.toString()).toBe(dataUrl);
    expect(lifted[0]?.head(22)).toBe('data:image/png;base64,');
    expect(lifted[0]?.slice(22).toString()).toBe(base64);
    const result = read(text, 64);
    expect(result.text.length).toBeLessThan(text.length - base64.length + 100);
    expect(result.text).not.toContain(base64.slice(0, 40));
  });

  it('keeps the bytes of a lifted string as views of the chunks it arrived in', () => {
    const text = Buffer.from(JSON.stringify({ url: dataUrl }));
    const reader = new JsonLiftingReader({ liftAt: liftUrls, minimumLength: 8 });
    reader.push(text);
    const [lifted] = liftedStrings(reader.finish().parse());
    expect(lifted?.pieces).toHaveLength(1);
    expect(lifted?.pieces[0]?.buffer).toBe(text.buffer);
  });

  it('does not lift short strings, strings elsewhere, keys, or a string that is the whole document', () => {
    expect(expectSameAsJsonParse(JSON.stringify({ url: 'data:x' }))).toHaveLength(0);
    expect(expectSameAsJsonParse(JSON.stringify({ other: dataUrl, url: { url: 1 } }))).toHaveLength(0);
    expect(expectSameAsJsonParse(JSON.stringify({ [dataUrl]: 1, url: 2 }))).toHaveLength(0);
    expect(expectSameAsJsonParse(JSON.stringify(dataUrl), { liftAt: () => true })).toHaveLength(0);
  });

  it('keeps exact JSON semantics for escapes: escaped quotes, backslashes and \\u sequences, in values and keys', () => {
    const texts = [
      '{"text":"a \\"url\\": \\"data:image/png;base64,AAAA\\"","url":"plain-ascii-value"}',
      '{"url":"with \\\\ a backslash and more text"}',
      '{"url":"ends with an escaped quote \\""}',
      '{"u\\u0072l":"an escaped key still names the path"}',
      '{"url":"caf\\u00e9 \\ud83d\\ude00 escapes in a candidate"}',
      '{"a":{"url":["x","y"],"b":"\\\\"},"url":"last member of the root"}',
    ];
    for (const text of texts) expectSameAsJsonParse(text);
    expect(expectSameAsJsonParse('{"u\\u0072l":"an escaped key still names the path"}')[0]?.toString()).toBe(
      'an escaped key still names the path',
    );
  });

  it('leaves strings with control characters or non-ASCII text to JSON.parse, which accepts or refuses them', () => {
    expect(expectSameAsJsonParse('{"url":"a raw \u0001 control character is not JSON"}')).toHaveLength(0);
    expect(expectSameAsJsonParse('{"url":"a raw\nnewline is not JSON either"}')).toHaveLength(0);
    expect(expectSameAsJsonParse('{"url":"UTF-8 text, café 😀, is valid JSON"}')).toHaveLength(0);
    expect(expectSameAsJsonParse('{"url":"DEL \u007f is valid raw in JSON"}')).toHaveLength(1);
  });

  it('treats "data:" and braces inside other strings as text', () => {
    const text = JSON.stringify({
      content: 'data: {"url": "data:image/png;base64,AAAA"} ] } [ {',
      url: dataUrl,
      more: ['{', '}', '[', ']', ',', ':'],
    });
    expect(expectSameAsJsonParse(text)).toHaveLength(1);
  });

  it('fails like JSON.parse on truncated or malformed answers', () => {
    const whole = JSON.stringify({ choices: [{ message: { images: [{ image_url: { url: dataUrl } }] } }] });
    for (const cut of [1, 10, 60, whole.length / 2, whole.length - 3, whole.length - 1]) {
      expectSameAsJsonParse(whole.slice(0, Math.floor(cut)), { liftAt: () => true });
    }
    for (const text of [
      '',
      '{',
      '{"url":',
      '{"url":"abc',
      '{"url":"abcdefghij"',
      '{"url":"abcdefghij"}}',
      '{"url":"abcdefghij" x}',
      '[DONE]',
    ]) {
      expectSameAsJsonParse(text, { liftAt: () => true });
    }
  });

  it('keeps what JSON.parse keeps when a key repeats', () => {
    expect(expectSameAsJsonParse(`{"url":"${base64}","url":"short"}`)).toHaveLength(0);
    const lifted = expectSameAsJsonParse(`{"url":"short","url":"${base64}"}`);
    expect(lifted.map(String)).toEqual([base64]);
    expect(expectSameAsJsonParse(`{"url":"${base64}A","url":"${base64}B"}`).map(String)).toEqual([`${base64}B`]);
  });

  it('cannot be fooled by a string that looks like a placeholder', () => {
    const text = `{"url":"\\u0000lifted:0","other":"\\u0000lifted:00000000-0000-0000-0000-000000000000:0","list":{"url":"${base64}"}}`;
    expect(expectSameAsJsonParse(text)).toHaveLength(1);
  });

  it('reads deep nesting and long keys without lifting from them', () => {
    const deep = `${'['.repeat(300)}{"url":"${base64}"}${']'.repeat(300)}`;
    expect(expectSameAsJsonParse(deep, { liftAt: () => true })).toHaveLength(0);
    const longKey = `{"${'k'.repeat(1000)}":{"url":"${base64}"},"url":"${base64}"}`;
    expect(expectSameAsJsonParse(longKey, { liftAt: (path) => path.length === 1 })).toHaveLength(1);
  });

  it('reads a huge string it may not lift, and keeps the byte-order mark for the caller to judge', () => {
    const huge = 'x'.repeat(100_000);
    expect(expectSameAsJsonParse(JSON.stringify({ text: `${huge}\\"${huge}`, url: `${huge}\n` }))).toHaveLength(0);
    expect(read('\ufeff{"url":"abc"}', 3).text.charCodeAt(0)).toBe(0xfeff);
  });

  it('passes the path of each string value to liftAt, with array indices and decoded keys', () => {
    const seen: string[] = [];
    read('{"a":[{"b":"x"},"y"],"c\\n":"z","d":{"e":["w"]}}', 3, {
      liftAt: (path) => {
        seen.push(JSON.stringify(path));
        return false;
      },
    });
    expect(seen).toEqual(['["a",0,"b"]', '["a",1]', '["c\\n"]', '["d","e",0]']);
  });

  describe('payloads inside strings (liftPayloadsAt)', () => {
    const liftContent = { liftAt: () => false, liftPayloadsAt: (path: JsonPath) => path.at(-1) === 'content', minimumLength: 64 };
    const markdown = `Here \u00e9t\u00e9 "it" is:\n\n![cat](${dataUrl}) and ![dog](${dataUrl.replace('data:image/png', 'data:image/jpeg')}).`;

    it('reads every chunking as JSON.parse does, with each payload lifted and a token in the text', () => {
      const text = JSON.stringify({ choices: [{ message: { content: markdown, other: markdown } }] });
      expectSameAsJsonParse(text, liftContent);
      // Chunks long enough to hold the `;base64,` marker whole: one split between chunks is not seen (only slower).
      const value = read(text, 100, liftContent).parse() as { choices: [{ message: { content: unknown; other: unknown } }] };
      const content = value.choices[0].message.content;
      expect(content).toBeInstanceOf(TextWithLifts);
      const withTokens = (content as TextWithLifts).text;
      expect(withTokens.length).toBeLessThan(200);
      expect(withTokens).toMatch(/^Here été "it" is:\n\n!\[cat\]\(data:image\/png;base64,.lifted:[^)]+\) and !\[dog\]/);
      expect(value.choices[0].message.other).toBe(markdown);
    });

    it('gives a payload back as the received bytes inside a URL, and as text elsewhere', () => {
      const value = read(JSON.stringify({ content: `![x](${dataUrl})` }), 100, liftContent).parse() as { content: TextWithLifts };
      const url = value.content.text.slice(value.content.text.indexOf('(') + 1, -1);
      const restored = value.content.restoreUrl(url);
      expect(restored).toBeInstanceOf(LiftedString);
      expect((restored as LiftedString).pieces.length).toBeGreaterThan(2);
      expect(restored.toString()).toBe(dataUrl);
    });

    it('leaves short payloads, payloads after an escape inside them and unterminated strings to JSON.parse', () => {
      for (const text of [
        JSON.stringify({ content: 'data:image/png;base64,QUJD' }),
        JSON.stringify({
          content: `data:image/png;base64,${base64.slice(0, 100)}
${base64.slice(100)}`,
        }),
        `{"content":"data:image/png;base64,${base64}`,
        `{"content":"a\\\\;base64,${base64}\\"\\\\"}`,
      ]) {
        expectSameAsJsonParse(text, liftContent);
      }
    });

    it('keeps the later value of a duplicated key, as JSON.parse does', () => {
      const text = `{"content":"![a](${dataUrl})","content":"plain"}`;
      expect(read(text, 3, liftContent).parse()).toEqual({ content: 'plain' });
    });
  });
});

describe('JsonLiftingReader countPayloadsAt', () => {
  it('counts the base64 of image data URLs inside text as image data, escaped slashes and chunk cuts inside the payload included', () => {
    const payload = 'iVBORw0KGgo/AAAA+/bcd/'.repeat(40);
    const text = `Here it is ![generated](data:image/png;base64,${payload}) and data:text/plain;base64,${payload} too`;
    const plain = JSON.stringify({ messages: [{ role: 'assistant', content: text }] });
    for (const json of [plain, plain.replace(/\//g, '\\/')]) {
      const escaped = json.includes('\\/');
      const expected = escaped ? payload.replace(/\//g, '\\/').length : payload.length;
      const bytes = Buffer.from(json);
      const payloadStart = json.indexOf(';base64,') + ';base64,'.length;
      // A cut anywhere inside the payload, between a backslash and its slash too; the whole body in one chunk.
      for (let cut = payloadStart; cut <= payloadStart + expected; cut++) {
        const reader = new JsonLiftingReader({
          liftAt: () => false,
          minimumLength: 16,
          countPayloadsAt: (path) => path.length === 3 && path[2] === 'content',
        });
        reader.push(bytes.subarray(0, cut));
        reader.push(bytes.subarray(cut));
        // Only the image's payload counts; the text/plain one stays text.
        expect(reader.liftableBytes()).toBe(expected);
        expect(reader.finish().parse()).toEqual(JSON.parse(json));
      }
    }
  });
});

describe('JsonLiftingReader keys', () => {
  it('follows the right path among a thousand keys that share slots of its table of recent keys, escaped and non-ASCII ones too', () => {
    const value = 'v'.repeat(40);
    const members = Array.from({ length: 1000 }, (_, index) => `"k${index}":"${value}"`);
    members.push(`"caf\\u00e9":"${value}"`, `"naïve":"${value}"`);
    const text = `{${members.join(',')},${members.join(',')}}`;
    const wanted = new Set(['k500', 'café', 'naïve']);
    for (const size of [7, 64, text.length]) {
      const lifted = read(text, size, { liftAt: (path) => wanted.has(path[0] as string), minimumLength: 8 });
      // Duplicate keys: JSON.parse keeps the last of each, lifted like the first.
      const parsed = lifted.parse() as Record<string, unknown>;
      expect(
        Object.keys(parsed)
          .filter((key) => parsed[key] instanceof LiftedString)
          .sort(),
        `chunks of ${size}`,
      ).toEqual(['café', 'k500', 'naïve']);
    }
  });
});
