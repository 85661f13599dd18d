/** ServiceCatalog over resolved targets given by the test, refusing unknown names as the real catalog does. */
import { closestMatch } from '../../src/domain/closest-match';
import { UnknownEnvironmentError, UnknownServiceError } from '../../src/domain/errors';
import type { ResolvedTarget, ServiceCatalog } from '../../src/domain/ports';

export class InMemoryCatalog implements ServiceCatalog {
  private readonly targets: ResolvedTarget[];

  constructor(targets: readonly ResolvedTarget[]) {
    this.targets = [...targets];
  }

  /** Replaces (or adds) a target, as a catalog reload would. */
  set(target: ResolvedTarget): void {
    const i = this.targets.findIndex((t) => t.service === target.service && t.environment === target.environment);
    if (i >= 0) this.targets[i] = target;
    else this.targets.push(target);
  }

  /** Drops a service, as a catalog reload without it would. */
  remove(service: string): void {
    for (let i = this.targets.length - 1; i >= 0; i--) if (this.targets[i]!.service === service) this.targets.splice(i, 1);
  }

  services(): string[] {
    return [...new Set(this.targets.map((t) => t.service))];
  }

  environments(service: string): string[] {
    return this.targets.filter((t) => t.service === service).map((t) => t.environment);
  }

  resolve(service: string, environment?: string): ResolvedTarget {
    const known = this.environments(service);
    if (known.length === 0) throw new UnknownServiceError(service, this.services(), closestMatch(service, this.services()));
    const name = environment ?? known[0]!;
    const target = this.targets.find((t) => t.service === service && t.environment === name);
    if (!target) throw new UnknownEnvironmentError(service, name, known, closestMatch(name, known));
    return target;
  }
}
