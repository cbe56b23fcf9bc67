import { describe, expect, it } from 'vitest';
import { nearestAspectRatio } from '../../../src/images/image-geometry.js';
import { geminiImageConfig } from '../../../src/providers/gemini/gemini-image-config.js';
import { geminiAspectRatios, geminiProfile } from '../../../src/providers/gemini/gemini-models.js';

const flash25 = geminiProfile('gemini-2.5-flash-image');
const pro3 = geminiProfile('gemini-3-pro-image-preview');

describe('gemini image config', () => {
  it.each([
    [{ width: 1920, height: 1080 }, '16:9'],
    [{ width: 1024, height: 1024 }, '1:1'],
    [{ width: 1080, height: 1920 }, '9:16'],
    [{ width: 2560, height: 1080 }, '21:9'],
    [{ width: 1000, height: 1300 }, '3:4'],
  ])('snaps size %o to %s', (size, expected) => {
    expect(geminiImageConfig({ size }, flash25, geminiAspectRatios)).toEqual({ aspectRatio: expected });
  });

  it('snaps a ratio the model does not list to the nearest it does', () => {
    expect(geminiImageConfig({ aspectRatio: '1:4' }, flash25, geminiAspectRatios)).toEqual({ aspectRatio: '9:16' });
    expect(nearestAspectRatio(2, ['1:1', '16:9', '4:3'])).toBe('16:9');
  });

  it('derives the resolution tier from a large pixel size on 3.x, and drops it on 2.5', () => {
    expect(geminiImageConfig({ size: { width: 3840, height: 2160 } }, pro3, geminiAspectRatios)).toEqual({
      aspectRatio: '16:9',
      imageSize: '4K',
    });
    expect(geminiImageConfig({ size: { width: 2048, height: 2048 } }, pro3, geminiAspectRatios)).toEqual({
      aspectRatio: '1:1',
      imageSize: '2K',
    });
    expect(geminiImageConfig({ imageSize: '4K' }, flash25, geminiAspectRatios)).toBeUndefined();
  });

  it('sends nothing to models without imageConfig (2.0 experimental)', () => {
    expect(geminiImageConfig({ aspectRatio: '16:9' }, geminiProfile('gemini-2.0-flash-exp-image-generation'), undefined)).toBeUndefined();
  });
});
