#!/usr/bin/env node
// Writes an image-to-image chat completion request to stdout: the picture as
// a base64 data URL beside an instruction. A real photo is too big for one
// shell argument ("Argument list too long" past about 128 KB), and
// `base64 -w0` does not exist on macOS; this works the same everywhere.
//
// Usage: node scripts/image-request.js picture.jpg "make it black and white" [model] > edit.json
//        curl … -H "Content-Type: application/json" --data-binary @edit.json
import { readFileSync } from 'node:fs';

const [picture, instruction, model = 'local-image'] = process.argv.slice(2);
if (!picture || !instruction) {
  console.error('usage: node scripts/image-request.js <picture> "<instruction>" [model] > request.json');
  process.exit(1);
}
const bytes = readFileSync(picture);
// The media type from the bytes, not the file name: the gateway checks that they agree.
const mediaType =
  bytes[0] === 0xff && bytes[1] === 0xd8
    ? 'image/jpeg'
    : bytes.subarray(0, 4).toString('latin1') === '\x89PNG'
      ? 'image/png'
      : bytes.subarray(0, 3).toString('latin1') === 'GIF'
        ? 'image/gif'
        : bytes.subarray(8, 12).toString('latin1') === 'WEBP'
          ? 'image/webp'
          : undefined;
if (!mediaType) {
  console.error(`${picture} is not a JPEG, PNG, GIF or WebP picture`);
  process.exit(1);
}
const url = `data:${mediaType};base64,${bytes.toString('base64')}`;
const content = [
  { type: 'text', text: instruction },
  { type: 'image_url', image_url: { url } },
];
process.stdout.write(JSON.stringify({ model, messages: [{ role: 'user', content }] }));
