import { parseAspectRatio } from '../../images/image-geometry.js';
import { findColor, type RgbColor } from './local-colors.js';

/** One edit the engine can apply to an image. */
export type EditOperation =
  | { kind: 'saturation'; factor: number }
  | { kind: 'grayscale' }
  | { kind: 'blur'; strength: 'light' | 'medium' | 'strong' }
  | { kind: 'sharpen' }
  | { kind: 'brightness'; factor: number }
  | { kind: 'contrast'; factor: number }
  | { kind: 'rotate'; degrees: number }
  | { kind: 'flip'; direction: 'horizontal' | 'vertical' }
  | { kind: 'invert' }
  | { kind: 'tint'; color: string; rgb: RgbColor }
  | { kind: 'crop'; aspectRatio: string; ratio: number }
  | { kind: 'resize'; width: number; height: number }
  | { kind: 'scale'; factor: number };

/** Most edit steps one instruction may ask for; each is a full pass over the image. */
export const maxEditSteps = 16;

/** The vocabulary, as shown to a user whose instruction was not understood. */
export const knownInstructions = [
  'more vibrant / less saturated',
  'grayscale (black and white)',
  'blur (slightly / heavily)',
  'sharpen',
  'brighter / darker',
  'more / less contrast',
  'rotate N degrees (left / right)',
  'flip / mirror (vertically)',
  'invert',
  'tint or theme colour (red, blue, #ff8800, sepia, ...)',
  'crop to 16:9 (or square)',
  'resize to 800x600 / scale to 50%',
] as const;

interface Rule {
  pattern: RegExp;
  /** Builds the operation from the match and the words after it (up to the next clause); undefined skips the match. */
  build: (match: RegExpExecArray, tail: string) => EditOperation | undefined;
  /** The rule reads the words after its keyword ("rotate 90 degrees left"), so it claims them too. */
  readsTail?: boolean;
}

const ratioInText = /(\d+(?:\.\d+)?\s*[:x×/]\s*\d+(?:\.\d+)?|\bsquare\b)/i;

/** Ordered from specific to general: the first rule to claim some words wins them. */
const rules: readonly Rule[] = [
  {
    pattern: /\b(less (vibrant|saturated|colou?rful)|desaturate[d]?|muted|washed[- ]out)\b/gi,
    build: () => ({ kind: 'saturation', factor: 0.5 }),
  },
  {
    pattern: /\b(gr[ae]y\s*scale|gr[ae]yscale|black\s*(and|&|n)\s*white|b\s*&\s*w|b\/w|monochrome|noir)(?![\w/])/gi,
    build: () => ({ kind: 'grayscale' }),
  },
  { pattern: /\b(vibrant|vivid|saturated?|saturation|colou?rful|punchier|pop)\b/gi, build: () => ({ kind: 'saturation', factor: 1.6 }) },
  { pattern: /\b(less|lower|reduce[d]?)\s+(the\s+)?contrast\b/gi, build: () => ({ kind: 'contrast', factor: 0.75 }) },
  { pattern: /\bcontrast\b/gi, build: () => ({ kind: 'contrast', factor: 1.3 }) },
  {
    pattern: /\b(blur|blurry|blurred|soften|defocus|out of focus)\b/gi,
    build: (match, tail) => ({ kind: 'blur', strength: blurStrength(match, tail) }),
  },
  { pattern: /\b(sharpen|sharper|crisper|crisp)\b/gi, build: () => ({ kind: 'sharpen' }) },
  { pattern: /\b(brighter|brighten|lighten|lighter)\b/gi, build: () => ({ kind: 'brightness', factor: 1.3 }) },
  { pattern: /\b(darker|darken|dimmer|dim)\b/gi, build: () => ({ kind: 'brightness', factor: 0.7 }) },
  {
    pattern: /\b(flip(ped)?|mirror(ed)?)\b/gi,
    build: (_match, tail) => ({
      kind: 'flip',
      direction: /\b(vertical(ly)?|upside[- ]down|top to bottom)\b/i.test(tail) ? 'vertical' : 'horizontal',
    }),
    readsTail: true,
  },
  { pattern: /\bupside[- ]down\b/gi, build: () => ({ kind: 'rotate', degrees: 180 }) },
  {
    pattern: /\b(rotat(e|ed|ion)|turn(ed)?(?=[^.;]{0,24}?(\d+\s*(°|deg)|clockwise|left|right)))\b/gi,
    build: (_match, tail) => rotation(tail),
    readsTail: true,
  },
  { pattern: /\b(invert(ed)?|negative|negate)\b/gi, build: () => ({ kind: 'invert' }) },
  { pattern: /\bcrop(ped|ping)?\b/gi, build: (_match, tail) => crop(tail), readsTail: true },
  { pattern: /\b(aspect(\s+ratio)?|ratio)\b/gi, build: (_match, tail) => crop(tail), readsTail: true },
  // A bare ratio ("make it 16:9", "a 4:3 aspect ratio") can only mean the shape of the picture.
  { pattern: /\b\d+(?:\.\d+)?\s*:\s*\d+(?:\.\d+)?\b/g, build: (match) => crop(match[0]) },
  { pattern: /\b(resize[d]?|scale[d]?|shrink|enlarge)\b/gi, build: (_match, tail) => resize(tail), readsTail: true },
];

