import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageGateway } from '../../../src/gateway.js';
import { createImageIngester, type ImageIngestDependencies } from '../../../src/images/ingest/image-ingest.js';
import type { HostResolver, RemoteConnector, RemoteTarget } from '../../../src/images/remote/image-remote-types.js';
import { postChat } from '../../helpers/gateway-client.js';
import { type FakeImageHost, redirectTo, serveBytes, startFakeImageHost } from '../fake-image-host.js';
import { never, rejection, twoToneImage, userReference } from '../image-test-helpers.js';

let host: FakeImageHost;
let png: Buffer;
/** Loopback is reachable only because this option says so; the fake host's port is added once it listens. */
const localOptions = { allowHttpUrls: true, allowPrivateNetworks: ['127.0.0.1/32'], allowRemotePorts: [] as number[] };

beforeAll(async () => {
  host = await startFakeImageHost();
  localOptions.allowRemotePorts.push(host.port);
  png = await twoToneImage('png', 48, 24);
  host.route('/cat.png', serveBytes(png));
  host.route('/cat-as-octets', serveBytes(png, 'application/octet-stream'));
  host.route('/page.html', serveBytes(Buffer.from('<html></html>'), 'text/html; charset=utf-8'));
  host.route('/svg-as-image', serveBytes(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/svg+xml'));
  host.route('/broken', (_request, response) => response.writeHead(500).end('boom'));
  host.route('/hop1', redirectTo('/hop2'));
  host.route('/hop2', redirectTo('/hop3', 301));
  host.route('/hop3', redirectTo('/cat.png', 307));
  host.route('/hop0', redirectTo('/hop1'));
  host.route('/to-metadata', redirectTo('http://169.254.169.254/latest/meta-data/'));
  host.route('/huge-declared', (_request, response) => {
    response.writeHead(200, { 'content-type': 'image/png', 'content-length': 50_000 });
    response.write(png);
  });
  host.route('/huge-streamed', (_request, response) => {
    response.writeHead(200, { 'content-type': 'image/png' });
    const chunk = Buffer.alloc(16 * 1024, 1);
    const pump = () => {
      while (!response.destroyed && response.write(chunk));
      if (!response.destroyed) response.once('drain', pump);
    };
    response.write(png);
    pump();
  });
  host.route('/hang', (_request, response) => {
    response.writeHead(200, { 'content-type': 'image/png' });
    response.write(png.subarray(0, 10));
  });
});

afterAll(() => host.close());

describe('remote image URLs against a local server', () => {
  it('fetches an image over http when allowHttpUrls and allowPrivateNetworks permit, and converts it', async () => {
    const [image] = await createImageIngester(localOptions).ingest([userReference(`${host.origin}/cat.png`)], never);
    expect(image!.mediaType).toBe('image/jpeg');
    expect(await sharp(image!.bytes()).metadata()).toMatchObject({ format: 'jpeg', width: 48, height: 24 });
    expect(host.requests.at(-1)?.headers.accept).toContain('image/png');
  });

  it('connects to the checked address, not to what the name resolves to later', async () => {
    let lookups = 0;
    const resolveHost: HostResolver = async (hostname) => {
      lookups++;
      expect(hostname).toBe('images.test');
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const ingester = createImageIngester(localOptions, { resolveHost });
    const [image] = await ingester.ingest([userReference(`http://images.test:${host.port}/cat-as-octets`)], never);
    expect(await sharp(image!.bytes()).metadata()).toMatchObject({ width: 48 });
    expect(lookups).toBe(1);
    expect(host.requests.at(-1)?.headers.host).toBe(`images.test:${host.port}`);
  });

  it('follows up to 3 redirects, checking each', async () => {
    const [image] = await createImageIngester(localOptions).ingest([userReference(`${host.origin}/hop1`)], never);
    expect(image!.mediaType).toBe('image/jpeg');
  });

  it.each([
    ['a fourth redirect', '/hop0', 'IMAGE_FETCH_FAILED', /redirected more than 3 times/],
    ['an error status', '/broken', 'IMAGE_FETCH_FAILED', /answered HTTP 500/],
    ['a missing image', '/missing.png', 'IMAGE_FETCH_FAILED', /answered HTTP 404/],
    ['an HTML page', '/page.html', 'IMAGE_FETCH_FAILED', /content type text\/html/],
    ['SVG served as an image', '/svg-as-image', 'unsupported_image_format', /is SVG/],
    [
      'a redirect to the metadata address',
      '/to-metadata',
      'IMAGE_URL_REFUSED',
      /was redirected to http:\/\/169\.254\.169\.254\/latest\/meta-data\/, which points to 169\.254\.169\.254, a cloud metadata address/,
    ],
  ])('refuses %s', async (_name, path, code, message) => {
    const error = await rejection(createImageIngester(localOptions).ingest([userReference(`${host.origin}${path}`, 1)], never));
    expect(error).toMatchObject({ status: 400, code, param: 'messages[0].content[1].image_url.url' });
    expect(error.message).toMatch(message);
  });

  it('refuses a body whose Content-Length exceeds maxImageBytes before reading it', async () => {
    const error = await rejection(
      createImageIngester({ ...localOptions, maxImageBytes: 10_000 }).ingest([userReference(`${host.origin}/huge-declared`)], never),
    );
    expect(error).toMatchObject({ code: 'IMAGE_TOO_LARGE' });
    expect(error.message).toContain('is 50000 bytes; the limit is 10000 bytes');
  });

  it('stops reading a streamed body once it passes maxImageBytes', async () => {
    const error = await rejection(
      createImageIngester({ ...localOptions, maxImageBytes: 100_000 }).ingest([userReference(`${host.origin}/huge-streamed`)], never),
    );
    expect(error).toMatchObject({ code: 'IMAGE_TOO_LARGE' });
    expect(error.message).toMatch(/more than 100000 bytes/);
  });

  it('gives up after remoteTimeoutMs', async () => {
    const started = performance.now();
    const error = await rejection(
      createImageIngester({ ...localOptions, remoteTimeoutMs: 200 }).ingest([userReference(`${host.origin}/hang`)], never),
    );
    expect(error).toMatchObject({ code: 'IMAGE_FETCH_FAILED' });
    expect(error.message).toContain('within 200 ms');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('rejects with the client signal reason when the client leaves mid-fetch', async () => {
    const controller = new AbortController();
    const before = host.requests.length;
    const pending = createImageIngester(localOptions).ingest([userReference(`${host.origin}/hang`)], controller.signal);
    while (host.requests.length === before) await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error('client left'));
    await expect(pending).rejects.toThrow('client left');
  });

  it('refuses loopback without the option, never connecting', async () => {
    const before = host.requests.length;
    const options = { allowHttpUrls: true, allowRemotePorts: [host.port] };
    const error = await rejection(createImageIngester(options).ingest([userReference(`${host.origin}/cat.png`)], never));
    expect(error).toMatchObject({ code: 'IMAGE_URL_REFUSED' });
    expect(error.message).toContain('points to 127.0.0.1, a loopback address');
    expect(host.requests.length).toBe(before);
  });
});

describe('SSRF guard', () => {
  const publicAddress = '93.184.215.14';
  const names: Record<string, string[]> = {
    localhost: ['127.0.0.1', '::1'],
    'internal.example': ['10.1.2.3'],
    'metadata.google.internal': ['169.254.169.254'],
    'rebind.example': [publicAddress, '127.0.0.1'],
    'v6-internal.example': ['fd00::5'],
    'translated.example': ['::ffff:0:a00:1'],
    'public.example': [publicAddress],
  };
  function recordingDependencies(): ImageIngestDependencies & { attempts: RemoteTarget[] } {
    const attempts: RemoteTarget[] = [];
    const resolveHost: HostResolver = async (hostname) =>
      (names[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    // Never opens a socket: it answers for the "public" host with a redirect to a private address.
    const connect: RemoteConnector = async (target) => {
      attempts.push(target);
      return {
        status: 302,
        header: (name) => (name === 'location' ? 'http://10.0.0.7/internal.png' : undefined),
        body: (async function* () {})(),
        close: async () => {},
      };
    };
    return { resolveHost, connect, attempts };
  }

  it.each([
    ['http://127.0.0.1/a.png', /points to 127\.0\.0\.1, a loopback address/],
    ['http://localhost/a.png', /has a host that is not allowed \(localhost\); the gateway fetches only public addresses/],
    ['http://[::1]/a.png', /points to ::1, a loopback address/],
    ['http://0.0.0.0/a.png', /an unspecified address/],
    ['http://10.0.0.5/a.png', /a private address/],
    ['http://169.254.169.254/latest/meta-data/', /a cloud metadata address/],
    ['http://[::ffff:127.0.0.1]/a.png', /a loopback address/],
    ['http://2130706433/a.png', /points to 127\.0\.0\.1/],
    ['http://[fe80::1]/a.png', /a link-local address/],
    ['http://internal.example/a.png', /has a host that is not allowed \(internal\.example\)/],
    ['http://metadata.google.internal/computeMetadata/v1/', /has a host that is not allowed/],
    ['http://rebind.example/a.png', /has a host that is not allowed/],
    ['http://v6-internal.example/a.png', /has a host that is not allowed/],
    ['http://[::ffff:0:7f00:1]/a.png', /points to ::ffff:0:7f00:1, an IPv4-translated address/],
    ['http://[::ffff:0:808:808]/a.png', /an IPv4-translated address/],
    ['http://translated.example/a.png', /has a host that is not allowed/],
  ])('refuses %s without connecting', async (url, message) => {
    const dependencies = recordingDependencies();
    const error = await rejection(createImageIngester({ allowHttpUrls: true }, dependencies).ingest([userReference(url)], never));
    expect(error).toMatchObject({ status: 400, code: 'IMAGE_URL_REFUSED', param: 'messages[0].content[0].image_url.url' });
    expect(error.message).toMatch(message);
    expect(dependencies.attempts).toEqual([]);
  });

  it('re-checks a redirect and refuses it before connecting to the private target', async () => {
    const dependencies = recordingDependencies();
    const error = await rejection(
      createImageIngester({ allowHttpUrls: true }, dependencies).ingest([userReference('https://public.example/a.png')], never),
    );
    expect(error).toMatchObject({ code: 'IMAGE_URL_REFUSED' });
    expect(error.message).toContain('was redirected to http://10.0.0.7/internal.png, which points to 10.0.0.7, a private address');
    expect(dependencies.attempts.map((attempt) => attempt.address)).toEqual([publicAddress]);
  });

  it.each([
    [{}, 'http://public.example/a.png', /http: URL; only https: URLs are fetched \(images\.allowHttpUrls is off\)/],
    [{}, 'file:///etc/passwd', /file: URL/],
    [{}, 'gopher://public.example/', /gopher: URL/],
    [{}, 'https://user:secret@public.example/a.png', /credentials/],
    [{ allowRemoteUrls: false }, 'https://public.example/a.png', /remote image URLs are disabled/],
  ])('refuses %j %s by its form', async (options, url, message) => {
    const dependencies = recordingDependencies();
    const error = await rejection(createImageIngester(options, dependencies).ingest([userReference(url)], never));
    expect(error).toMatchObject({ status: 400, code: 'IMAGE_URL_REFUSED' });
    expect(error.message).toMatch(message);
    expect(dependencies.attempts).toEqual([]);
  });

  it.each([
    ['a URL over 8192 characters', `https://example.com/${'a'.repeat(8200)}.png`, /URL of 8224 characters; the limit is 8192/],
    [
      'a host name over 253 characters',
      `https://${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(20)}.com/x.png`,
      /host name is longer than DNS allows/,
    ],
  ])('refuses %s without resolving it or quoting it back', async (_label, url, message) => {
    const dependencies = recordingDependencies();
    const error = await rejection(createImageIngester({}, dependencies).ingest([userReference(url)], never));
    expect(error).toMatchObject({ code: 'IMAGE_URL_REFUSED' });
    expect(error.message).toMatch(message);
    expect(error.message.length).toBeLessThan(300);
    expect(dependencies.attempts).toEqual([]);
  });

  it.each([
    [{}, 'https://public.example:8443/a.png', /port 8443; only port 443 are fetched unless images\.allowRemotePorts lists more/],
    [{}, 'https://public.example:22/a.png', /port 22/],
    [{}, 'https://public.example:80/a.png', /port 80/],
    [{ allowHttpUrls: true }, 'http://public.example:6379/a.png', /port 6379; only ports 443 and 80/],
  ])('refuses %j %s by its port, without resolving or connecting', async (options, url, message) => {
    const dependencies = recordingDependencies();
    let resolved = 0;
    const counting: ImageIngestDependencies = {
      connect: dependencies.connect,
      resolveHost: (hostname, signal) => {
        resolved += 1;
        return dependencies.resolveHost!(hostname, signal);
      },
    };
    const error = await rejection(createImageIngester(options, counting).ingest([userReference(url)], never));
    expect(error).toMatchObject({ status: 400, code: 'IMAGE_URL_REFUSED' });
    expect(error.message).toMatch(message);
    expect(resolved).toBe(0);
    expect(dependencies.attempts).toEqual([]);
  });

  it.each([
    [{}, 'https://public.example/a.png', 443],
    [{ allowHttpUrls: true }, 'http://public.example/a.png', 80],
    [{ allowRemotePorts: [8443] }, 'https://public.example:8443/a.png', 8443],
  ])('connects %j to %s (port %i)', async (options, url, port) => {
    const dependencies = recordingDependencies();
    await rejection(createImageIngester(options, dependencies).ingest([userReference(url)], never));
    expect(dependencies.attempts[0]?.url.href).toBe(url);
    expect(Number(dependencies.attempts[0]?.url.port || (url.startsWith('http:') ? 80 : 443))).toBe(port);
  });

  it('tells the client which host was refused but only the log what it resolved to', async () => {
    const logged: Record<string, unknown>[] = [];
    const logger = { info: (object: Record<string, unknown>) => logged.push(object), warn: () => {}, error: () => {} };
    const gateway = createImageGateway({ images: { allowHttpUrls: true, allowRemotePorts: [host.port] }, logger });
    try {
      const url = `http://localhost:${host.port}/cat.png`;
      const response = await postChat(gateway, {
        model: 'local-image',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'make it grey' },
              { type: 'image_url', image_url: { url } },
            ],
          },
        ],
      });
      expect(response.status).toBe(400);
      const { error } = await response.json();
      expect(error).toMatchObject({ code: 'IMAGE_URL_REFUSED', param: 'messages[0].content[1].image_url.url' });
      expect(error.message).toBe(
        'Image at messages[0].content[1].image_url.url has a host that is not allowed (localhost); the gateway fetches only public addresses (see images.allowPrivateNetworks).',
      );
      expect(logged.at(-1)?.detail).toMatch(/^localhost resolves to (127\.0\.0\.1|::1), a loopback address$/);
    } finally {
      await gateway.close();
    }
  });

  it('reports a name that does not resolve as IMAGE_FETCH_FAILED', async () => {
    const dependencies = recordingDependencies();
    const error = await rejection(createImageIngester({}, dependencies).ingest([userReference('https://nowhere.example/a.png')], never));
    expect(error).toMatchObject({ code: 'IMAGE_FETCH_FAILED' });
    expect(dependencies.attempts).toEqual([]);
  });
});
