import { describe, expect, it } from 'vitest';
import { ImageData } from '../../../src/index.js';
import type { SseWriter } from '../../../src/server/event-stream.js';
import { ChunkWriter } from '../../../src/surfaces/chat-completions/chunk-writer.js';

/** An SseWriter that keeps each event's delta (or a marker) in the order written. */
function recordingWriter(): { writer: SseWriter; deltas: Record<string, unknown>[]; done: () => boolean } {
  const deltas: Record<string, unknown>[] = [];
  let finished = false;
  const record = (json: string) => {
    const chunk = JSON.parse(json);
    if (chunk.choices?.[0]) deltas.push(chunk.choices[0].delta);
  };
  const writer: SseWriter = {
    data: record,
    dataWithPayload: (json) => record(json),
    comment: () => {},
    finish: () => {
      finished = true;
    },
    end: () => {},
    setProgress: () => {},
    closed: false,
  };
  return { writer, deltas, done: () => finished };
}

const identity = { id: 'chatcmpl-test', created: 1, model: 'm' };
const tinyPng = ImageData.fromBase64(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'image/png',
);

function kinds(deltas: Record<string, unknown>[]): string[] {
  return deltas.map((delta) => {
    if (delta.role) return 'role';
    if (delta.tool_calls) return 'tool';
    if (delta.reasoning_content) return `reasoning:${delta.reasoning_content}`;
    if (typeof delta.content === 'string' && delta.content.includes('![generated]')) return 'image';
    if (typeof delta.content === 'string') return `text:${delta.content}`;
    return 'end';
  });
}

describe('ChunkWriter', () => {
  it('streams plain chat (no image needed) token by token, holding nothing', () => {
    const { writer, deltas } = recordingWriter();
    const chunks = new ChunkWriter(writer, identity, 'markdown', false);
    chunks.role();
    chunks.event({ type: 'text-delta', text: 'Hel' });
    expect(kinds(deltas)).toEqual(['role', 'text:Hel']);
    chunks.event({ type: 'text-delta', text: 'lo' });
    expect(kinds(deltas)).toEqual(['role', 'text:Hel', 'text:lo']);
    expect(chunks.contentSent).toBe(true);
  });

  it('holds text until the first image when an image is required, then sends it before the image', () => {
    const { writer, deltas } = recordingWriter();
    const chunks = new ChunkWriter(writer, identity, 'markdown', true);
    chunks.role();
    chunks.event({ type: 'text-delta', text: 'Here ' });
    chunks.event({ type: 'text-delta', text: 'it is' });
    expect(kinds(deltas)).toEqual(['role']);
    expect(chunks.contentSent).toBe(false);
    chunks.event({ type: 'image', image: tinyPng });
    chunks.finish(false, 0);
    expect(kinds(deltas)).toEqual(['role', 'text:Here it is', 'image']);
  });

  it('releases held text once it passes 64 Ki UTF-16 code units, and streams the rest as it comes', () => {
    const { writer, deltas } = recordingWriter();
    const chunks = new ChunkWriter(writer, identity, 'markdown', true);
    const block = 'x'.repeat(16 * 1024);
    for (let index = 0; index < 4; index++) chunks.event({ type: 'text-delta', text: block });
    expect(deltas).toEqual([]);
    chunks.event({ type: 'text-delta', text: 'y' });
    expect(deltas).toHaveLength(1);
    expect(String(deltas[0]?.content).length).toBe(64 * 1024 + 1);
    chunks.event({ type: 'text-delta', text: 'z' });
    expect(kinds(deltas).at(-1)).toBe('text:z');
  });

  it('drops a failed attempt’s held text on newAttempt', () => {
    const { writer, deltas } = recordingWriter();
    const chunks = new ChunkWriter(writer, identity, 'markdown', true);
    chunks.role();
    chunks.event({ type: 'text-delta', text: 'I cannot draw.' });
    chunks.newAttempt();
    chunks.event({ type: 'text-delta', text: 'A cat:' });
    chunks.event({ type: 'image', image: tinyPng });
    chunks.finish(false, 0);
    expect(kinds(deltas)).toEqual(['role', 'text:A cat:', 'image']);
  });

  it('sends held text before a tool call that followed it', () => {
    const { writer, deltas } = recordingWriter();
    const chunks = new ChunkWriter(writer, identity, 'markdown', true);
    chunks.role();
    chunks.event({ type: 'text-delta', text: 'Let me look that up.' });
    chunks.event({ type: 'tool-call-delta', index: 0, id: 'call_1', name: 'search', arguments: '{}' });
    chunks.event({ type: 'text-delta', text: ' Done.' });
    chunks.finish(false, 0);
    expect(kinds(deltas)).toEqual(['role', 'text:Let me look that up.', 'tool', 'text: Done.', 'end']);
  });

  it('sends held text before reasoning and partial images that followed it', () => {
    const { writer, deltas } = recordingWriter();
    const chunks = new ChunkWriter(writer, identity, 'markdown', true);
    chunks.event({ type: 'text-delta', text: 'First.' });
    chunks.event({ type: 'reasoning-delta', text: 'thinking' });
    chunks.event({ type: 'text-delta', text: 'Second.' });
    chunks.event({ type: 'image-partial', image: tinyPng, index: 0 });
    expect(kinds(deltas)).toEqual(['text:First.', 'reasoning:thinking', 'text:Second.', 'reasoning:Partial image 1 received.\n']);
  });
});
