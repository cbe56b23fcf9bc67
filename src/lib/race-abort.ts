/**
 * Settles like `promise`, or rejects with the signal's reason as soon as the
 * signal aborts. Work behind the promise may go on (sharp cannot be
 * interrupted), but the caller is released at once.
 *
 * @example
 * const metadata = await raceAbort(lookup(hostname), signal);
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
