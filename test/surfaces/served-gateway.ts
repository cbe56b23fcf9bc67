import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import sharp from 'sharp';
import { afterEach } from 'vitest';
import { createServer, type GatewayServer } from '../../adapters/node.js';
import type { GatewayOptions } from '../../src/options.js';

/** A gateway key long enough for every key rule (at least 16 characters). */
export const gatewayKey = 'sk-surfaces-test-key-0001';

const servers = new Set<GatewayServer>();

afterEach(async () => {
  await Promise.all([...servers].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  servers.clear();
});

/** A gateway on the Node adapter on an ephemeral 127.0.0.1 port (closed after the test), and the official SDK pointed at it. */
export async function serveGateway(options: GatewayOptions = {}): Promise<{ baseURL: string; client: OpenAI; server: GatewayServer }> {
  const server = createServer({ apiKeys: [gatewayKey], ...options });
  servers.add(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseURL = `http://127.0.0.1:${port}/v1`;
  return { baseURL, client: new OpenAI({ apiKey: gatewayKey, baseURL, maxRetries: 0 }), server };
}

/** What sharp reads from base64 image bytes. */
export async function decodeBase64Image(base64: string): Promise<{ format?: string; width?: number; height?: number; hasAlpha?: boolean }> {
  const metadata = await sharp(Buffer.from(base64, 'base64')).metadata();
  return { format: metadata.format, width: metadata.width, height: metadata.height, hasAlpha: metadata.hasAlpha };
}

/** A solid PNG of the given size, made at run time. */
export function solidPng(width: number, height: number, color = { r: 40, g: 120, b: 200 }): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: color } })
    .png()
    .toBuffer();
}
