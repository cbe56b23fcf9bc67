import { describe, expect, it } from 'vitest';
import { createGeminiProvider } from '../../../src/providers/gemini/gemini-provider.js';
import { defaultProviderContext } from '../../../src/providers/shared/provider-context.js';

const context = defaultProviderContext();

describe('gemini provider config', () => {
  it('serves the seed models with their capabilities and never lists the key', () => {
    const provider = createGeminiProvider({ type: 'gemini', apiKey: 'secret-key' }, context);
    expect(provider.models.map((model) => model.id)).toEqual([
      'gemini-2.5-flash-image',
      'gemini-3-pro-image-preview',
      'gemini-3-pro-image',
      'gemini-3.1-flash-image-preview',
      'gemini-2.0-flash-exp-image-generation',
    ]);
    const byId = Object.fromEntries(provider.models.map((model) => [model.id, model.capabilities]));
    expect(byId['gemini-2.5-flash-image']).toMatchObject({ maxInputImages: 3, reasoning: 'none', contextWindow: 32_768, text: true });
    expect(byId['gemini-3-pro-image-preview']).toMatchObject({
      maxInputImages: 14,
      reasoning: 'high',
      contextWindow: 65_536,
      sizes: ['1K', '2K', '4K'],
    });
    expect(JSON.stringify(provider)).not.toContain('secret-key');
  });

  it('accepts any configured model name, guessing its family', () => {
    const provider = createGeminiProvider(
      { type: 'gemini', apiKey: 'k', models: ['gemini-3.5-flash-image', 'gemini-2.5-flash-image'] },
      context,
    );
    expect(provider.models[0]).toMatchObject({ id: 'gemini-3.5-flash-image', capabilities: { sizes: ['1K', '2K', '4K'] } });
    expect(provider.models[1]).toMatchObject({ id: 'gemini-2.5-flash-image', aliases: ['nano-banana'] });
  });

  it('names the bad option in the error', () => {
    expect(() => createGeminiProvider({ type: 'gemini', apiKey: 'k', includeThoughts: 'yes' }, context)).toThrow(/includeThoughts/);
    expect(() => createGeminiProvider({ type: 'gemini', apiKey: 'k', includeThougths: true }, context)).toThrow(/includeThougths/);
    expect(() => createGeminiProvider({ type: 'gemini' }, context)).toThrow(/apiKey: is required \(GEMINI_API_KEY\)/);
  });
});
