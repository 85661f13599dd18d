/**
 * manifests/kubernetes/: every YAML document is a Kubernetes object that kubernetes-models
 * validates, with no field the API does not know (validate() lets unknown fields through, the API
 * server's strict field validation does not; the field names are read from kubernetes-models'
 * type definitions). Then the rules docs/deployment.md states: ingress and worker run the pinned
 * image with probes on /readyz and /healthz, resources, a locked-down security context, the
 * catalog mounted from the ConfigMap at REWIND_CONFIG, secrets only from the Secret; the catalog
 * and the Secret's values start Rewind; the Redis StatefulSet has AOF and noeviction on a PVC; and
 * Services, PDBs and the HPA select what exists.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { discordSettingsFromEnv } from '../../../src/chat/discord/discord-settings';
import { slackSettingsFromEnv } from '../../../src/chat/slack/slack-settings';
import { parseCatalog } from '../../../src/config/load-catalog';
import { parseProcessEnv } from '../../../src/config/process-env';
import { queueSettingsFromEnv } from '../../../src/queue/queue-settings';

const ROOT = join(__dirname, '../../..');
const DIR = join(ROOT, 'manifests/kubernetes');
const NAMESPACE = 'rewind';
const IMAGE = /^ghcr\.io\/example\/rewind:\d+\.\d+\.\d+$/;

type ModelClass = new (data: Record<string, unknown>) => { validate(): void };

/** Every kind the folder may hold: the model that validates it and its type definition (for field names). */
const KINDS: Record<string, { model: ModelClass; types: string; iface: string }> = {
  'v1/Namespace': { model: Namespace as unknown as ModelClass, types: 'kubernetes-models/v1', iface: 'INamespace' },
  'v1/ConfigMap': { model: ConfigMap as unknown as ModelClass, types: 'kubernetes-models/v1', iface: 'IConfigMap' },
  'v1/Secret': { model: Secret as unknown as ModelClass, types: 'kubernetes-models/v1', iface: 'ISecret' },
  'v1/Service': { model: Service as unknown as ModelClass, types: 'kubernetes-models/v1', iface: 'IService' },
  'apps/v1/Deployment': { model: Deployment as unknown as ModelClass, types: 'kubernetes-models/apps/v1', iface: 'IDeployment' },
  'apps/v1/StatefulSet': { model: StatefulSet as unknown as ModelClass, types: 'kubernetes-models/apps/v1', iface: 'IStatefulSet' },
  'policy/v1/PodDisruptionBudget': { model: PodDisruptionBudget as unknown as ModelClass, types: 'kubernetes-models/policy/v1', iface: 'IPodDisruptionBudget' },
  'autoscaling/v2/HorizontalPodAutoscaler': { model: HorizontalPodAutoscaler as unknown as ModelClass, types: 'kubernetes-models/autoscaling/v2', iface: 'IHorizontalPodAutoscaler' },
  'networking.k8s.io/v1/NetworkPolicy': { model: NetworkPolicy as unknown as ModelClass, types: 'kubernetes-models/networking.k8s.io/v1', iface: 'INetworkPolicy' },
  'v1/ServiceAccount': { model: ServiceAccount as unknown as ModelClass, types: 'kubernetes-models/v1', iface: 'IServiceAccount' },
  'rbac.authorization.k8s.io/v1/Role': { model: Role as unknown as ModelClass, types: 'kubernetes-models/rbac.authorization.k8s.io/v1', iface: 'IRole' },
  'rbac.authorization.k8s.io/v1/RoleBinding': { model: RoleBinding as unknown as ModelClass, types: 'kubernetes-models/rbac.authorization.k8s.io/v1', iface: 'IRoleBinding' },
};

/** The kubernetes provider's Role and RoleBinding live in the application's namespace, not Rewind's. */
const APP_NAMESPACED = new Set(['rewind-rollback-rbac.yaml']);

// ---- the documents, with the shapes the assertions read ----

interface Meta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
}

interface Probe {
  httpGet?: { path: string; port: string | number };
  exec?: { command: string[] };
  tcpSocket?: { port: string | number };
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}

interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type: string };
}

interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: unknown } }[];
  envFrom?: { secretRef?: { name: string }; configMapRef?: { name: string } }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[];
}

interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; configMap?: { name: string }; emptyDir?: Record<string, unknown>; secret?: { secretName: string } }[];
  securityContext?: SecurityContext & { fsGroup?: number };
  terminationGracePeriodSeconds?: number;
  automountServiceAccountToken?: boolean;
  serviceAccountName?: string;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
}

interface Workload {
  apiVersion: string;
  kind: 'Deployment' | 'StatefulSet';
  metadata: Meta;
  spec: {
    replicas?: number;
    serviceName?: string;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
    volumeClaimTemplates?: { metadata: { name: string }; spec: { accessModes: string[]; resources: { requests: { storage: string } } } }[];
  };
}

interface Doc {
  apiVersion: string;
  kind: string;
  metadata: Meta;
  [field: string]: unknown;
}

interface Loaded {
  file: string;
  doc: Doc;
}

function loadAll(): Loaded[] {
  const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).flatMap((document) => {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((e) => e.message).join('; ')}`);
      const doc = document.toJS() as Doc | null;
      return doc === null ? [] : [{ file, doc }];
    }),
  );
}

const ALL = loadAll();

function the<T = Doc>(kind: string, name: string): T {
  const found = ALL.filter((l) => l.doc.kind === kind && l.doc.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0]!.doc as unknown as T;
}

function container(workload: Workload): Container {
  expect(workload.spec.template.spec.containers).toHaveLength(1);
  return workload.spec.template.spec.containers[0]!;
}

/** The security settings in force for a container: its own, else the pod's. */
function effective(workload: Workload): SecurityContext {
  const pod = workload.spec.template.spec.securityContext ?? {};
  const own = container(workload).securityContext ?? {};
  return { ...pod, ...own };
}

// ---- unknown fields, from kubernetes-models' type definitions ----

/** A type checker over kubernetes-models' .d.ts files. */
function typeChecker() {
  const files = [...new Set(Object.values(KINDS).map((k) => join(dirname(require.resolve(k.types)), 'index.d.ts')))];
  const program = ts.createProgram(files, { noEmit: true, skipLibCheck: true, types: [], module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 });
  const checker = program.getTypeChecker();
  const typeOf = (types: string, iface: string): ts.Type => {
    const source = program.getSourceFile(join(dirname(require.resolve(types)), 'index.d.ts'));
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    let symbol = moduleSymbol && checker.getExportsOfModule(moduleSymbol).find((s) => s.name === iface);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    if (!symbol) throw new Error(`kubernetes-models: no ${iface} in ${types}`);
    return checker.getDeclaredTypeOfSymbol(symbol);
  };
  return { checker, typeOf };
}

const TYPES = typeChecker();

/** Paths of fields in `value` that `type` does not declare, recursively. */
function unknownFields(type: ts.Type, value: unknown, path: string, out: string[] = []): string[] {
  const { checker } = TYPES;
  if (value === null || typeof value !== 'object') return out;
  const t = checker.getNonNullableType(type);
  if (Array.isArray(value)) {
    const element = t.getNumberIndexType();
    if (element) value.forEach((item, i) => unknownFields(element, item, `${path}[${i}]`, out));
    return out;
  }
  const objectTypes = t.isUnion() ? t.types.filter((m) => m.flags & ts.TypeFlags.Object) : [t];
  if (objectTypes.length !== 1) return out;
  const target = objectTypes[0]!;
  if (target.getStringIndexType()) return out; // a map: labels, data, matchLabels, …
  const properties = checker.getPropertiesOfType(target);
  if (properties.length === 0) return out;
  for (const [key, child] of Object.entries(value)) {
    const property = properties.find((p) => p.name === key);
    if (!property) out.push(`${path}.${key}`);
    else unknownFields(checker.getTypeOfSymbol(property), child, `${path}.${key}`, out);
  }
  return out;
}

// ---- tests ----

describe('manifests/kubernetes/ objects', () => {
  it('holds the documented files and objects', () => {
    expect(readdirSync(DIR).sort()).toEqual([
      'README.md',
      'configmap-catalog.yaml',
      'deployment-ingress.yaml',
      'deployment-worker.yaml',
      'hpa-worker.yaml',
      'namespace.yaml',
      'pdb.yaml',
      'redis-statefulset.yaml',
      'rewind-rollback-rbac.yaml',
      'secret-example.yaml',
      'service.yaml',
      'serviceaccount.yaml',
    ]);
    expect(ALL.map((l) => `${l.file}: ${l.doc.kind}/${l.doc.metadata.name}`)).toEqual([
      'configmap-catalog.yaml: ConfigMap/rewind-catalog',
      'deployment-ingress.yaml: Deployment/rewind-ingress',
      'deployment-worker.yaml: Deployment/rewind-worker',
      'hpa-worker.yaml: HorizontalPodAutoscaler/rewind-worker',
      'namespace.yaml: Namespace/rewind',
      'pdb.yaml: PodDisruptionBudget/rewind-ingress',
      'pdb.yaml: PodDisruptionBudget/rewind-worker',
      'redis-statefulset.yaml: Service/rewind-redis',
      'redis-statefulset.yaml: StatefulSet/rewind-redis',
      'redis-statefulset.yaml: NetworkPolicy/rewind-redis',
      'rewind-rollback-rbac.yaml: Role/rewind-rollback',
      'rewind-rollback-rbac.yaml: RoleBinding/rewind-rollback',
      'secret-example.yaml: Secret/rewind-secrets',
      'service.yaml: Service/rewind',
      'serviceaccount.yaml: ServiceAccount/rewind',
    ]);
  });

  it.each(ALL.map((l) => [`${l.file} ${l.doc.kind}/${l.doc.metadata.name}`, l] as const))('%s validates with kubernetes-models', (_name, { doc }) => {
    const kind = KINDS[`${doc.apiVersion}/${doc.kind}`];
    if (!kind) throw new Error(`no model for ${doc.apiVersion} ${doc.kind}: add it to KINDS`);
    expect(() => new kind.model(doc).validate()).not.toThrow();
  });

  it.each(ALL.map((l) => [`${l.file} ${l.doc.kind}/${l.doc.metadata.name}`, l] as const))('%s has no field the API does not know', (_name, { doc }) => {
    const kind = KINDS[`${doc.apiVersion}/${doc.kind}`]!;
    expect(unknownFields(TYPES.typeOf(kind.types, kind.iface), doc, doc.kind)).toEqual([]);
  });

  it('detects invalid and unknown fields (the two checks above bite)', () => {
    const broken = structuredClone(the<Workload>('Deployment', 'rewind-worker')) as unknown as Record<string, unknown>;
    const spec = broken['spec'] as Record<string, unknown>;
    spec['replicas'] = 'two';
    expect(() => new Deployment(broken).validate()).toThrow(/replicas/);
    delete spec['replicas'];
    const pod = (spec['template'] as { spec: { containers: Record<string, unknown>[] } }).spec;
    pod.containers[0]!['readinesProbe'] = { httpGet: { path: '/readyz', port: 'http' } };
    expect(unknownFields(TYPES.typeOf('kubernetes-models/apps/v1', 'IDeployment'), broken, 'Deployment')).toEqual(['Deployment.spec.template.spec.containers[0].readinesProbe']);
  });

  it('puts every namespaced object in the rewind namespace (RBAC for rollbacks in the app\'s), and labels everything part-of rewind', () => {
    for (const { file, doc } of ALL) {
      const where = `${file} ${doc.kind}/${doc.metadata.name}`;
      if (APP_NAMESPACED.has(file)) expect({ where, namespace: doc.metadata.namespace }).not.toEqual({ where, namespace: NAMESPACE });
      else expect({ where, namespace: doc.kind === 'Namespace' ? NAMESPACE : doc.metadata.namespace }).toEqual({ where, namespace: NAMESPACE });
      expect({ where, partOf: doc.metadata.labels?.['app.kubernetes.io/part-of'] }).toEqual({ where, partOf: 'rewind' });
    }
    expect(the('Namespace', NAMESPACE).metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });
});

describe('ingress and worker Deployments', () => {
  const ingress = the<Workload>('Deployment', 'rewind-ingress');
  const worker = the<Workload>('Deployment', 'rewind-worker');

  it.each([
    ['ingress', ingress],
    ['worker', worker],
  ])('%s runs the pinned image with its role as the argument', (role, workload) => {
    const c = container(workload);
    expect(c.image).toMatch(IMAGE);
    expect(c.image).not.toMatch(/:latest$/);
    expect(c.command).toBeUndefined(); // the image's ENTRYPOINT (node dist/cli.js)
    expect(c.args).toEqual([role]);
    expect(c.ports).toEqual([{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
    expect(workload.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'rewind', 'app.kubernetes.io/component': role });
    expect(workload.spec.template.metadata.labels).toMatchObject(workload.spec.selector.matchLabels);
  });

  it.each([
    ['ingress', ingress],
    ['worker', worker],
  ])('%s has readiness on /readyz and liveness on /healthz, on the container port', (_role, workload) => {
    const c = container(workload);
    expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.livenessProbe?.failureThreshold).toBeGreaterThanOrEqual(3);
    // The env's PORT is the port the probes reach.
    expect(c.env?.find((e) => e.name === 'PORT')?.value).toBe(String(c.ports?.[0]?.containerPort));
  });

  it.each([
    ['ingress', ingress],
    ['worker', worker],
  ])('%s requests and limits CPU and memory', (_role, workload) => {
    const { requests, limits } = container(workload).resources ?? {};
    expect(Object.keys(requests ?? {}).sort()).toEqual(['cpu', 'memory']);
    expect(Object.keys(limits ?? {}).sort()).toEqual(['cpu', 'memory']);
    const mebibytes = (q: string) => Number(/^(\d+)Mi$/.exec(q)?.[1] ?? /^(\d+)Gi$/.exec(q)?.[1] ?? Number.NaN) * (q.endsWith('Gi') ? 1024 : 1);
    expect(mebibytes(limits!['memory']!)).toBeGreaterThanOrEqual(mebibytes(requests!['memory']!));
  });

  it.each([
    ['ingress', ingress],
    ['worker', worker],
  ])('%s runs as uid 1000, non-root, read-only, unprivileged, every capability dropped, RuntimeDefault seccomp', (_role, workload) => {
    expect(effective(workload)).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(effective(workload).capabilities?.add).toBeUndefined();
    expect(effective(workload).privileged).not.toBe(true);
    const pod = workload.spec.template.spec;
    // Only the worker runs providers; it needs the service account token for in-cluster rollbacks.
    const isWorker = workload.metadata.name === 'rewind-worker';
    expect({ hostNetwork: pod.hostNetwork, hostPID: pod.hostPID, hostIPC: pod.hostIPC, token: pod.automountServiceAccountToken, account: pod.serviceAccountName }).toEqual({
      hostNetwork: undefined,
      hostPID: undefined,
      hostIPC: undefined,
      token: isWorker,
      account: isWorker ? 'rewind' : undefined,
    });
  });

  it.each([
    ['ingress', ingress],
    ['worker', worker],
  ])('%s mounts the catalog ConfigMap at REWIND_CONFIG and an emptyDir at /tmp', (_role, workload) => {
    const c = container(workload);
    const pod = workload.spec.template.spec;
    const config = c.env?.find((e) => e.name === 'REWIND_CONFIG')?.value;
    expect(config).toBe('/etc/rewind/rewind.yaml');
    const mount = c.volumeMounts?.find((m) => config!.startsWith(`${m.mountPath}/`));
    expect(mount).toMatchObject({ mountPath: '/etc/rewind', readOnly: true });
    const volume = pod.volumes?.find((v) => v.name === mount!.name);
    expect(volume?.configMap?.name).toBe('rewind-catalog');
    const key = config!.slice(mount!.mountPath.length + 1);
    expect(Object.keys(the<Doc & { data: Record<string, string> }>('ConfigMap', 'rewind-catalog').data)).toContain(key);
    const tmp = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
    expect(pod.volumes?.find((v) => v.name === tmp?.name)?.emptyDir).toBeDefined();
  });

  it.each([
    ['ingress', ingress],
    ['worker', worker],
  ])('%s takes secrets only from the rewind-secrets Secret, REDIS_URL included', (_role, workload) => {
    const c = container(workload);
    expect(c.envFrom).toEqual([{ secretRef: { name: 'rewind-secrets' } }]);
    expect(c.env?.find((e) => e.name === 'REDIS_URL')).toEqual({ name: 'REDIS_URL', valueFrom: { secretKeyRef: { name: 'rewind-secrets', key: 'REDIS_URL' } } });
    const literal = (c.env ?? []).filter((e) => e.value !== undefined && /TOKEN|SECRET|PASSWORD|KEY|REDIS_URL/.test(e.name)).map((e) => e.name);
    expect(literal).toEqual([]);
  });

  it('gives SIGTERM time to drain: grace periods of 30 s or more, longer than the worker drain timeout', () => {
    expect(ingress.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30);
    expect(worker.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30);
    const drainMs = Number(container(worker).env?.find((e) => e.name === 'REWIND_SHUTDOWN_TIMEOUT_MS')?.value);
    expect(drainMs).toBeGreaterThan(10_000);
    expect(worker.spec.template.spec.terminationGracePeriodSeconds! * 1_000).toBeGreaterThan(drainMs);
  });

  it('runs ingress replicated; leaves the worker count to the HPA', () => {
    expect(ingress.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(worker.spec.replicas).toBeUndefined();
  });
});

describe('catalog and Secret', () => {
  const catalogText = the<Doc & { data: Record<string, string> }>('ConfigMap', 'rewind-catalog').data['rewind.yaml']!;
  const secret = the<Doc & { stringData: Record<string, string>; data?: unknown }>('Secret', 'rewind-secrets');

  /** What a worker pod's environment is: the Secret's keys, then the container's env (which wins). */
  function podEnv(workload: Workload): Record<string, string> {
    const env: Record<string, string> = { ...secret.stringData };
    for (const e of container(workload).env ?? []) {
      if (e.value !== undefined) env[e.name] = e.value;
      else if (e.valueFrom?.secretKeyRef) env[e.name] = secret.stringData[e.valueFrom.secretKeyRef.key] ?? '';
    }
    return env;
  }

  it('starts Rewind: the environment is valid and the catalog loads with the Secret values', () => {
    for (const name of ['rewind-ingress', 'rewind-worker']) {
      const env = podEnv(the<Workload>('Deployment', name));
      expect(parseProcessEnv(env)).toMatchObject({ REWIND_CONFIG: '/etc/rewind/rewind.yaml', PORT: 3000 });
      expect(() => queueSettingsFromEnv(env)).not.toThrow();
      // Empty chat tokens leave the fronts off until they are filled in.
      expect(slackSettingsFromEnv(env)).toBeUndefined();
      expect(discordSettingsFromEnv(env)).toBeUndefined();
      const { catalog } = parseCatalog(catalogText, env, 'configmap-catalog.yaml');
      expect(catalog.services()).toEqual(['checkout-api']);
    }
  });

  it('has a Secret key for every ${NAME} the catalog references', () => {
    const references = [...catalogText.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!);
    expect(references.length).toBeGreaterThan(0);
    expect(references.filter((name) => !(name in secret.stringData))).toEqual([]);
  });

  it('is a template: placeholders or empty values only, never real-looking credentials', () => {
    expect(secret.data).toBeUndefined();
    for (const [key, value] of Object.entries(secret.stringData)) {
      if (key === 'REDIS_URL') expect(value).toMatch(/^redis:\/\/[a-z0-9.-]+:6379$/);
      else expect({ key, value: value === '' || value === 'REPLACE_ME' }).toEqual({ key, value: true });
    }
    expect(Object.keys(secret.stringData)).toEqual(expect.arrayContaining(['REDIS_URL', 'REWIND_API_TOKEN', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'DISCORD_TOKEN', 'DISCORD_APPLICATION_ID', 'DISCORD_PUBLIC_KEY']));
    expect(readFileSync(join(DIR, 'secret-example.yaml'), 'utf8')).toMatch(/^# TEMPLATE/);
  });
});

describe('Redis StatefulSet', () => {
  const redis = the<Workload>('StatefulSet', 'rewind-redis');
  const headless = the<Doc & { spec: { clusterIP: string; selector: Record<string, string>; ports: { port: number; targetPort: string }[] } }>('Service', 'rewind-redis');

  it('runs one Redis 7 with AOF (fsync every second) and noeviction, data on a PVC', () => {
    expect(redis.spec.replicas).toBe(1);
    const c = container(redis);
    expect(c.image).toMatch(/^redis:7[.\d]*-alpine$/);
    const args = c.args ?? [];
    const option = (name: string) => args[args.indexOf(name) + 1];
    expect(args[0]).toBe('redis-server');
    expect({ appendonly: option('--appendonly'), appendfsync: option('--appendfsync'), policy: option('--maxmemory-policy'), dir: option('--dir') }).toEqual({
      appendonly: 'yes',
      appendfsync: 'everysec',
      policy: 'noeviction',
      dir: '/data',
    });
    const claim = redis.spec.volumeClaimTemplates?.[0];
    expect(claim?.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(claim?.spec.resources.requests.storage).toMatch(/^\d+Gi$/);
    expect(c.volumeMounts?.find((m) => m.mountPath === '/data')?.name).toBe(claim?.metadata.name);
    expect(c.readinessProbe?.exec?.command.join(' ')).toContain('redis-cli ping');
    expect(c.livenessProbe?.tcpSocket?.port).toBe('redis');
    expect(Object.keys(c.resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
  });

  it('runs locked down like Rewind, as the image redis user', () => {
    expect(effective(redis)).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 999,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it('is reachable at the address the Secret’s REDIS_URL names, through its headless Service', () => {
    expect(headless.spec.clusterIP).toBe('None');
    expect(redis.spec.serviceName).toBe(headless.metadata.name);
    expect(redis.spec.template.metadata.labels).toMatchObject(headless.spec.selector);
    expect(headless.spec.ports).toEqual([{ name: 'redis', port: 6379, targetPort: 'redis', protocol: 'TCP' }]);
    const url = the<Doc & { stringData: Record<string, string> }>('Secret', 'rewind-secrets').stringData['REDIS_URL'];
    expect(url).toBe(`redis://${redis.metadata.name}-0.${headless.metadata.name}.${NAMESPACE}.svc.cluster.local:6379`);
  });

  it('accepts connections only from Rewind pods (NetworkPolicy)', () => {
    const policy = the<Doc & { spec: { podSelector: { matchLabels: Record<string, string> }; ingress: { from: { podSelector: { matchLabels: Record<string, string> } }[] }[] } }>('NetworkPolicy', 'rewind-redis');
    expect(redis.spec.template.metadata.labels).toMatchObject(policy.spec.podSelector.matchLabels);
    const allowed = policy.spec.ingress.flatMap((rule) => rule.from.map((f) => f.podSelector.matchLabels));
    for (const name of ['rewind-ingress', 'rewind-worker']) {
      const labels = the<Workload>('Deployment', name).spec.template.metadata.labels;
      expect(allowed.some((selector) => Object.entries(selector).every(([k, v]) => labels[k] === v))).toBe(true);
    }
  });
});

