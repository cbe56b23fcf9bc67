import { invalidRequest } from '../../errors/gateway-error.js';
import type { IncomingCall } from '../../server/incoming-call.js';
import { checkProjectId } from '../../server/request-limits.js';

/**
 * The project a request is billed to: `project_id` in the body, else the
 * `x-gateway-project-id` header, each checked (`checkProjectId`) before it
 * reaches a log or a usage table; a 400 when the gateway requires one and
 * neither is there.
 */
export function projectIdOf(call: IncomingCall, fromBody: unknown, required: boolean): string | undefined {
  const header = call.header('x-gateway-project-id');
  let projectId: string | undefined;
  if (fromBody !== undefined && fromBody !== null) {
    if (typeof fromBody !== 'string') throw invalidRequest("Invalid 'project_id': must be a string.", 'project_id');
    projectId = checkProjectId(fromBody, 'project_id');
  } else if (header) projectId = checkProjectId(header, 'x-gateway-project-id');
  if (required && !projectId) {
    throw invalidRequest(
      'A project is required: send "project_id" in the body or the x-gateway-project-id header.',
      'project_id',
      'PROJECT_ID_REQUIRED',
    );
  }
  return projectId;
}
