/**
 * Where slot counts live. In memory by default; the interface is the seam
 * for a shared store (e.g. Redis) when several gateway processes draw on
 * one upstream account.
 */
export interface SlotStore {
  /** Takes one slot of `instanceId` when fewer than `limit` are taken. */
  tryAcquire(instanceId: string, limit: number): boolean;
  release(instanceId: string): void;
  active(instanceId: string): number;
}

/** The default store: counters in this process. */
export function createMemorySlotStore(): SlotStore {
  const counts = new Map<string, number>();
  return {
    tryAcquire(instanceId, limit) {
      const current = counts.get(instanceId) ?? 0;
      if (current >= limit) return false;
      counts.set(instanceId, current + 1);
      return true;
    },
    release(instanceId) {
      counts.set(instanceId, Math.max(0, (counts.get(instanceId) ?? 0) - 1));
    },
    active(instanceId) {
      return counts.get(instanceId) ?? 0;
    },
  };
}
