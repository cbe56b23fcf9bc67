import type { ImageProvider, ModelInfo } from '../../provider.js';

/** One model of one provider instance. */
export interface ModelRoute {
  provider: ImageProvider;
  model: ModelInfo;
}

/**
 * Every model of every configured instance, found by id, alias, gateway
 * alias or `instance/model`. Built once; routing reads it per request.
 */
export class ModelRegistry {
  readonly #byName = new Map<string, ModelRoute[]>();
  readonly #routes: ModelRoute[] = [];

  constructor(
    providers: readonly ImageProvider[],
    readonly aliases: Readonly<Record<string, string>> = {},
  ) {
    for (const provider of providers) {
      for (const model of provider.models) {
        const route = { provider, model };
        this.#routes.push(route);
        for (const name of [model.id, ...(model.aliases ?? []), `${provider.id}/${model.id}`]) this.#add(name, route);
      }
    }
  }

  #add(name: string, route: ModelRoute): void {
    const routes = this.#byName.get(name) ?? [];
    if (!routes.includes(route)) routes.push(route);
    this.#byName.set(name, routes);
  }

  /** Routes serving `name` (gateway aliases resolved), or undefined when no instance knows it. */
  find(name: string): ModelRoute[] | undefined {
    const target = this.aliases[name] ?? name;
    return this.#byName.get(target);
  }

  /** Every route, for `model: "auto"`. */
  all(): readonly ModelRoute[] {
    return this.#routes;
  }

  /** Public model names, for error messages and GET /v1/models. */
  names(): string[] {
    const names = new Set<string>();
    for (const route of this.#routes) names.add(route.model.id);
    for (const alias of Object.keys(this.aliases)) if (this.find(alias)) names.add(alias);
    return [...names];
  }
}
