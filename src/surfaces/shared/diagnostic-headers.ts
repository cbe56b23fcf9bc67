import type { ModelRoute } from '../../generation/routing/model-registry.js';

/** Seed 002's diagnostic headers. */
export function diagnosticHeaders(
  requestId: string,
  route: ModelRoute | undefined,
  attempts: number,
  reasoningEffort: string | undefined,
): Record<string, string> {
  const headers: Record<string, string> = { 'x-gateway-request-id': requestId };
  if (route) {
    headers['x-gateway-provider'] = route.provider.id;
    headers['x-gateway-model'] = route.model.id;
  }
  headers['x-gateway-attempts'] = String(attempts);
  if (reasoningEffort) headers['x-gateway-reasoning-effort'] = reasoningEffort;
  return headers;
}
