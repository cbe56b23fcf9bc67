import { describe, expect, it, vi } from 'vitest';

describe('the host entry', () => {
  it('is found by another copy of the module, as the ESM and CommonJS builds are', async () => {
    const first = await import('../../src/server/host-entry.js');
    vi.resetModules();
    const second = await import('../../src/server/host-entry.js');
    expect(second).not.toBe(first);
    const gateway = {};
    const entry = { serve: async () => ({ status: 204, headers: {} }), writeStallTimeoutMs: 1000, unreadBody: { maxBytes: 0, maxMs: 0 } };
    first.registerHostEntry(gateway, entry);
    expect(second.hostEntryOf(gateway)).toBe(entry);
  });

  it('refuses an object no gateway registered, saying what to do', async () => {
    const { hostEntryOf } = await import('../../src/server/host-entry.js');
    expect(() => hostEntryOf({ fetch: () => undefined })).toThrow(/createImageGateway; to serve another object, call its fetch/);
  });
});
