/** A catalog that cannot be used, with every problem and where it is. */

export interface ConfigIssue {
  /** Dotted path into the catalog, e.g. `services.checkout-api.environments.production.provider.type`. */
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly source: string, readonly issues: readonly ConfigIssue[]) {
    super(`${source}: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n` + issues.map((i) => `  ${i.path}: ${i.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}
