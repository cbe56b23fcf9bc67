/**
 * Resolves once `condition` holds, checking every 10 ms; rejects after
 * `withinMs`. For state with no event of its own to await (a pub/sub message
 * applied in another gateway, a connection the server has not yet counted).
 */
export async function eventually(condition: () => boolean | Promise<boolean>, withinMs = 5_000): Promise<void> {
  const until = Date.now() + withinMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`condition not met within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
