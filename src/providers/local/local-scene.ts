import { hslToHex } from './local-colors.js';
import type { Random } from './local-random.js';

/** Colours of one picture, all derived from one base hue. */
export interface Palette {
  hue: number;
  sky: [string, string];
  colors: string[];
  dark: string;
  light: string;
}

/** Hue offsets of classic colour schemes: analogous, complementary, triadic, split-complementary. */
const schemes: readonly (readonly number[])[] = [
  [0, 30, -30, 15, -15],
  [0, 180, 20, 200, -20],
  [0, 120, 240, 60, 180],
  [0, 150, 210, 30, 330],
];

/** A palette around `baseHue` (a colour named in the prompt), or around a random hue. */
export function makePalette(random: Random, baseHue?: number): Palette {
  const hue = baseHue ?? random.between(0, 360);
  const scheme = random.pick(schemes);
  return {
    hue,
    sky: [
      hslToHex(hue + random.between(-40, 40), random.between(0.5, 0.8), random.between(0.78, 0.9)),
      hslToHex(hue + random.between(-40, 40), random.between(0.4, 0.7), random.between(0.45, 0.65)),
    ],
    colors: scheme.map((offset) => hslToHex(hue + offset, random.between(0.55, 0.9), random.between(0.35, 0.7))),
    dark: hslToHex(hue, 0.45, 0.14),
    light: hslToHex(hue + 40, 0.6, 0.92),
  };
}

export interface SceneOptions {
  width: number;
  height: number;
  random: Random;
  palette: Palette;
}

/** The compositions the engine chooses from; the prompt's hash picks one. */
export const scenes = { landscape, abstract: abstractShapes, orbits, mosaic } as const;
export type SceneName = keyof typeof scenes;

/** One decimal place: enough precision for pixels, and keeps the SVG short. */
const round = (value: number) => Math.round(value * 10) / 10;

function landscape({ width, height, random, palette }: SceneOptions): string {
  const short = Math.min(width, height);
  const sunX = round(random.between(0.15, 0.85) * width);
  const sunY = round(random.between(0.12, 0.4) * height);
  const sunRadius = round(random.between(0.06, 0.13) * short);
  const parts = [
    `<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${palette.sky[0]}"/><stop offset="1" stop-color="${palette.sky[1]}"/></linearGradient></defs>`,
    `<rect width="${width}" height="${height}" fill="url(#sky)"/>`,
    `<circle cx="${sunX}" cy="${sunY}" r="${round(sunRadius * 2)}" fill="${palette.light}" opacity="0.3"/>`,
    `<circle cx="${sunX}" cy="${sunY}" r="${sunRadius}" fill="${palette.colors[1] ?? palette.light}"/>`,
  ];
  const hills = random.integer(3, 5);
  for (let layer = 0; layer < hills; layer++) {
    const base = height * (0.45 + (layer * 0.42) / hills);
    const amplitude = height * random.between(0.03, 0.09);
    const frequency = random.between(0.8, 3);
    const phase = random.between(0, Math.PI * 2);
    const points: string[] = [];
    for (let step = 0; step <= 32; step++) {
      const x = (step / 32) * width;
      points.push(`${round(x)} ${round(base + amplitude * Math.sin((step / 32) * frequency * Math.PI * 2 + phase))}`);
    }
    const fill = hslToHex(palette.hue + random.between(-30, 30), random.between(0.35, 0.65), 0.55 - (layer * 0.4) / hills);
    parts.push(`<path d="M0 ${height}L${points.join('L')}L${width} ${height}Z" fill="${fill}"/>`);
  }
  return parts.join('');
}

