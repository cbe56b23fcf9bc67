import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Loaded with Node's require at run time instead of bundled: sharp is native,
  // and the gateway keeps its own module graph.
  serverExternalPackages: ['image-gateway', 'sharp'],
  // This example links the package from the repository (file:../..), which sits
  // above the app; let the bundler and the output tracer see that far.
  turbopack: { root: join(here, '../..') },
  outputFileTracingRoot: join(here, '../..'),
};

export default nextConfig;
