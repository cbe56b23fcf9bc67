/** A valid greyscale progressive JPEG of `scans` scans (1 to 883), every coefficient zero; about 80 KB at 6320×6320. */
export function manyScanJpeg(width: number, height: number, scans: number): Buffer;
/** A valid all-black 1-bit greyscale PNG of `width`×`height` (16000×16000: about 33 KB, 256 MP to decode). */
export function hugeBlankPng(width: number, height: number): Buffer;