function abstractShapes({ width, height, random, palette }: SceneOptions): string {
  const short = Math.min(width, height);
  const parts = [
    `<defs><linearGradient id="wash" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${palette.sky[0]}"/><stop offset="1" stop-color="${palette.sky[1]}"/></linearGradient></defs>`,
    `<rect width="${width}" height="${height}" fill="url(#wash)"/>`,
  ];
  const count = random.integer(12, 28);
  for (let index = 0; index < count; index++) {
    const x = round(random.next() * width);
    const y = round(random.next() * height);
    const size = round(random.between(0.05, 0.3) * short);
    const paint = `fill="${random.pick(palette.colors)}" opacity="${round(random.between(0.55, 0.95))}"`;
    const kind = random.integer(0, 2);
    if (kind === 0) parts.push(`<circle cx="${x}" cy="${y}" r="${round(size / 2)}" ${paint}/>`);
    else if (kind === 1) {
      const angle = round(random.between(0, 90));
      parts.push(
        `<rect x="${round(x - size / 2)}" y="${round(y - size / 2)}" width="${size}" height="${size}" rx="${round(size * 0.12)}" transform="rotate(${angle} ${x} ${y})" ${paint}/>`,
      );
    } else {
      parts.push(
        `<path d="M${x} ${round(y - size / 2)}L${round(x + size / 2)} ${round(y + size / 2)}L${round(x - size / 2)} ${round(y + size / 2)}Z" ${paint}/>`,
      );
    }
  }
  return parts.join('');
}

function orbits({ width, height, random, palette }: SceneOptions): string {
  const centerX = round(random.between(0.3, 0.7) * width);
  const centerY = round(random.between(0.3, 0.7) * height);
  const largest = Math.hypot(width, height) * random.between(0.45, 0.75);
  const rings = random.integer(6, 14);
  const parts = [`<rect width="${width}" height="${height}" fill="${palette.dark}"/>`];
  for (let ring = 0; ring < rings; ring++) {
    const radius = round(largest * (1 - ring / rings));
    parts.push(`<circle cx="${centerX}" cy="${centerY}" r="${radius}" fill="${palette.colors[ring % palette.colors.length]}"/>`);
  }
  const moons = random.integer(2, 6);
  for (let moon = 0; moon < moons; moon++) {
    const angle = random.between(0, Math.PI * 2);
    const distance = largest * random.between(0.2, 0.9);
    const radius = round(Math.min(width, height) * random.between(0.015, 0.05));
    parts.push(
      `<circle cx="${round(centerX + Math.cos(angle) * distance)}" cy="${round(centerY + Math.sin(angle) * distance)}" r="${radius}" fill="${palette.light}"/>`,
    );
  }
  return parts.join('');
}

function mosaic({ width, height, random, palette }: SceneOptions): string {
  const columns = random.integer(3, 8);
  const rows = Math.max(1, Math.round((columns * height) / width));
  const cellWidth = width / columns;
  const cellHeight = height / rows;
  const parts: string[] = [];
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      const x = column * cellWidth;
      const y = row * cellHeight;
      const [back, front] = [random.pick(palette.colors), random.pick([...palette.colors, palette.dark, palette.light])];
      parts.push(
        `<rect x="${round(x)}" y="${round(y)}" width="${round(cellWidth + 1)}" height="${round(cellHeight + 1)}" fill="${back}"/>`,
      );
      const radius = round(Math.min(cellWidth, cellHeight) / 2);
      const motif = random.integer(0, 3);
      if (motif === 0)
        parts.push(
          `<circle cx="${round(x + cellWidth / 2)}" cy="${round(y + cellHeight / 2)}" r="${round(radius * 0.8)}" fill="${front}"/>`,
        );
      else if (motif === 1)
        parts.push(
          `<path d="M${round(x)} ${round(y)}L${round(x + cellWidth)} ${round(y)}L${round(x)} ${round(y + cellHeight)}Z" fill="${front}"/>`,
        );
      else if (motif === 2) {
        parts.push(
          `<path d="M${round(x)} ${round(y + cellHeight)}A${radius * 2} ${radius * 2} 0 0 1 ${round(x + cellWidth)} ${round(y + cellHeight)}Z" fill="${front}"/>`,
        );
      } else {
        const inset = round(Math.min(cellWidth, cellHeight) * 0.25);
        parts.push(
          `<rect x="${round(x + inset)}" y="${round(y + inset)}" width="${round(cellWidth - 2 * inset)}" height="${round(cellHeight - 2 * inset)}" fill="${front}"/>`,
        );
      }
    }
  }
  return parts.join('');
}