describe('Service, PodDisruptionBudgets and HPA', () => {
  const labelsOf = (name: string) => the<Workload>('Deployment', name).spec.template.metadata.labels;

  it('exposes the ingress pods (and only them) on port 80 → the named container port 3000', () => {
    const service = the<Doc & { spec: { type: string; selector: Record<string, string>; ports: { port: number; targetPort: string }[] } }>('Service', 'rewind');
    expect(service.spec.type).toBe('ClusterIP');
    expect(labelsOf('rewind-ingress')).toMatchObject(service.spec.selector);
    expect(Object.entries(service.spec.selector).every(([k, v]) => labelsOf('rewind-worker')[k] === v)).toBe(false);
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    const named = container(the<Workload>('Deployment', 'rewind-ingress')).ports?.find((p) => p.name === 'http');
    expect(named?.containerPort).toBe(3000);
  });

  it.each(['rewind-ingress', 'rewind-worker'])('keeps one %s pod through voluntary disruptions', (name) => {
    const pdb = the<Doc & { spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } } }>('PodDisruptionBudget', name);
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(the<Workload>('Deployment', name).spec.selector.matchLabels);
  });

  it('scales the worker Deployment on CPU between 2 and 10', () => {
    const hpa = the<Doc & { spec: { scaleTargetRef: { apiVersion: string; kind: string; name: string }; minReplicas: number; maxReplicas: number; metrics: { type: string; resource: { name: string; target: { type: string; averageUtilization: number } } }[] } }>(
      'HorizontalPodAutoscaler',
      'rewind-worker',
    );
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'rewind-worker' });
    expect({ min: hpa.spec.minReplicas, max: hpa.spec.maxReplicas }).toEqual({ min: 2, max: 10 });
    expect(hpa.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }]);
    // CPU utilization is relative to the request, so the worker must request CPU.
    expect(container(the<Workload>('Deployment', 'rewind-worker')).resources?.requests?.['cpu']).toBeDefined();
  });
});
