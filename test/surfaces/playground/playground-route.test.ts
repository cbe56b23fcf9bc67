import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { optionsFromEnvironment } from '../../../src/cli-config.js';
import { createImageGateway } from '../../../src/gateway.js';
import { gatewayKey, serveGateway } from '../served-gateway.js';

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
const between = (html: string, tag: string) => html.split(`<${tag}>`)[1]?.split(`</${tag}>`)[0] ?? '';

describe('GET /playground', () => {
  it('is off by default in the middleware: the path falls through to the host', async () => {
    const gateway = createImageGateway();
    try {
      expect(gateway.handles({ method: 'GET', url: 'http://gateway.test/playground' })).toBe(false);
      expect((await gateway.fetch(new Request('http://gateway.test/playground'))).status).toBe(404);
      expect((await gateway.fetch(new Request('http://gateway.test/playground/stats'))).status).toBe(404);
    } finally {
      await gateway.close();
    }
  });

  it('is on by default in the standalone server, and PLAYGROUND=0 or the config file turn it off', () => {
    expect(optionsFromEnvironment({}, undefined).playground).toBe(true);
    expect(optionsFromEnvironment({ PLAYGROUND: '0' }, undefined).playground).toBe(false);
    expect(optionsFromEnvironment({}, { playground: false }).playground).toBe(false);
  });

  it('serves the page without a key, with a strict CSP that allows only its own script and style', async () => {
    const { baseURL } = await serveGateway({ playground: true });
    const origin = baseURL.replace(/\/v1$/, '');
    const response = await fetch(`${origin}/playground`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    const html = await response.text();
    const policy = Object.fromEntries(
      (response.headers.get('content-security-policy') ?? '').split('; ').map((directive) => {
        const [name, ...sources] = directive.split(' ');
        return [name, sources];
      }),
    );
    expect(policy).toEqual({
      'default-src': ["'none'"],
      'script-src': [sha256(between(html, 'script'))],
      'style-src': [sha256(between(html, 'style'))],
      'img-src': ["'self'", 'data:', 'blob:'],
      'connect-src': ["'self'"],
      'base-uri': ["'none'"],
      'form-action': ["'none'"],
      'frame-ancestors': ["'none'"],
    });
    // Self-contained: one script and one style sheet, nothing fetched from elsewhere, and a script that parses.
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html.match(/<style/g)).toHaveLength(1);
    expect(html).not.toMatch(/(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?(?:https?:)?\/\//i);
    expect(() => new Function(between(html, 'script'))).not.toThrow();
    // The key never travels in a URL: the page reads it from its field and sends a header.
    expect(html).toContain("headers.authorization = 'Bearer ' + key");
    expect(html).not.toMatch(/[?&](?:key|api_key)=/);
  });

  it('lets the page load hosted images from the publicUrl origin too', async () => {
    const gateway = createImageGateway({ playground: true, publicUrl: 'https://images.example.com/gateway' });
    try {
      const response = await gateway.fetch(new Request('http://localhost:3000/playground'));
      expect(response.headers.get('content-security-policy')).toContain("img-src 'self' https://images.example.com data: blob:;");
    } finally {
      await gateway.close();
    }
  });

  it('serves its live figures behind the gateway auth, and under the base path', async () => {
    const { baseURL } = await serveGateway({ playground: true, basePath: '/ai' });
    const origin = baseURL.replace(/\/v1$/, '');
    expect((await fetch(`${origin}/ai/playground`)).status).toBe(200);
    const refused = await fetch(`${origin}/ai/playground/stats`);
    expect(refused.status).toBe(401);
    expect((await refused.json()).error.code).toBe('UNAUTHORIZED');
    const stats = await fetch(`${origin}/ai/playground/stats`, { headers: { authorization: `Bearer ${gatewayKey}` } });
    expect(stats.status).toBe(200);
    expect(await stats.json()).toEqual({
      status: 'ok',
      instances: [
        {
          id: 'local',
          type: 'local',
          state: 'closed',
          concurrency: expect.any(Number),
          active: 0,
          waiting: { stream: 0, nonStream: 0 },
          completed: 0,
          failed: 0,
          unavailable_for_ms: 0,
        },
      ],
    });
  });
});
