import { invalidRequest } from '../../errors/gateway-error.js';
import type { IncomingCall } from '../../server/incoming-call.js';

/**
 * The project a request is billed to: `project_id` in the body, else the
 * `x-gateway-project-id` header; a 400 when the gateway requires one and
 * neither is there.
 */
export function projectIdOf(call: IncomingCall, fromBody: unknown, required: boolean): string | undefined {
  const projectId =
    (typeof fromBody === 'string' && fromBody !== '' ? fromBody : undefined) ?? call.header('x-gateway-project-id') ?? undefined;
  if (required && !projectId) {
    throw invalidRequest(
      'A project is required: send "project_id" in the body or the x-gateway-project-id header.',
      'project_id',
      'PROJECT_ID_REQUIRED',
    );
  }
  return projectId;
}
