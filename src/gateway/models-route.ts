import { type Answer, jsonAnswer } from '../http/answer.js';
import type { ModelRegistry } from '../routing/model-registry.js';

/**
 * GET /v1/models in OpenAI's list shape, plus what each model can do and
 * which instances serve it. Never keys or base URLs.
 */
export function modelsAnswer(registry: ModelRegistry, createdAt: number): Answer {
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
    };
    seen.set(model.id, entry);
    data.push(entry);
  }
  for (const [alias, target] of Object.entries(registry.aliases)) {
    const entry = seen.get(target);
    if (entry) data.push({ ...entry, id: alias, alias_for: target });
  }
  return jsonAnswer({ object: 'list', data });
}
