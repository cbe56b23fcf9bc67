import { GatewayError } from '../../errors/gateway-error.js';
import type { ModelRegistry } from '../../generation/routing/model-registry.js';
import { jsonAnswer } from '../../server/answer.js';
import type { Route } from '../../server/router.js';
import { surfacesOf } from '../shared/model-surfaces.js';

/**
 * GET /v1/models in OpenAI's list shape, plus what each model can do, the
 * surfaces it serves (`surfaces`: "chat.completions", "responses",
 * "images.generations", "images.edits") and which instances serve it
 * (never keys or base URLs), and GET
 * /v1/models/{model}: one entry of the list (a model id or an alias), as
 * OpenAI's `models.retrieve()` reads it, or OpenAI's 404 `model_not_found`.
 * The id may hold slashes ("google/gemini-…"), encoded or not.
 */
export function modelsRoutes(registry: ModelRegistry, createdAt: number): Route[] {
  return [
    { method: 'GET', path: '/v1/models', handle: () => jsonAnswer({ object: 'list', data: modelEntries(registry, createdAt) }) },
    { method: 'GET', path: '/v1/models/', prefix: true, handle: ({ parameter }) => modelAnswer(registry, createdAt, parameter) },
  ];
}

function modelAnswer(registry: ModelRegistry, createdAt: number, id: string) {
  const entry = modelEntries(registry, createdAt).find((candidate) => candidate.id === id);
  if (entry) return jsonAnswer(entry);
  throw new GatewayError({
    status: 404,
    type: 'invalid_request_error',
    code: 'model_not_found',
    param: 'model',
    message: `The model "${id.length > 256 ? `${id.slice(0, 256)}…` : id}" does not exist here; GET /v1/models lists the models this gateway serves.`,
  });
}

function modelEntries(registry: ModelRegistry, createdAt: number): Record<string, unknown>[] {
  const data: Record<string, unknown>[] = [];
  const seen = new Map<string, Record<string, unknown>>();
  for (const { provider, model } of registry.all()) {
    const existing = seen.get(model.id);
    if (existing) {
      (existing.instances as string[]).push(provider.id);
      continue;
    }
    const entry = {
      id: model.id,
      object: 'model',
      created: createdAt,
      owned_by: provider.type,
      instances: [provider.id],
      aliases: model.aliases ?? [],
      capabilities: model.capabilities,
      surfaces: surfacesOf(model.capabilities),
    };
    seen.set(model.id, entry);
    data.push(entry);
  }
  for (const [alias, target] of Object.entries(registry.aliases)) {
    const entry = seen.get(target);
    if (entry) data.push({ ...entry, id: alias, alias_for: target });
  }
  return data;
}
