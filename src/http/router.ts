/** Routes by method and path pattern (`/api/rollbacks/:id`); adapters add theirs at wiring time. */
import type { Handler, Route } from '../inbound/route';

interface Compiled extends Route {
  pattern: RegExp;
  names: string[];
}

export class Router {
  private readonly routes: Compiled[] = [];

  add(...routes: Route[]): this {
    for (const route of routes) {
      const names: string[] = [];
      const source = route.path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      this.routes.push({ ...route, pattern: new RegExp(`^${source}/?$`), names });
    }
    return this;
  }

  /** The matching route, `method_not_allowed` when only the path matches, or undefined. */
  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | 'method_not_allowed' | undefined {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
      return { handler: route.handler, params };
    }
    return pathMatched ? 'method_not_allowed' : undefined;
  }
}
