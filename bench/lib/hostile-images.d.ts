/** A valid greyscale progressive JPEG of `scans` scans (1 to 883), every coefficient zero; about 80 KB at 6320×6320. */
export function manyScanJpeg(width: number, height: number, scans: number): Buffer;
