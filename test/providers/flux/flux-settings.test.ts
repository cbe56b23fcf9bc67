import { describe, expect, it } from 'vitest';
import { fluxProfile } from '../../../src/providers/flux/flux-models.js';
import { createFluxProvider } from '../../../src/providers/flux/flux-provider.js';
import { fluxAspectRatio, fluxDimensions } from '../../../src/providers/flux/flux-request-body.js';
import { defaultProviderContext } from '../../../src/providers/shared/provider-context.js';

const context = defaultProviderContext();

describe('flux provider config', () => {
  it('lists its models with image input where the model takes it', () => {
    const provider = createFluxProvider({ type: 'flux', apiKey: 'secret' }, context);
    const byId = Object.fromEntries(provider.models.map((model) => [model.id, model.capabilities]));
    expect(byId['flux-kontext-pro']).toMatchObject({ imageInput: true, maxInputImages: 4 });
    expect(byId['flux-2-pro']).toMatchObject({ imageInput: true, maxInputImages: 8 });
    expect(byId['flux-pro-1.1']).toMatchObject({ imageInput: false, maxInputImages: 0 });
    expect(byId['flux-pro-1.1-ultra']).toMatchObject({ imageInput: false });
    expect(provider).toMatchObject({ id: 'flux', type: 'flux', concurrency: 6 });
  });

  it('names the bad option in the error', () => {
    expect(() => createFluxProvider({ type: 'flux', apiKey: 'k', pollIntervalMs: 0 }, context)).toThrow(/pollIntervalMs/);
    expect(() => createFluxProvider({ type: 'flux', apiKey: 'k', pollIntervalMs: 5000, maxPollIntervalMs: 1000 }, context)).toThrow(
      /maxPollIntervalMs: must be at least pollIntervalMs/,
    );
    expect(() => createFluxProvider({ type: 'flux', apiKey: 'k', outputFormat: 'gif' }, context)).toThrow(/outputFormat/);
    expect(() => createFluxProvider({ type: 'flux' }, context)).toThrow(/apiKey: is required \(BFL_API_KEY\)/);
  });
});

describe('flux sizing', () => {
  it('keeps an in-range ratio as asked and clamps one outside 21:9..9:21', () => {
    expect(fluxAspectRatio({ aspectRatio: '7:5' })).toBe('7:5');
    expect(fluxAspectRatio({ aspectRatio: '32:9' })).toBe('21:9');
    expect(fluxAspectRatio({ aspectRatio: '1:4' })).toBe('9:21');
    expect(fluxAspectRatio({ size: { width: 1080, height: 1920 } })).toBe('9:16');
    expect(fluxAspectRatio({})).toBeUndefined();
  });

  it('fits FLUX 1.1 sizes into 256..1440 and FLUX.2 into 4 MP, on the model step', () => {
    expect(fluxDimensions({ size: { width: 3840, height: 2160 } }, fluxProfile('flux-pro-1.1'))).toEqual({ width: 1440, height: 800 });
    expect(fluxDimensions({ size: { width: 100, height: 100 } }, fluxProfile('flux-pro-1.1'))).toEqual({ width: 256, height: 256 });
    const large = fluxDimensions({ aspectRatio: '1:1', imageSize: '4K' }, fluxProfile('flux-2-pro'))!;
    expect(large.width % 16).toBe(0);
    expect(large.width * large.height).toBeLessThanOrEqual(4_194_304);
    expect(fluxDimensions({}, fluxProfile('flux-2-pro'))).toBeUndefined();
  });
});
