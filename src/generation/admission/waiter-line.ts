/** What a line holds: the time that orders it, and whether the item left (removal is lazy). */
export interface LineItem {
  readonly arrivedAt: number;
  gone: boolean;
}

/**
 * A FIFO of waiters whose removals cost O(1): a waiter that leaves (served,
 * aborted, timed out) is only marked gone, skipped at the head, and swept out
 * once the gone outnumber the live, so 40 000 waiting streams aborting in any
 * order, or a shutdown answering them all, stay linear.
 *
 * @example
 * const line = new WaiterLine<Waiter>();
 * line.add(waiter, false);
 * waiter.gone = true;
 * line.removed();
 */
export class WaiterLine<T extends LineItem> {
  #items: T[] = [];
  #head = 0;
  #live = 0;

  get size(): number {
    return this.#live;
  }

  /**
   * Adds at the end; `keepPlace` (a fallback that was admitted before) goes
   * back before those that arrived after it. Returns its place, counting
   * from 1 (an estimate when gone waiters are still in the way).
   */
  add(item: T, keepPlace: boolean): number {
    let index = this.#items.length;
    if (keepPlace) while (index > this.#head && (this.#items[index - 1] as T).arrivedAt > item.arrivedAt) index -= 1;
    if (index === this.#items.length) this.#items.push(item);
    else this.#items.splice(index, 0, item);
    this.#live += 1;
    return index === this.#items.length - 1 ? this.#live : index - this.#head + 1;
  }

  /** The longest-waiting item still in line. */
  first(): T | undefined {
    while (this.#head < this.#items.length) {
      const item = this.#items[this.#head] as T;
      if (!item.gone) return item;
      this.#head += 1;
    }
    return undefined;
  }

  /** Counts one item marked gone; sweeps the gone out when they outnumber the live. */
  removed(): void {
    this.#live -= 1;
    if (this.#items.length - this.#head > 2 * this.#live + 32) {
      this.#items = this.#items.filter((item, index) => index >= this.#head && !item.gone);
      this.#head = 0;
    }
  }

  /** Calls `visit` on every item still in line, first to last, with its place (from 1). */
  forEach(visit: (item: T, place: number) => void): void {
    let place = 0;
    for (let index = this.#head; index < this.#items.length; index += 1) {
      const item = this.#items[index] as T;
      if (!item.gone) visit(item, ++place);
    }
  }

  /** Empties the line and returns the items that were still in it. */
  drain(): T[] {
    const items = this.#items.filter((item, index) => index >= this.#head && !item.gone);
    this.#items = [];
    this.#head = 0;
    this.#live = 0;
    return items;
  }
}
