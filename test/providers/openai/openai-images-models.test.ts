import { describe, expect, it } from 'vitest';
import { chooseImageSize } from '../../../src/providers/openai/openai-images-models.js';

const gptImage = ['1024x1024', '1536x1024', '1024x1536'];
const dalle2 = ['256x256', '512x512', '1024x1024'];

describe('chooseImageSize', () => {
  it.each([
    [{ size: { width: 1024, height: 1536 } }, gptImage, '1024x1536'],
    [{ size: { width: 1920, height: 1080 } }, gptImage, '1536x1024'],
    [{ size: { width: 500, height: 500 } }, dalle2, '512x512'],
    [{ size: { width: 300, height: 200 } }, dalle2, '256x256'],
    [{ aspectRatio: '16:9' }, gptImage, '1536x1024'],
    [{ aspectRatio: '1:1' }, gptImage, '1024x1024'],
    [{ aspectRatio: '9:16' }, ['1024x1024', '1792x1024', '1024x1792'], '1024x1792'],
    [{ aspectRatio: '4:3' }, dalle2, '1024x1024'],
    [{ size: { width: 1280, height: 720 } }, undefined, '1280x720'],
    [{ aspectRatio: '16:9' }, undefined, undefined],
    [{}, gptImage, undefined],
  ])('%j with %j picks %s', (request, sizes, expected) => {
    expect(chooseImageSize(request, sizes)).toBe(expected);
  });
});
