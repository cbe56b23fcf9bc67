import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createServer, type GatewayServer } from '../../../adapters/node.js';
import { UpstreamError } from '../../../src/errors/upstream-error.js';
import { chromiumPath, describeWithChromium } from '../../helpers/chromium.js';
import { createScriptedProvider } from '../../helpers/scripted-provider.js';
import { gatewayKey } from '../served-gateway.js';

/**
 * The playground as a person uses it: a real headless Chromium on a real
 * gateway on 127.0.0.1 (the local engine, and a held provider for the
 * queue and Stop). One browser and one page for the whole file.
 */
describeWithChromium('the playground in a real browser', () => {
  const held = createScriptedProvider({ id: 'held', concurrency: 1, models: ['held-image'] });
  let server: GatewayServer;
  let origin: string;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const authorizations: (string | undefined)[] = [];

  beforeAll(async () => {
    server = createServer({
      apiKeys: [gatewayKey],
      playground: true,
      heartbeatIntervalMs: 100,
      providers: [{ type: 'local' }, held.provider],
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: chromiumPath() as string });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // A blocked inline script or style would show here: the CSP must let the page's own through.
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) pageErrors.push(message.text());
    });
    page.on('request', (request) => {
      if (request.url().includes('/v1/chat/completions')) authorizations.push(request.headers().authorization);
    });
    await page.goto(`${origin}/playground`);
    await page.fill('#key', gatewayKey);
    await page.dispatchEvent('#key', 'change');
    await page.waitForSelector('#model option[value="local-image"]', { state: 'attached' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  /** The rendered result's natural size, once the image has decoded. */
  async function renderedImage(): Promise<{ width: number; height: number }> {
    const [first] = await renderedImages(1);
    return first as { width: number; height: number };
  }

  /** The natural sizes of the result's images, once `count` of them have decoded. */
  async function renderedImages(count: number): Promise<{ width: number; height: number }[]> {
    await page.waitForFunction((count) => {
      const images = [...document.querySelectorAll<HTMLImageElement>('#run-images img')];
      return images.length === count && images.every((image) => image.complete && image.naturalWidth > 0);
    }, count);
    return page.$$eval('#run-images img', (images) =>
      images.map((image) => ({ width: (image as HTMLImageElement).naturalWidth, height: (image as HTMLImageElement).naturalHeight })),
    );
  }

  it('lists the models, sends a prompt with Ctrl+Enter, and renders the image at the asked size', async () => {
    const options = await page.$$eval('#model option', (nodes) => nodes.map((node) => (node as HTMLOptionElement).value));
    expect(options).toEqual(expect.arrayContaining(['auto', 'local-image', 'held-image']));
    await page.selectOption('#model', 'local-image');
    expect(await page.textContent('#model-info')).toContain('images.edits');
    await page.fill('#prompt', 'a lighthouse at dusk');
    await page.fill('#size', '320x240');
    await page.press('#prompt', 'Control+Enter');
    expect(await renderedImage()).toEqual({ width: 320, height: 240 });
    await page.waitForSelector('#gallery li');
    expect(await page.textContent('#run-reasoning')).toContain('Drawing');
    expect(await page.textContent('#gallery li')).toMatch(/a lighthouse at dusk[\s\S]*total \d+\.\d s[\s\S]*chatcmpl-/);
    expect(await page.textContent('#run-ids')).toMatch(/id chatcmpl-\w+ · request req_\w+ · served by local/);
    // The key went as a header, lives in session storage, and never reached the URL.
    expect(authorizations).toEqual([`Bearer ${gatewayKey}`]);
    expect(await page.evaluate(() => sessionStorage.getItem('image-gateway.playground.key'))).toBe(gatewayKey);
    expect(page.url()).toBe(`${origin}/playground`);
  });

  it('asks for several images with n and renders each', async () => {
    await page.selectOption('#count', '2');
    await page.fill('#prompt', 'orange kites over a green meadow');
    await page.fill('#size', '160x96');
    await page.click('#send');
    expect(await renderedImages(2)).toEqual([
      { width: 160, height: 96 },
      { width: 160, height: 96 },
    ]);
    await page.waitForFunction(() => document.querySelector('#run-status')?.textContent?.startsWith('Done: 2 images'));
    await page.selectOption('#count', '1');
  });

  it('edits an uploaded PNG to grayscale: the rendered pixels are grey', async () => {
    // Red, green and blue bands: nothing grey in the input.
    const bands = await sharp({ create: { width: 240, height: 180, channels: 3, background: { r: 220, g: 30, b: 30 } } })
      .composite([
        { input: { create: { width: 80, height: 180, channels: 3, background: { r: 30, g: 200, b: 40 } } }, left: 80, top: 0 },
        { input: { create: { width: 80, height: 180, channels: 3, background: { r: 40, g: 60, b: 230 } } }, left: 160, top: 0 },
      ])
      .png()
      .toBuffer();
    await page.setInputFiles('#image-file', { name: 'bands.png', mimeType: 'image/png', buffer: bands });
    await page.waitForSelector('#attachment:not([hidden])');
    await page.fill('#prompt', 'grayscale');
    await page.fill('#size', '');
    await page.click('#send');
    expect(await renderedImage()).toEqual({ width: 240, height: 180 });
    const pixels = await page.$eval('#run-images img', (element) => {
      const image = element as HTMLImageElement;
      const canvas = document.createElement('canvas');
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
      const context = canvas.getContext('2d') as CanvasRenderingContext2D;
      context.drawImage(image, 0, 0);
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let spread = 0;
      const levels = new Set<number>();
      for (let index = 0; index < data.length; index += 4) {
        const [red, green, blue] = [data[index] as number, data[index + 1] as number, data[index + 2] as number];
        spread = Math.max(spread, Math.abs(red - green), Math.abs(green - blue), Math.abs(red - blue));
        levels.add(red >> 4);
      }
      return { spread, levels: levels.size };
    });
    // Grey everywhere (JPEG rounding aside), and still a picture: the bands are distinct greys.
    expect(pixels.spread).toBeLessThanOrEqual(3);
    expect(pixels.levels).toBeGreaterThanOrEqual(3);
    expect(await page.$$('#gallery li')).toHaveLength(3);
    // The CI artifact (and the source of docs/playground.png): a text-to-image and an edit in one session.
    await mkdir('.tmp', { recursive: true });
    await page.screenshot({ path: '.tmp/playground-desktop.png', fullPage: true });
    await page.click('#attachment-remove');
  });

  it('shows the queue position and heartbeats as they come, and Stop aborts the request upstream', async () => {
    // Another client holds the one slot of the held instance, so the page's request queues.
    const other = await fetch(`${origin}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${gatewayKey}` },
      body: JSON.stringify({ model: 'held-image', stream: true, messages: [{ role: 'user', content: 'hold the slot' }] }),
    });
    await vi.waitFor(() => expect(held.pending).toHaveLength(1));
    await page.selectOption('#model', 'held-image');
    await page.fill('#prompt', 'wait your turn');
    await page.click('#send');
    await page.waitForFunction(() => document.querySelector('#run-status')?.textContent?.includes('In the queue: position 1'));
    held.pending[0]?.succeed();
    await other.text();
    await page.waitForFunction(() => document.querySelector('#run-status')?.textContent?.includes('Generating'));
    await vi.waitFor(() => expect(held.state.active).toBe(1));
    expect(await page.textContent('#run-meta')).toMatch(/\d+ heartbeats?\b/);
    await page.click('#stop');
    await page.waitForFunction(() => document.querySelector('#run-status')?.textContent?.startsWith('Stopped'));
    await vi.waitFor(() => expect(held.state).toMatchObject({ active: 0, aborted: 1 }));
    expect(await page.isEnabled('#send')).toBe(true);
  });

  it('renders a hosted image URL on the gateway origin, given once in content and once in message images', async () => {
    // What a gateway delivering images as URLs streams: the browser intercepts it, and serves the file too.
    const hosted = `${origin}/v1/files/img_hosted.png`;
    const png = await sharp({ create: { width: 96, height: 64, channels: 3, background: '#cc8833' } })
      .png()
      .toBuffer();
    const chunk = (delta: object, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'chatcmpl-hosted', object: 'chat.completion.chunk', created: 1, model: 'local-image', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    await page.route('**/v1/chat/completions', (route) =>
      route.fulfill({
        status: 200,
        headers: { 'content-type': 'text/event-stream', 'x-request-id': 'req_hosted' },
        body:
          chunk({ role: 'assistant', content: '' }) +
          ': keep-alive\n\n' +
          chunk({ content: `![generated](${hosted})`, images: [{ type: 'image_url', image_url: { url: hosted }, index: 0 }] }, 'stop') +
          'data: [DONE]\n\n',
      }),
    );
    await page.route('**/v1/files/img_hosted.png', (route) => route.fulfill({ status: 200, contentType: 'image/png', body: png }));
    try {
      await page.fill('#prompt', 'a hosted image');
      await page.click('#send');
      expect(await renderedImages(1)).toEqual([{ width: 96, height: 64 }]);
      expect(await page.textContent('#run-images figcaption')).toContain('96×64 · hosted');
      expect(await page.textContent('#run-ids')).toContain('id chatcmpl-hosted · request req_hosted');
    } finally {
      await page.unrouteAll();
    }
  });

  it('renders the hosted image of a real gateway that delivers images as URLs', async () => {
    const hosting = createServer({ playground: true, images: { delivery: 'url' } });
    await new Promise<void>((resolve) => hosting.listen(0, '127.0.0.1', resolve));
    const hostingOrigin = `http://127.0.0.1:${(hosting.address() as AddressInfo).port}`;
    const other = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      other.on('pageerror', (error) => pageErrors.push(error.message));
      await other.goto(`${hostingOrigin}/playground`);
      await other.waitForSelector('#model option[value="local-image"]', { state: 'attached' });
      await other.fill('#prompt', 'a hosted lighthouse');
      await other.fill('#size', '200x120');
      await other.click('#send');
      await other.waitForFunction(() => {
        const image = document.querySelector<HTMLImageElement>('#run-images img');
        return image?.complete && image.naturalWidth > 0;
      });
      const image = await other.$eval('#run-images img', (element) => ({
        src: (element as HTMLImageElement).src,
        width: (element as HTMLImageElement).naturalWidth,
        height: (element as HTMLImageElement).naturalHeight,
      }));
      expect(image).toEqual({ src: expect.stringMatching(new RegExp(`^${hostingOrigin}/v1/files/images/`)), width: 200, height: 120 });
      expect(await other.textContent('#run-images figcaption')).toContain('200×120 · hosted');
    } finally {
      await other.close();
      hosting.closeAllConnections();
      await new Promise((resolve) => hosting.close(resolve));
    }
  });

  it('shows an error event that arrives mid-stream, after the stream began', async () => {
    await page.selectOption('#model', 'held-image');
    await page.fill('#prompt', 'something the upstream refuses');
    await page.click('#send');
    await vi.waitFor(() => expect(held.pending).toHaveLength(1));
    await page.waitForFunction(() => document.querySelector('#run-status')?.textContent?.includes('Generating'));
    held.pending[0]?.fail(new UpstreamError({ provider: 'held', kind: 'content_filter', message: 'The prompt was refused upstream.' }));
    const error = await page.waitForSelector('#run-error:not([hidden])');
    expect(await error.textContent()).toMatch(/refused upstream[\s\S]*code/);
    expect(await page.textContent('#run-status')).toMatch(/^Failed after/);
    expect(await page.$$('#gallery li')).toHaveLength(4);
    await page.screenshot({ path: '.tmp/playground-stream-error.png' });
  });

  it('takes an input image dropped on the drop zone or pasted into the page', async () => {
    const png = (
      await sharp({ create: { width: 8, height: 8, channels: 3, background: '#336699' } })
        .png()
        .toBuffer()
    ).toString('base64');
    const transfer = (name: string) =>
      page.evaluateHandle(
        ({ base64, name }) => {
          const bytes = Uint8Array.from(atob(base64), (character) => character.charCodeAt(0));
          const transfer = new DataTransfer();
          transfer.items.add(new File([bytes], name, { type: 'image/png' }));
          return transfer;
        },
        { base64: png, name },
      );
    await page.dispatchEvent('#drop', 'drop', { dataTransfer: await transfer('dropped.png') });
    await page.waitForFunction(() => document.querySelector('#attachment-name')?.textContent === 'dropped.png');
    await page.click('#attachment-remove');
    await page.evaluate(
      (clipboardData) => document.dispatchEvent(new ClipboardEvent('paste', { clipboardData, bubbles: true })),
      await transfer('pasted.png'),
    );
    await page.waitForFunction(() => document.querySelector('#attachment-name')?.textContent === 'pasted.png');
    expect(await page.getAttribute('#attachment-preview', 'src')).toMatch(/^data:image\/png;base64,/);
    await page.click('#attachment-remove');
    expect(await page.isHidden('#attachment')).toBe(true);
  });

  it('shows the OpenAI error of a wrong key: message, code and status', async () => {
    await page.fill('#key', 'sk-not-a-valid-key-0123456789');
    await page.dispatchEvent('#key', 'change');
    await page.selectOption('#model', 'local-image');
    await page.fill('#prompt', 'a red square');
    await page.click('#send');
    const error = await page.waitForSelector('#run-error:not([hidden])');
    const text = (await error.textContent()) ?? '';
    expect(text).toMatch(/key/i);
    expect(text).toContain('HTTP401');
    expect(text).toContain('codeUNAUTHORIZED');
    await page.waitForFunction(() => document.querySelector('#stats-note')?.textContent?.includes('needs a gateway key'));
    expect(await page.textContent('#run-status')).toMatch(/^Failed after/);
    await page.fill('#key', gatewayKey);
    await page.dispatchEvent('#key', 'change');
  });

  it('follows the system colour scheme: light, or dark', async () => {
    const background = () =>
      page.evaluate(() => {
        const [red, green, blue] = (getComputedStyle(document.body).backgroundColor.match(/\d+/g) ?? []).map(Number);
        return (red as number) + (green as number) + (blue as number);
      });
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await background()).toBeGreaterThan(600);
    await page.emulateMedia({ colorScheme: 'dark' });
    try {
      expect(await background()).toBeLessThan(100);
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
    }
  });

  it('stacks on a phone (390 px) without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const layout = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        controls: (document.querySelector('.controls') as HTMLElement).getBoundingClientRect(),
        results: (document.querySelector('.results') as HTMLElement).getBoundingClientRect(),
      }));
      expect(layout.scrollWidth).toBeLessThanOrEqual(390);
      expect(layout.results.top).toBeGreaterThanOrEqual(layout.controls.bottom);
      await page.screenshot({ path: '.tmp/playground-phone.png', fullPage: true });
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    expect(pageErrors).toEqual([]);
  });
});
