import { describe, expect, it } from 'vitest';
import { OutputSecretFilter } from '../../src/generation/output-secret-filter.js';
import { redactableSecrets } from '../../src/lib/secret-redaction.js';
import type { GenerationEvent } from '../../src/provider.js';

const key = 'relaykeyNOPREFIX9876';
const text = (value: string): GenerationEvent => ({ type: 'text-delta', text: value });
const finish: GenerationEvent = { type: 'finish', reason: 'stop' };

/** Everything the filter lets out for `events`, in order. */
function run(filter: OutputSecretFilter, events: GenerationEvent[]): GenerationEvent[] {
  return events.flatMap((event) => filter.take(event));
}

describe('OutputSecretFilter', () => {
  it('replaces a configured key inside one delta', () => {
    const filter = new OutputSecretFilter(redactableSecrets([key]));
    expect(filter.take(text(`the key is ${key}, see?`))).toEqual([text('the key is [redacted], see?')]);
  });

  it('replaces a key split over deltas, at every split point, and never lets a piece of it out', () => {
    for (let cut = 1; cut < key.length; cut++) {
      const filter = new OutputSecretFilter(redactableSecrets([key]));
      const out = run(filter, [text(`a ${key.slice(0, cut)}`), text(`${key.slice(cut)} b`), finish]);
      expect(out, `cut at ${cut}`).toEqual([text('a '), text('[redacted] b'), finish]);
    }
  });

  it('replaces a partial, reversed or base64 echo, also when a delta boundary cuts it', () => {
    const reversed = Array.from(key).reverse().join('');
    const base64 = Buffer.from(`Bearer ${key}`).toString('base64');
    for (const echo of [key.slice(0, 14), key.slice(4), reversed, base64]) {
      for (const cut of [4, 7, echo.length - 4]) {
        const filter = new OutputSecretFilter(redactableSecrets([key]));
        const out = run(filter, [text(`x ${echo.slice(0, cut)}`), text(`${echo.slice(cut)} y`), finish]);
        const joined = out.map((event) => (event.type === 'text-delta' ? event.text : '')).join('');
        expect(joined, `${echo} cut at ${cut}`).toMatch(/\[redacted\]/);
        expect(joined).not.toContain(echo.slice(2, 12));
      }
    }
  });

  it('passes text that cannot begin a key at once, unchanged', () => {
    const filter = new OutputSecretFilter(redactableSecrets([key]));
    expect(filter.take(text('Hello world'))).toEqual([text('Hello world')]);
    expect(filter.take(text('! A rose.'))).toEqual([text('! A rose.')]);
  });

  it('holds only the end that could begin a key, and gives it back when it does not', () => {
    const filter = new OutputSecretFilter(redactableSecrets([key]));
    expect(filter.take(text('we relay'))).toEqual([text('we ')]);
    expect(filter.take(text('ed it'))).toEqual([text('relayed it')]);
  });

  it('gives held text back before the finish event', () => {
    const filter = new OutputSecretFilter(redactableSecrets([key]));
    expect(run(filter, [text('ends with rel'), finish])).toEqual([text('ends with '), text('rel'), finish]);
  });

  it('gives held text back before an image, so the answer keeps its order', () => {
    const filter = new OutputSecretFilter(redactableSecrets([key]));
    const image = { type: 'image', image: {} } as GenerationEvent;
    expect(run(filter, [text('Here it is, rel'), image, text('ax.'), finish])).toEqual([
      text('Here it is, '),
      text('rel'),
      image,
      text('ax.'),
      finish,
    ]);
  });

  it('keeps text, reasoning and each tool call apart', () => {
    const filter = new OutputSecretFilter(redactableSecrets([key, 'second-secret-value']));
    const out = run(filter, [
      { type: 'reasoning-delta', text: 'thinking relaykey' },
      { type: 'tool-call-delta', index: 0, id: 'call_1', name: 'f', arguments: '{"k":"second-secret' },
      text('visible relaykeyNO'),
      { type: 'reasoning-delta', text: 'NOPREFIX9876 done' },
      { type: 'tool-call-delta', index: 0, arguments: '-value"}' },
      text('PREFIX9876.'),
      finish,
    ]);
    expect(out).toEqual([
      { type: 'reasoning-delta', text: 'thinking ' },
      { type: 'tool-call-delta', index: 0, id: 'call_1', name: 'f', arguments: '{"k":"' },
      text('visible '),
      { type: 'reasoning-delta', text: '[redacted] done' },
      { type: 'tool-call-delta', index: 0, arguments: '[redacted]"}' },
      text('[redacted].'),
      finish,
    ]);
  });

  it('forgets what a failed attempt held', () => {
    const filter = new OutputSecretFilter(redactableSecrets([key]));
    filter.take(text('partial relay'));
    filter.reset();
    expect(filter.flush()).toEqual([]);
  });
});
