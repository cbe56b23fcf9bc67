import { providerUnavailableError } from '../../errors/admission-errors.js';
import { GatewayError, invalidRequest } from '../../errors/gateway-error.js';
import type { ModelCapabilities } from '../../provider.js';
import type { AdmissionScheduler } from '../admission/admission-scheduler.js';
import type { RequestNeeds } from '../request-needs.js';
import type { InstanceHealth } from './instance-health.js';
import { missingCapability } from './model-capability.js';
import type { ModelRegistry, ModelRoute } from './model-registry.js';
import { type ModelSuffix, parseModelSuffix } from './model-suffix.js';

export interface RoutePlan {
  /** Capable, healthy routes in the order to try them. */
  routes: ModelRoute[];
  /** Size hints read from the model name. */
  suffix?: ModelSuffix;
}

/**
 * Finds the routes for a model name (or "auto") that can do what the
 * request needs, drops those whose cooldown outlasts the request's wait
 * budget (a shorter one is a wait in the queue, not an error), and orders
 * the rest round robin, busiest last: an instance with a free slot goes
 * first, a busy one next, one cooling down last, and ties rotate so load
 * spreads evenly.
 */
export class RoutePlanner {
  #turn = 0;

  constructor(
    readonly registry: ModelRegistry,
    readonly health: InstanceHealth,
    readonly scheduler: AdmissionScheduler,
  ) {}

  /** Routes for a model name without looking at the request, to learn what the named model can do. */
  lookup(model: string): { routes: ModelRoute[]; suffix?: ModelSuffix } {
    if (model === 'auto') return { routes: [...this.registry.all()] };
    const direct = this.registry.find(model);
    if (direct) return { routes: direct };
    const suffix = parseModelSuffix(model);
    const base = suffix && this.registry.find(suffix.base);
    if (base) return { routes: base, suffix };
    throw new GatewayError({
      status: 400,
      type: 'invalid_request_error',
      code: 'MODEL_NOT_FOUND',
      message: `No Worker supports model: ${model}`,
    });
  }

  plan(model: string, needs: RequestNeeds): RoutePlan {
    const { routes, suffix } = this.lookup(model);
    // A model the client names is refused only for what its config declares; guesses from a name choose among models.
    const capable = routes.filter((route) => missingCapability(route.model.capabilities, needs, uncheckedFor(model, route)) === undefined);
    if (capable.length === 0) throw this.#incapable(model, routes, needs);
    const reachable = capable.filter((route) => this.scheduler.reopensInTime(route.provider.id, 0));
    if (reachable.length === 0) throw this.#unavailable(model, capable);
    return { routes: this.#order(reachable), suffix };
  }

  #order(routes: ModelRoute[]): ModelRoute[] {
    const turn = this.#turn++;
    const rotated = routes.map((_, index) => routes[(index + turn) % routes.length] as ModelRoute);
    const rank = new Map(rotated.map((route) => [route.provider.id, this.#rank(route.provider.id)]));
    return rotated.sort((a, b) => (rank.get(a.provider.id) ?? 0) - (rank.get(b.provider.id) ?? 0));
  }

  /** 0: a free slot now; 1: busy; 2: cooling down (it may still serve the request when it reopens). */
  #rank(instanceId: string): number {
    if (this.scheduler.freeSlots(instanceId) > 0) return 0;
    return this.health.isAvailable(instanceId) ? 1 : 2;
  }

  #incapable(model: string, routes: ModelRoute[], needs: RequestNeeds): GatewayError {
    if (model === 'auto') {
      const wanted = describeNeeds(needs);
      return new GatewayError({
        status: 400,
        type: 'invalid_request_error',
        code: 'NO_CAPABLE_MODEL',
        message: `No configured model can serve this request (it needs ${wanted}). Available models: ${this.registry.names().join(', ')}.`,
      });
    }
    const missing = routes
      .map((route) => missingCapability(route.model.capabilities, needs, uncheckedFor(model, route)))
      .find((item) => item !== undefined);
    return invalidRequest(
      `Model ${model} does not support ${missing?.capability ?? 'this request'}, which is needed because ${missing?.reason ?? 'of the request'}.`,
      missing?.param ?? 'model',
      'MODEL_CAPABILITY_MISSING',
    );
  }

  #unavailable(model: string, routes: ModelRoute[]): GatewayError {
    const seconds = this.health.secondsUntilAvailable(routes.map((route) => route.provider.id));
    return providerUnavailableError(`serves ${model} is cooling down after failures`, seconds);
  }
}

/** The capabilities routing takes on trust: a named model's guessed ones; none for `auto`, which chooses by them. */
function uncheckedFor(model: string, route: ModelRoute): readonly (keyof ModelCapabilities)[] | undefined {
  return model === 'auto' ? undefined : route.model.guessed;
}

function describeNeeds(needs: RequestNeeds): string {
  const parts = [needs.imageOutput ? 'image output' : 'text answers'];
  if (needs.imageInputs > 0) parts.push(`${needs.imageInputs} input image(s)`);
  if (needs.tools) parts.push('tool calling');
  if (needs.jsonMode) parts.push('JSON mode');
  if (needs.reasoning) parts.push(`reasoning level "${needs.reasoning}"`);
  return parts.join(', ');
}
