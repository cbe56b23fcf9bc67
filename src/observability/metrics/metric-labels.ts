/** The label of a value outside the configured set: no client string becomes a label value of its own. */
export const otherLabel = 'other';
/** The label of a request without a project. */
export const noProjectLabel = 'none';

/** Most distinct error codes a metric labels; later ones are `other` (the gateway's own codes are a few dozen). */
const maxErrorCodes = 64;

/**
 * Bounded label values: a metric's series are the product of its labels'
 * values, so every value that a client can choose is mapped into a set the
 * operator configured (models, instances, listed projects), else `other`.
 *
 * @example
 * const labels = new MetricLabels({ models: ['auto', 'local-image'], projects: ['web'] });
 * labels.project('someone-else'); // 'other'
 */
export class MetricLabels {
  readonly #models: ReadonlySet<string>;
  readonly #projects: ReadonlySet<string>;
  readonly #errorCodes = new Set<string>();

  constructor(known: { models: readonly string[]; projects: readonly string[] }) {
    this.#models = new Set(known.models);
    this.#projects = new Set(known.projects);
  }

  /** A model name the gateway serves (ids, aliases, `auto`), "" for none, else `other`. */
  model(name: string | undefined): string {
    if (name === undefined) return '';
    return this.#models.has(name) ? name : otherLabel;
  }

  /** A project listed in the metrics option, `none` without one, else `other`. */
  project(id: string | undefined): string {
    if (id === undefined) return noProjectLabel;
    return this.#projects.has(id) ? id : otherLabel;
  }

  /** An error code, or "" for none; past the first 64 distinct codes, `other`. */
  errorCode(code: string | undefined): string {
    if (code === undefined) return '';
    if (this.#errorCodes.has(code)) return code;
    if (this.#errorCodes.size >= maxErrorCodes) return otherLabel;
    this.#errorCodes.add(code);
    return code;
  }
}
