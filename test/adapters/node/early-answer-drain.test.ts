import { createServer as createHttpServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { serve } from '@hono/node-server';
import express from 'express';
import { Hono } from 'hono';
import Koa from 'koa';
import OpenAI, { toFile } from 'openai';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { imageGateway as expressGateway } from '../../../adapters/express.js';
import { imageGateway as honoGateway } from '../../../adapters/hono.js';
import { imageGateway as koaGateway } from '../../../adapters/koa.js';
import { createServer } from '../../../adapters/node.js';
import { listen, track } from '../adapter-test-helpers.js';

const gatewayKey = 'sk-edge-test-key-0123456789';
const tries = 30;
const tenMegabytes = () => Buffer.alloc(10 * 1024 * 1024, 0x61);

/** Sends `body` `tries` times with Node's fetch; returns the statuses seen (or the error's message). */
async function statusesOf(url: string, init: () => RequestInit): Promise<string[]> {
  const seen: string[] = [];
  for (let attempt = 0; attempt < tries; attempt++) {
    try {
      const response = await fetch(url, init());
      await response.arrayBuffer();
      seen.push(String(response.status));
    } catch (error) {
      seen.push(`${(error as Error).message} ${String((error as { cause?: Error }).cause?.message ?? '')}`);
    }
  }
  return seen;
}

/** The three hosts that share the Node path. */
const hosts = {
  node: async () => listen(createServer({ apiKeys: [gatewayKey], maxBodyBytes: 1024 * 1024 })),
  express: async () => {
    const app = express();
    app.use(track(expressGateway({ apiKeys: [gatewayKey], maxBodyBytes: 1024 * 1024 })));
    return listen(createHttpServer(app));
  },
  hono: async () => {
    const app = new Hono();
    app.route('/', track(honoGateway({ apiKeys: [gatewayKey], maxBodyBytes: 1024 * 1024 })));
    return listen(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', overrideGlobalObjects: false }) as Server);
  },
  koa: async () => {
    const app = new Koa();
    // Koa logs every socket error of a request; the client ending its upload early once it has its answer is one.
    app.silent = true;
    app.use(track(koaGateway({ apiKeys: [gatewayKey], maxBodyBytes: 1024 * 1024 })));
    return listen(createHttpServer(app.callback()));
  },
};

/**
 * Uploads `size` bytes over a raw socket, 64 KB per write, each write waited
 * for, as a client that writes its whole body before it reads does; returns
 * the status line it got and how the connection ended.
 */
async function rawUpload(base: string, path: string, size: number): Promise<{ status: string; failure?: string; written: number }> {
  const { hostname, port } = new URL(base);
  const socket = connect(Number(port), hostname);
  let received = '';
  let failure: string | undefined;
  socket.on('data', (chunk) => {
    received += chunk.toString('latin1');
  });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', (error: NodeJS.ErrnoException) => {
    failure = error.code ?? error.message;
  });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const head =
    `POST ${path} HTTP/1.1\r\nhost: ${hostname}\r\nauthorization: Bearer sk-wrong-key-0123456789abc\r\n` +
    `content-type: application/json\r\ncontent-length: ${size}\r\n\r\n`;
  const write = (chunk: string | Buffer) => new Promise<boolean>((resolve) => socket.write(chunk, (error) => resolve(!error)));
  let written = 0;
  if (await write(head)) {
    const piece = Buffer.alloc(64 * 1024, 0x61);
    while (written < size && (await write(piece.subarray(0, Math.min(piece.length, size - written))))) {
      written += Math.min(piece.length, size - written);
    }
  }
  socket.end();
  await closed;
  return { status: received.split('\r\n')[0] ?? '', ...(failure ? { failure } : {}), written };
}

describe('answers given before the upload was read reach Node clients', () => {
  for (const [name, start] of Object.entries(hosts)) {
    it(`${name}: the connection stays open, read, until the upload is in, so a writing client gets the 401`, async () => {
      const base = await start();
      const size = 4 * 1024 * 1024;
      expect(await rawUpload(base, '/v1/chat/completions', size)).toEqual({ status: 'HTTP/1.1 401 Unauthorized', written: size });
    }, 30_000);
  }

  for (const [name, start] of Object.entries(hosts)) {
    it(`${name}: a bad key with a 10 MB body is a 401, ${tries} times out of ${tries}`, async () => {
      const base = await start();
      const body = tenMegabytes();
      const statuses = await statusesOf(`${base}/v1/chat/completions`, () => ({
        method: 'POST',
        headers: { authorization: 'Bearer sk-wrong-key-0123456789abc', 'content-type': 'application/json' },
        body,
      }));
      expect(statuses).toEqual(Array(tries).fill('401'));
    }, 60_000);
  }

  it('a mistyped path with a 10 MB body is a 404, and a body over the limit a 413', async () => {
    const base = await hosts.node();
    const body = tenMegabytes();
    const notFound = await statusesOf(`${base}/v1/chat/completion`, () => ({
      method: 'POST',
      headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/json' },
      body,
    }));
    expect(notFound).toEqual(Array(tries).fill('404'));
    const tooLarge = await statusesOf(`${base}/v1/chat/completions`, () => ({
      method: 'POST',
      headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/json' },
      body,
    }));
    expect(tooLarge).toEqual(Array(tries).fill('413'));
  }, 120_000);

  it("the openai SDK's images.edit() sees the gateway's own answer, not a connection error", async () => {
    const base = await hosts.node();
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#c33' } })
      .png()
      .toBuffer();
    const client = new OpenAI({ apiKey: gatewayKey, baseURL: `${base}/v1`, maxRetries: 0 });
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < tries; attempt++) {
      try {
        await client.images.edit({ model: 'local-image', image: await toFile(png, 'in.png'), prompt: 'make it blue' });
        outcomes.push('ok');
      } catch (error) {
        outcomes.push(error instanceof OpenAI.APIError && error.status ? String(error.status) : (error as Error).message);
      }
    }
    expect(new Set(outcomes).size, outcomes.join(' | ')).toBe(1);
    expect(outcomes[0]).toMatch(/^(ok|4\d\d)$/);
  }, 60_000);
});
