import { describe, expect, it } from 'vitest';
import { describeOperation, parseInstructions } from '../../../src/providers/local/local-instructions.js';

const labels = (text: string) => parseInstructions(text).map(describeOperation);

describe('parseInstructions', () => {
  it.each([
    ['Make this image more vibrant', ['more vibrant']],
    ['less saturated please', ['less saturated']],
    ['convert to grayscale', ['grayscale']],
    ['make it black and white', ['grayscale']],
    ['blur it slightly', ['light blur']],
    ['blur the background heavily', ['strong blur']],
    ['sharpen', ['sharpen']],
    ['make it brighter', ['brighter']],
    ['darken it', ['darker']],
    ['more contrast', ['more contrast']],
    ['rotate 90 degrees', ['rotate 90°']],
    ['rotate it by 45° counterclockwise', ['rotate 315°']],
    ['rotate left', ['rotate 270°']],
    ['turn it upside down', ['rotate 180°']],
    ['flip it upside down', ['flip vertically']],
    ['mirror the photo', ['flip horizontally']],
    ['invert the colours', ['invert']],
    ['Change the theme color to red', ['tint red']],
    ['make it blue', ['tint blue']],
    ['tint it green', ['tint green']],
    ['give it a #ff8800 colour wash', ['tint #ff8800']],
    ['sepia', ['tint sepia']],
    ['crop to 16:9', ['crop to 16:9']],
    ['crop it to a square', ['crop to 1:1']],
    ['use a 4:3 aspect ratio', ['crop to 4:3']],
    ['resize to 800x600', ['resize to 800×600']],
    ['scale to 50%', ['scale to 50%']],
  ])('%s', (text, expected) => {
    expect(labels(text)).toEqual(expected);
  });

  it('keeps the order the instruction gives', () => {
    expect(labels('make it black and white, then rotate 90 degrees and crop to 16:9')).toEqual(['grayscale', 'rotate 90°', 'crop to 16:9']);
    expect(labels('crop to 1:1 and make it darker')).toEqual(['crop to 1:1', 'darker']);
  });

  it('understands nothing in a request it cannot do', () => {
    expect(parseInstructions('add a wizard hat to the cat')).toEqual([]);
    expect(parseInstructions('')).toEqual([]);
  });

  it('does not read a described colour as a tint without an instruction word', () => {
    expect(parseInstructions('the red car, sharpen it')).toEqual([{ kind: 'sharpen' }]);
  });
});
