/**
 * manifests/kubernetes/rewind-rollback-rbac.yaml: a Role and RoleBinding that kubernetes-models
 * validates, binding Rewind's service account to exactly what the kubernetes provider does — checked
 * by running the provider (read, preview, rollback, wait) against the Kubernetes fake and mapping each
 * request it made to the RBAC verb and resource it needs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { parseAllDocuments } from 'yaml';
import { startKubernetes } from '../../contract/subjects/kubernetes';
import { waitFor } from '../../support/wait-for';

const FILE = join(__dirname, '../../../manifests/kubernetes/rewind-rollback-rbac.yaml');

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

interface Doc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  rules?: Rule[];
  roleRef?: { apiGroup: string; kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}

const DOCS = parseAllDocuments(readFileSync(FILE, 'utf8')).map((document) => {
  if (document.errors.length > 0) throw new Error(document.errors.map((e) => e.message).join('; '));
  return document.toJS() as Doc;
});

function the(kind: string): Doc {
  const found = DOCS.filter((d) => d.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0]!;
}

/** Every `group/resource verb` a rule set grants, e.g. `apps/deployments patch`. */
function grants(rules: readonly Rule[]): string[] {
  return rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g}/${res} ${v}`)))).sort();
}

/** The RBAC a request needs: `GET …/deployments/web` is `apps/deployments get`, `GET …/pods` is `/pods list`. */
function needed(method: string, path: string): string {
  const match = /^\/(?:apis\/([^/]+)\/[^/]+|api\/v1)\/namespaces\/[^/]+\/([^/]+)(\/[^/]+)?$/.exec(path);
  if (!match) throw new Error(`not a namespaced resource path: ${path}`);
  const [, group = '', resource, name] = match;
  const verb = method === 'PATCH' ? 'patch' : method === 'GET' ? (name ? 'get' : 'list') : method.toLowerCase();
  return `${group}/${resource} ${verb}`;
}

describe('manifests/kubernetes/rewind-rollback-rbac.yaml', () => {
  it('holds a Role and a RoleBinding that kubernetes-models validates', () => {
    expect(DOCS.map((d) => `${d.apiVersion}/${d.kind}`)).toEqual(['rbac.authorization.k8s.io/v1/Role', 'rbac.authorization.k8s.io/v1/RoleBinding']);
    expect(() => new Role(the('Role') as unknown as ConstructorParameters<typeof Role>[0]).validate()).not.toThrow();
    expect(() => new RoleBinding(the('RoleBinding') as unknown as ConstructorParameters<typeof RoleBinding>[0]).validate()).not.toThrow();
  });

  it("binds the Role, in its own namespace, to Rewind's service account", () => {
    const role = the('Role');
    const binding = the('RoleBinding');
    expect(role.metadata.namespace).toBeDefined();
    expect(binding.metadata.namespace).toBe(role.metadata.namespace);
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'rewind', namespace: 'rewind' }]);
    for (const doc of DOCS) expect(doc.metadata.labels?.['app.kubernetes.io/part-of']).toBe('rewind');
  });

  it('grants reading and patching Deployments, listing ReplicaSets and Pods, and nothing more', () => {
    const { rules = [] } = the('Role');
    for (const rule of rules) {
      expect(rule.resourceNames).toBeUndefined();
      expect(rule.nonResourceURLs).toBeUndefined();
      expect([...rule.apiGroups, ...rule.resources, ...rule.verbs]).not.toContain('*');
    }
    expect(grants(rules)).toEqual(['/pods list', 'apps/deployments get', 'apps/deployments list', 'apps/deployments patch', 'apps/deployments watch', 'apps/replicasets list']);
  });

  it('covers every request the provider makes; beyond them only list/watch of Deployments (what `kubectl rollout status` uses)', async () => {
    const f = await startKubernetes({ confirmWithinMs: 400, timeoutMs: 1_000, tokenVariable: 'REWIND_KUBECONFIG' });
    try {
      const current = await f.provider.currentRelease();
      const stable = (await f.provider.lastStable())!;
      await f.provider.findRelease(stable.version);
      await f.provider.describeChange(current, stable);
      const receipt = await f.provider.rollbackTo(stable, { idempotencyKey: 'rb_rbac', startedAt: f.clock.now(), captured: await f.provider.captureState() });
      await waitFor(() => f.provider.liveState(stable, { handle: receipt.handle! }), (s) => s.live, { what: 'the rollback to go live' });
      const used = [...new Set(f.fake.requests.filter((r) => r.path.startsWith('/api')).map((r) => needed(r.method, r.path)))].sort();
      expect(used).toEqual(['/pods list', 'apps/deployments get', 'apps/deployments patch', 'apps/replicasets list']);
      const granted = grants(the('Role').rules ?? []);
      expect(used.filter((u) => !granted.includes(u))).toEqual([]);
      expect(granted.filter((g) => !used.includes(g))).toEqual(['apps/deployments list', 'apps/deployments watch']);
    } finally {
      await f.close();
    }
  });
});
