import { describe, expect, it } from 'vitest';
import { networkFailureDetail, networkFailureKind } from '../../src/errors/network-failure.js';

const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('networkFailureKind', () => {
  it.each([
    [coded('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.7:22'), 'unreachable'],
    [coded('ENOTFOUND', 'getaddrinfo ENOTFOUND internal.corp'), 'unreachable'],
    [coded('EAI_AGAIN'), 'unreachable'],
    [coded('UND_ERR_CONNECT_TIMEOUT'), 'unreachable'],
    [coded('CERT_HAS_EXPIRED'), 'tls'],
    [
      coded(
        'ERR_TLS_CERT_ALTNAME_INVALID',
        "Hostname/IP does not match certificate's altnames: Host: a. is not in the cert's altnames: DNS:b",
      ),
      'tls',
    ],
    [coded('EPROTO'), 'tls'],
    [coded('ECONNRESET', 'read ECONNRESET'), 'broken'],
    [coded('UND_ERR_SOCKET', 'other side closed'), 'broken'],
    [coded('UND_ERR_BODY_TIMEOUT'), 'stalled'],
    // What Node's fetch throws: the code is on the cause.
    [new TypeError('fetch failed', { cause: coded('ENOTFOUND') }), 'unreachable'],
    [new TypeError('terminated', { cause: coded('UND_ERR_SOCKET') }), 'broken'],
    [new TypeError('fetch failed'), 'failed'],
  ] as const)('%s is %s', (error, kind) => {
    expect(networkFailureKind(error)).toBe(kind);
  });

  it('is undefined for errors that are not network failures: bugs are not the upstream’s', () => {
    expect(networkFailureKind(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBeUndefined();
    expect(networkFailureKind(new SyntaxError('Unexpected token'))).toBeUndefined();
    expect(networkFailureKind(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }))).toBeUndefined();
  });

  it('has a sentence per kind that names no host, port or code', () => {
    for (const kind of ['unreachable', 'tls', 'broken', 'stalled', 'failed'] as const) {
      expect(networkFailureDetail(kind)).not.toMatch(/[A-Z]{4,}|\d/);
    }
  });
});
