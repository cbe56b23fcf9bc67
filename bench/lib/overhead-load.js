/**
 * The overhead benchmark's load: a small text-to-image request, sent by
 * autocannon over 32 connections. Shared by the diagnostics that read CPU
 * per request, so they measure the same work as `overhead/run.js`.
 */
import autocannon from 'autocannon';

export const smallChatBody = JSON.stringify({ model: 'bench-image', messages: [{ role: 'user', content: 'Draw a small red square' }] });

/** Posts `smallChatBody` to `${url}/v1/chat/completions` for `duration` seconds; resolves with autocannon's result. */
export function cannon(url, duration) {
  return new Promise((resolve, reject) =>
    autocannon(
      {
        url: `${url}/v1/chat/completions`,
        connections: 32,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: smallChatBody,
        duration,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );
}
