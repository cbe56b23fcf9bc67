import { describe, expect, it } from 'vitest';
import { createImageGateway, type ImageProvider } from '../../src/index.js';
import { buildProviders } from '../../src/providers/build-providers.js';
import { defaultProviderContext } from '../../src/providers/shared/provider-context.js';
import { createScriptedProvider } from '../helpers/scripted-provider.js';

describe('the provider contract version', () => {
  it('takes a provider object that names v1, or no version', async () => {
    for (const specificationVersion of ['v1', undefined] as const) {
      const { provider } = createScriptedProvider({ id: 'mine', auto: () => 'succeed' });
      const gateway = createImageGateway({ providers: [{ ...provider, specificationVersion }] });
      expect(gateway.models()).toEqual(['scripted-image']);
      await gateway.close();
    }
  });

  it('refuses a provider object that implements a version the gateway does not know, naming it and the known ones', () => {
    const { provider } = createScriptedProvider({ id: 'future' });
    const future = { ...provider, specificationVersion: 'v2' } as unknown as ImageProvider;
    expect(() => createImageGateway({ providers: [{ type: 'local' }, future] })).toThrow(
      /options\.providers\[1\]\.specificationVersion: "v2" is not a version of the provider contract this gateway implements \(v1\)/,
    );
  });

  it('has every built-in provider declare the version it implements', () => {
    const providers = buildProviders(
      [
        { type: 'local' },
        { type: 'gemini', apiKey: 'test-key-gemini' },
        { type: 'openai', apiKey: 'test-key-openai' },
        { type: 'openai-chat', baseURL: 'https://relay.example.com/v1', models: ['m'] },
        { type: 'flux', apiKey: 'test-key-flux' },
      ],
      defaultProviderContext(),
    );
    expect(providers.map((provider) => provider.specificationVersion)).toEqual(['v1', 'v1', 'v1', 'v1', 'v1']);
  });
});
