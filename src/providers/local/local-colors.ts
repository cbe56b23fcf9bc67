export interface RgbColor {
  r: number;
  g: number;
  b: number;
}

/**
 * Colour words the engine understands, for tints ("tint it green") and for
 * steering a drawing's palette ("a blue whale"). Only chromatic colours: a
 * "white" tint means nothing, and "black and white" is a grayscale request.
 */
export const namedColors: Readonly<Record<string, RgbColor>> = {
  red: { r: 220, g: 30, b: 40 },
  crimson: { r: 200, g: 20, b: 60 },
  orange: { r: 245, g: 130, b: 20 },
  amber: { r: 255, g: 180, b: 0 },
  yellow: { r: 245, g: 215, b: 30 },
  gold: { r: 212, g: 175, b: 55 },
  golden: { r: 212, g: 175, b: 55 },
  lime: { r: 140, g: 220, b: 40 },
  green: { r: 40, g: 170, b: 70 },
  emerald: { r: 20, g: 160, b: 100 },
  teal: { r: 0, g: 140, b: 140 },
  turquoise: { r: 60, g: 210, b: 200 },
  cyan: { r: 0, g: 200, b: 230 },
  blue: { r: 30, g: 90, b: 220 },
  navy: { r: 20, g: 40, b: 130 },
  indigo: { r: 75, g: 40, b: 160 },
  purple: { r: 130, g: 50, b: 180 },
  violet: { r: 150, g: 80, b: 220 },
  magenta: { r: 220, g: 30, b: 170 },
  pink: { r: 245, g: 120, b: 170 },
  brown: { r: 130, g: 80, b: 40 },
  sepia: { r: 112, g: 66, b: 20 },
};

const colorWord = new RegExp(`\\b(${Object.keys(namedColors).join('|')})\\b`, 'i');
const hexColor = /#([0-9a-f]{6}|[0-9a-f]{3})\b/i;

/**
 * The first colour named in a text, by word or as `#rrggbb` / `#rgb`.
 *
 * @example
 * findColor('change the theme color to red'); // { name: 'red', rgb: { r: 220, g: 30, b: 40 } }
 */
export function findColor(text: string): { name: string; rgb: RgbColor; index: number } | undefined {
  const word = colorWord.exec(text);
  const hex = hexColor.exec(text);
  if (hex && (!word || hex.index < word.index)) {
    return { name: hex[0].toLowerCase(), rgb: parseHex(hex[1] ?? ''), index: hex.index };
  }
  if (!word) return undefined;
  const name = (word[1] ?? '').toLowerCase();
  const rgb = namedColors[name];
  return rgb ? { name, rgb, index: word.index } : undefined;
}

function parseHex(digits: string): RgbColor {
  const full = digits.length === 3 ? [...digits].map((digit) => digit + digit).join('') : digits;
  const value = Number.parseInt(full, 16);
  return { r: (value >> 16) & 255, g: (value >> 8) & 255, b: value & 255 };
}

/** Hue of a colour in degrees (0–360), for building a palette around it. */
export function hueOf(color: RgbColor): number {
  const r = color.r / 255;
  const g = color.g / 255;
  const b = color.b / 255;
  const max = Math.max(r, g, b);
  const delta = max - Math.min(r, g, b);
  if (delta === 0) return 0;
  const sector = max === r ? ((g - b) / delta) % 6 : max === g ? (b - r) / delta + 2 : (r - g) / delta + 4;
  return (sector * 60 + 360) % 360;
}

/** `hsl(...)` as a hex string, so SVG renders the exact same colour everywhere. */
export function hslToHex(hue: number, saturation: number, lightness: number): string {
  const s = Math.min(1, Math.max(0, saturation));
  const l = Math.min(1, Math.max(0, lightness));
  const chroma = (1 - Math.abs(2 * l - 1)) * s;
  const h = (((hue % 360) + 360) % 360) / 60;
  const x = chroma * (1 - Math.abs((h % 2) - 1));
  const [r, g, b] =
    h < 1
      ? [chroma, x, 0]
      : h < 2
        ? [x, chroma, 0]
        : h < 3
          ? [0, chroma, x]
          : h < 4
            ? [0, x, chroma]
            : h < 5
              ? [x, 0, chroma]
              : [chroma, 0, x];
  const m = l - chroma / 2;
  const channel = (value: number) =>
    Math.round((value + m) * 255)
      .toString(16)
      .padStart(2, '0');
  return `#${channel(r)}${channel(g)}${channel(b)}`;
}
