import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from '../../adapters/node.js';
import { listen } from '../adapters/adapter-test-helpers.js';
import { parseSse } from '../helpers/gateway-client.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The first fenced block after `marker` in the README. */
function blockAfter(marker: string): string {
  const at = readme.indexOf(marker);
  expect(at, `the README has "${marker}"`).toBeGreaterThanOrEqual(0);
  const match = /```[a-z]*\n([\s\S]*?)```/.exec(readme.slice(at));
  return match?.[1] ?? '';
}

/** Every key path of a JSON value ("choices[].message.content"), sorted: its shape, without its values. */
function shapeOf(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => shapeOf(item, `${path}[]`));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, item]) => shapeOf(item, path ? `${path}.${key}` : key));
  return [path];
}
const sortedShape = (value: unknown) => [...new Set(shapeOf(value))].sort();

/** A stream as a list of what each event is: a comment's first word, or a data chunk's shape. */
function streamShape(text: string): string[] {
  return parseSse(text.replace(/\r/g, '')).map((item) =>
    item.kind === 'comment'
      ? `: ${item.value.split(' ')[0]}`
      : item.value.trim() === '[DONE]'
        ? '[DONE]'
        : sortedShape(JSON.parse(item.value)).join(','),
  );
}

let base: string;
let work: string;
beforeEach(async () => {
  // What `npm start` serves with nothing configured: the default options (closed after each test).
  base = await listen(createServer());
});
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'image-gateway-readme-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const completionsUrl = () => `${base}/v1/chat/completions`;
const post = (body: unknown) =>
  fetch(completionsUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe("the README's quick start", () => {
  it('image-to-image: its commands work for a 1 MB photo', async () => {
    // A real photo's worth of bytes: noise does not compress.
    const photo = await sharp({
      create: { width: 1400, height: 1000, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } },
    })
      .jpeg({ quality: 95 })
      .toBuffer();
    expect(photo.length).toBeGreaterThan(1024 * 1024);
    await writeFile(join(work, 'some-picture.jpg'), photo);
    const commands = blockAfter('Image-to-image: a real photo')
      .replaceAll('http://localhost:3000', base)
      .replaceAll('scripts/', `${join(root, 'scripts')}/`);
    const { stdout } = await run('bash', ['-e', '-c', commands], { cwd: work, maxBuffer: 64 * 1024 * 1024 });
    const completion = JSON.parse(stdout);
    expect(completion.choices[0].message.content).toMatch(/^Applied: tint red\.\n\n!\[generated\]\(data:image\/jpeg;base64,/);
  });

  it('shows the non-stream answer the quick start prints, field for field', async () => {
    const sample = JSON.parse(blockAfter('The non-stream answer looks like this'));
    const answer = await (await post({ model: 'local-image', messages: [{ role: 'user', content: 'generate a cat' }] })).json();
    expect(sortedShape(sample)).toEqual(sortedShape(answer));
    expect(sample.choices[0].message.reasoning_content).toBe(answer.choices[0].message.reasoning_content);
    expect(sample.usage).toEqual(answer.usage);
  });

  it('shows the stream the quick start prints, event for event', async () => {
    const sample = blockAfter('The stream, as the quick start prints it');
    const answer = await (
      await post({ model: 'local-image', stream: true, messages: [{ role: 'user', content: 'generate a cat' }] })
    ).text();
    expect(streamShape(sample)).toEqual(streamShape(answer));
    expect(sample).toContain(answer.split('\n').find((line) => line.startsWith(': served-by')));
    expect(sample).not.toContain(': keep-alive');
  });
});
