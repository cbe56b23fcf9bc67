import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { createServer } from '../../../adapters/node.js';
import { listen } from '../../adapters/adapter-test-helpers.js';

async function client(): Promise<OpenAI> {
  return new OpenAI({ apiKey: 'unused-key-0123456789', baseURL: `${await listen(createServer())}/v1`, maxRetries: 0 });
}

async function answerTo(sdk: OpenAI, text: string): Promise<string> {
  const completion = await sdk.chat.completions.create({
    model: 'local-image',
    messages: [{ role: 'user', content: text }],
  } as never);
  return (completion as OpenAI.ChatCompletion).choices[0]?.message.content ?? '';
}

describe('local-image draws what it is given, and answers only conversation in text', () => {
  it.each(['a cozy cabin in snowy mountains at dusk', 'a red circle', 'sunset over the sea, watercolour', 'can you draw a cat?'])(
    'draws "%s"',
    async (text) => {
      expect(await answerTo(await client(), text)).toMatch(/^!\[generated\]\(data:image\/jpeg;base64,/);
    },
  );

  it.each(['hello', 'Hi there!', 'thanks', 'What can you do?', 'how does this work', 'is it raining in Paris?'])(
    'answers "%s" in text',
    async (text) => {
      const content = await answerTo(await client(), text);
      expect(content).not.toContain('data:image');
      expect(content).toMatch(/draw/);
    },
  );
});
