import { invalidRequest } from '../../errors/gateway-error.js';
import type { GenerationService } from '../../generation/generation-service.js';
import type { ModelCapabilities, ModelInfo } from '../../provider.js';

/** The HTTP surfaces a model may serve, by their OpenAI names. */
export type SurfaceName = 'chat.completions' | 'responses' | 'images.generations' | 'images.edits';

const surfacePaths: Record<SurfaceName, string> = {
  'chat.completions': 'POST /v1/chat/completions',
  responses: 'POST /v1/responses',
  'images.generations': 'POST /v1/images/generations',
  'images.edits': 'POST /v1/images/edits',
};

/**
 * The surfaces a model serves, from what it can do: every model talks
 * (chat and responses, where a model that only draws answers with its
 * images); the Images API needs a model that draws, and its edits one that
 * also takes input images. GET /v1/models lists them per model.
 *
 * @example
 * surfacesOf({ imageOutput: true, imageInput: false, ... }); // ['chat.completions', 'responses', 'images.generations']
 */
export function surfacesOf(capabilities: ModelCapabilities): SurfaceName[] {
  const surfaces: SurfaceName[] = ['chat.completions', 'responses'];
  if (capabilities.imageOutput) surfaces.push('images.generations');
  if (capabilities.imageOutput && capabilities.imageInput) surfaces.push('images.edits');
  return surfaces;
}

/**
 * Refuses a named model that no route of serves `surface`, with a 400
 * naming both, before any routing by what the request needs: "auto" picks
 * among the models that do. As routing does, a named model is refused only
 * for what its config declares, never for a capability guessed from its name.
 */
export function checkModelServes(generation: GenerationService, model: string, surface: SurfaceName): void {
  if (model === 'auto') return;
  const { routes } = generation.lookup(model);
  if (routes.some((route) => surfacesOf(declared(route.model)).includes(surface))) return;
  const serves = routes[0] ? surfacesOf(routes[0].model.capabilities).map((name) => surfacePaths[name]) : [];
  throw invalidRequest(
    `Model ${model} cannot serve ${surfacePaths[surface]} (${surface}); it serves ${serves.join(', ')}. GET /v1/models lists the surfaces of each model.`,
    'model',
    'MODEL_SURFACE_UNSUPPORTED',
  );
}

/** A model's capabilities with its guessed ones taken as able. */
function declared(model: ModelInfo): ModelCapabilities {
  if (!model.guessed || model.guessed.length === 0) return model.capabilities;
  const capabilities = { ...model.capabilities };
  for (const name of model.guessed) if (typeof capabilities[name] === 'boolean') (capabilities as Record<string, unknown>)[name] = true;
  return capabilities;
}