/** Words that make a colour name an instruction ("make it blue") rather than a description. */
const tintContext = /\b(tint(ed)?|theme|colou?r(ed|s)?|make|turn|change|hue|tone|shade|filter|wash|paint|recolou?r)\b/i;

/**
 * Reads an edit instruction into operations, in the order they are written.
 * Returns an empty list when nothing in it is understood.
 *
 * @example
 * parseInstructions('make it black and white, then rotate 90 degrees');
 * // [{ kind: 'grayscale' }, { kind: 'rotate', degrees: 90 }]
 */
export function parseInstructions(text: string, maxOperations = maxEditSteps): EditOperation[] {
  const claimed: { start: number; end: number; operation: EditOperation }[] = [];
  // At most maxOperations + 1 spans are ever held, so each check is a few steps and the whole
  // parse is linear in the text: "dim " × 31 000 took 0.6 s when every match checked every span.
  const overlaps = (start: number, end: number) => claimed.some((span) => start < span.end && end > span.start);
  for (const rule of rules) {
    for (const match of text.matchAll(rule.pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      if (overlaps(start, end)) continue;
      const tail = text.slice(end, end + 60).split(/[.;,!?\n]|\b(?:and|then)\b/i)[0] ?? '';
      const operation = rule.build(match as RegExpExecArray, tail);
      if (operation) claimed.push({ start, end: rule.readsTail ? end + tail.length : end, operation });
      // One over the cap is enough to refuse the instruction: reading on would only cost time.
      if (claimed.length > maxOperations) return claimed.map((span) => span.operation);
    }
  }
  const tint = findTint(text, overlaps);
  if (tint) claimed.push(tint);
  return claimed.sort((left, right) => left.start - right.start).map((span) => span.operation);
}

function findTint(text: string, overlaps: (start: number, end: number) => boolean) {
  if (!tintContext.test(text) && !/\bsepia\b/i.test(text)) return undefined;
  const color = findColor(text);
  if (!color || overlaps(color.index, color.index + color.name.length)) return undefined;
  return {
    start: color.index,
    end: color.index + color.name.length,
    operation: { kind: 'tint', color: color.name, rgb: color.rgb } as const,
  };
}

function blurStrength(match: RegExpExecArray, tail: string): 'light' | 'medium' | 'strong' {
  const around = `${match.input.slice(Math.max(0, match.index - 20), match.index)} ${tail}`;
  if (/\b(slight(ly)?|a (little|bit)|subtle|gentle|soft(ly)?)\b/i.test(around)) return 'light';
  if (/\b(heav(y|ily)|strong(ly)?|very|a lot|lots|extreme(ly)?)\b/i.test(around)) return 'strong';
  return 'medium';
}

function rotation(tail: string): EditOperation {
  const number = /(-?\d+(?:\.\d+)?)/.exec(tail);
  const magnitude = number ? Math.abs(Number(number[1])) : 90;
  const counterClockwise = /\b(counter[- ]?clockwise|anti[- ]?clockwise|left)\b/i.test(tail) || (number?.[1] ?? '').startsWith('-');
  const degrees = (((counterClockwise ? -magnitude : magnitude) % 360) + 360) % 360;
  return { kind: 'rotate', degrees };
}

function crop(tail: string): EditOperation | undefined {
  const found = ratioInText.exec(tail);
  if (!found) return undefined;
  const aspectRatio = found[1]?.toLowerCase() === 'square' ? '1:1' : (found[1] ?? '').replace(/\s+/g, '').replace(/[x×/]/, ':');
  const ratio = parseAspectRatio(aspectRatio);
  return ratio ? { kind: 'crop', aspectRatio, ratio } : undefined;
}

function resize(tail: string): EditOperation | undefined {
  const pixels = /(\d{1,5})\s*[x×*]\s*(\d{1,5})/.exec(tail);
  if (pixels) return { kind: 'resize', width: Number(pixels[1]), height: Number(pixels[2]) };
  const percent = /(\d+(?:\.\d+)?)\s*%/.exec(tail);
  const factor = percent ? Number(percent[1]) / 100 : /\b(half|50)\b/i.test(tail) ? 0.5 : /\b(double|twice)\b/i.test(tail) ? 2 : undefined;
  return factor && factor > 0 ? { kind: 'scale', factor } : undefined;
}

/** A short human label for an operation, for progress lines and notes. */
export function describeOperation(operation: EditOperation): string {
  switch (operation.kind) {
    case 'saturation':
      return operation.factor > 1 ? 'more vibrant' : 'less saturated';
    case 'grayscale':
    case 'sharpen':
    case 'invert':
      return operation.kind;
    case 'blur':
      return operation.strength === 'medium' ? 'blur' : `${operation.strength} blur`;
    case 'brightness':
      return operation.factor > 1 ? 'brighter' : 'darker';
    case 'contrast':
      return operation.factor > 1 ? 'more contrast' : 'less contrast';
    case 'rotate':
      return `rotate ${operation.degrees}°`;
    case 'flip':
      return `flip ${operation.direction}ly`;
    case 'tint':
      return `tint ${operation.color}`;
    case 'crop':
      return `crop to ${operation.aspectRatio}`;
    case 'resize':
      return `resize to ${operation.width}×${operation.height}`;
    case 'scale':
      return `scale to ${Math.round(operation.factor * 100)}%`;
  }
}
