/**
 * A local fake of the Kubernetes API for one Deployment, following PROVIDERS.md §6: Bearer auth,
 * `Status` error bodies, `GET …/deployments/{name}`, `PATCH` it with a JSON patch (replace, add and
 * test ops; a failed test answers 409 Conflict), ReplicaSets and Pods listed by label selector with
 * `limit`/`continue` paging, and a Deployment controller: a patched template reuses the ReplicaSet
 * that has it (its revision becomes max+1), and the rollout converges over successive reads of the
 * Deployment (observedGeneration, then updated, then available replicas; pods flip one by one).
 * It also answers as the deployed app would (`GET /app/version`), for verification.
 */
import { createHash, randomUUID } from 'node:crypto';
import { FailureQueue, HttpFakeServer, type FakeAnswer, type FakeRequest, type NoAnswer } from './http-fake-base';

type Json = Record<string, unknown>;

export interface FakeTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: { containers: { name: string; image: string; env?: { name: string; value: string }[] }[] };
}

export interface FakeReplicaSet {
  apiVersion: 'apps/v1';
  kind: 'ReplicaSet';
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion: string;
    creationTimestamp: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    ownerReferences: { apiVersion: string; kind: string; name: string; uid: string; controller: boolean; blockOwnerDeletion: boolean }[];
  };
  spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: FakeTemplate };
  status: { replicas: number; availableReplicas?: number; readyReplicas?: number; conditions?: Json[] };
}

export interface FakeDeployment {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  metadata: { name: string; namespace: string; uid: string; generation: number; resourceVersion: string; creationTimestamp: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: { replicas: number; paused?: boolean; revisionHistoryLimit: number; progressDeadlineSeconds: number; selector: { matchLabels: Record<string, string> }; template: FakeTemplate; strategy: Json };
  status: { observedGeneration: number; replicas: number; updatedReplicas: number; readyReplicas: number; availableReplicas: number; conditions: Json[] };
}

/** What the next PATCH calls get instead of the normal answer. */
export type KubernetesPatchFault =
  | { status: number; count?: number; retryAfterSeconds?: number; effect?: boolean }
  | { noAnswer: 'hang' | 'reset'; effect: boolean; count?: number };

const REVISION = 'deployment.kubernetes.io/revision';
const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
const HASH = 'pod-template-hash';
const REPLICAS = 3;

function status(code: number, reason: string, message: string, details?: Json, headers?: Record<string, string>): FakeAnswer {
  return {
    status: code,
    body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code },
    ...(headers ? { headers } : {}),
  };
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Json)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function withoutHash(template: FakeTemplate): FakeTemplate {
  const copy = clone(template);
  delete copy.metadata.labels[HASH];
  return copy;
}

/** The controller's pod-template-hash: stable per template, in the safe alphabet it uses. */
function templateHash(template: FakeTemplate): string {
  const digest = createHash('sha256').update(canonical(withoutHash(template))).digest();
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...digest.subarray(0, 10)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** `app=web,tier!=db,env` → a predicate on labels (equality, inequality, existence). */
export function parseSelector(selector: string | null): (labels: Record<string, string>) => boolean {
  const terms = (selector ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  return (labels) =>
    terms.every((term) => {
      const not = /^([^!=]+)!=(.*)$/.exec(term);
      if (not) return labels[not[1]!] !== not[2];
      const eq = /^([^!=]+)==?(.*)$/.exec(term);
      if (eq) return labels[eq[1]!] === eq[2];
      return term.startsWith('!') ? !(term.slice(1) in labels) : term in labels;
    });
}

/** A JSON pointer's parts: `/metadata/annotations` → ['metadata', 'annotations']. */
function pointer(path: string): string[] {
  return path.split('/').slice(1).map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
}

type PatchOp = { op: string; path: string; value?: unknown };

/** RFC 6902 for the ops a rollback uses; throws with the API server's words on a failure. */
function applyPatch(target: Json, ops: PatchOp[]): { conflict?: string; invalid?: string } {
  for (const { op, path, value } of ops) {
    const parts = pointer(path);
    const last = parts.pop();
    let parent: unknown = target;
    for (const part of parts) parent = parent && typeof parent === 'object' ? (parent as Json)[part] : undefined;
    if (!parent || typeof parent !== 'object' || last === undefined) return { invalid: `doc is missing path: "${path}"` };
    const holder = parent as Json;
    if (op === 'test') {
      if (canonical(holder[last]) !== canonical(value)) return { conflict: `testing value ${path} failed: test failed` };
    } else if (op === 'replace') {
      if (!(last in holder)) return { invalid: `replace operation does not apply: doc is missing key: ${path}` };
      holder[last] = clone(value);
    } else if (op === 'add') {
      holder[last] = clone(value);
    } else {
      return { invalid: `Unexpected kind: ${op}` };
    }
  }
  return {};
}

interface Rollout {
  /** The ReplicaSet the Deployment is rolling out. */
  to: string;
  /** Reads of the Deployment since the change. */
  step: number;
  fails: boolean;
}

export class KubernetesApiFake {
  readonly requests: { method: string; path: string; authorization?: string | undefined; contentType?: string | undefined; body: string }[] = [];
  /** PATCHes of the Deployment, answered or not. */
  patchCalls = 0;
  /** Patches that changed the pod template (rollbacks the cluster carried out). */
  rollbacksApplied = 0;
  readonly deployment: FakeDeployment;
  /** Every ReplicaSet in the namespace, including one another Deployment owns. */
  readonly replicaSets: FakeReplicaSet[] = [];
  /** The ReplicaSet whose pods serve traffic. */
  serving: string | undefined;
  private rollout: Rollout | undefined;
  private readonly faults = new FailureQueue<KubernetesPatchFault>();
  private failNext = false;
  private brokenReads = 0;
  private touchNext = false;
  private failingReads: { count: number; status: number } | undefined;
  private version = 1000;
  private clock = Date.now() - 30 * 86_400_000;

  private constructor(
    private readonly server: HttpFakeServer,
    private readonly token: string,
    readonly namespace: string,
    name: string,
  ) {
    const labels = { app: name };
    this.deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace, uid: randomUUID(), generation: 0, resourceVersion: this.nextVersion(), creationTimestamp: this.at(), labels: { ...labels }, annotations: {} },
      spec: {
        replicas: REPLICAS,
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
        selector: { matchLabels: labels },
        template: { metadata: { labels: { ...labels } }, spec: { containers: [{ name, image: 'registry.invalid/none:0' }] } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      },
      status: { observedGeneration: 0, replicas: 0, updatedReplicas: 0, readyReplicas: 0, availableReplicas: 0, conditions: [] },
    };
  }

  static async start(options: { token: string; namespace: string; deployment: string }): Promise<KubernetesApiFake> {
    const ref: { fake?: KubernetesApiFake } = {};
    const server = await HttpFakeServer.listen('kubernetes fake', (request) => ref.fake!.handle(request));
    ref.fake = new KubernetesApiFake(server, options.token, options.namespace, options.deployment);
    return ref.fake;
  }

  get url(): string {
    return this.server.base;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  // ---- seeding ----

  /** A rollout of `image` that completes (or whose pods cannot even be created: `failed`), as `kubectl set image` would. */
  deploy(image: string, options: { failed?: boolean; cause?: string } = {}): FakeReplicaSet {
    const template = clone(this.deployment.spec.template);
    template.spec.containers[0]!.image = image;
    this.deployment.spec.template = template;
    this.deployment.metadata.annotations['kubernetes.io/change-cause'] = options.cause ?? `kubectl set image deployment/${this.deployment.metadata.name} ${template.spec.containers[0]!.name}=${image}`;
    this.deployment.metadata.generation++;
    this.deployment.metadata.resourceVersion = this.nextVersion();
    const rs = this.adoptTemplate();
    if (options.failed) {
      rs.status = { replicas: 0, conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: `pods "${rs.metadata.name}-x" is forbidden: exceeded quota: compute-resources` }] };
    } else {
      this.serving = rs.metadata.name;
    }
    this.settle();
    this.prune();
    return rs;
  }

  /** A ReplicaSet with the Deployment's labels that another Deployment controls: kubectl's listing leaves it out. */
  foreignReplicaSet(image: string): void {
    const template = clone(this.deployment.spec.template);
    template.spec.containers[0]!.image = image;
    const rs = this.newReplicaSet(template, 1);
    rs.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: `${this.deployment.metadata.name}-canary`, uid: randomUUID(), controller: true, blockOwnerDeletion: true }];
    rs.metadata.name = `${this.deployment.metadata.name}-canary-${rs.metadata.labels[HASH]}`;
    this.replicaSets.push(rs);
  }

  setLabel(key: string, value: string): void {
    this.deployment.metadata.labels[key] = value;
  }

  pause(paused = true): void {
    this.deployment.spec.paused = paused;
    this.deployment.metadata.generation++;
    this.deployment.status.observedGeneration = this.deployment.metadata.generation;
  }

  /** The ReplicaSets the Deployment controls, newest revision first. */
  history(): FakeReplicaSet[] {
    return this.owned().sort((a, b) => this.revision(b) - this.revision(a));
  }

  revision(rs: FakeReplicaSet): number {
    return Number(rs.metadata.annotations[REVISION] ?? 0);
  }

  /** The image tag the serving pods run: what the provider reports as the live version. */
  liveVersion(): string {
    const rs = this.replicaSets.find((r) => r.metadata.name === this.serving);
    return rs ? (/:([^:/]+)$/.exec(rs.spec.template.spec.containers[0]!.image)?.[1] ?? 'unknown') : 'none';
  }

  failPatches(fault: KubernetesPatchFault): void {
    this.faults.add('patch', fault);
  }

  /** The next rollout never becomes available and ends with ProgressDeadlineExceeded. */
  failNextDeploy(): void {
    this.failNext = true;
  }

  /** Someone else changes the Deployment (a `kubectl scale`) between Rewind's read and its next patch. */
  touchBeforeNextPatch(): void {
    this.touchNext = true;
  }

  /** The next `count` reads of the Deployment answer `status` (an overloaded API server). */
  failReads(count: number, status = 503): void {
    this.failingReads = { count, status };
  }

  /** The next ReplicaSet list answers with a body that is not the API's shape. */
  breakNextRead(): void {
    this.brokenReads++;
  }

  // ---- the API ----

  private async handle(request: FakeRequest): Promise<FakeAnswer | NoAnswer> {
    const { method, url, headers } = request;
    const path = url.pathname;
    this.requests.push({ method, path, authorization: headers.authorization, contentType: headers['content-type'], body: request.body });
    if (path === '/app/version') return { status: 200, body: { version: this.liveVersion() } };
    if (headers.authorization !== `Bearer ${this.token}`) return status(401, 'Unauthorized', 'Unauthorized');
    const deployment = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)$/.exec(path);
    if (deployment) return this.onDeployment(request, decodeURIComponent(deployment[1]!), decodeURIComponent(deployment[2]!));
    const list = /^\/(?:apis\/apps\/v1|api\/v1)\/namespaces\/([^/]+)\/(replicasets|pods)$/.exec(path);
    if (list && method === 'GET') return this.list(list[2] as 'replicasets' | 'pods', decodeURIComponent(list[1]!), url);
    return status(404, 'NotFound', 'the server could not find the requested resource');
  }

  private onDeployment(request: FakeRequest, namespace: string, name: string): FakeAnswer | NoAnswer {
    if (namespace !== this.namespace || name !== this.deployment.metadata.name) {
      return status(404, 'NotFound', `deployments.apps "${name}" not found`, { name, group: 'apps', kind: 'deployments' });
    }
    if (request.method === 'GET') {
      if (this.failingReads && this.failingReads.count-- > 0) return status(this.failingReads.status, 'ServiceUnavailable', 'the server is currently unable to handle the request');
      this.advance();
      return { status: 200, body: this.deployment };
    }
    if (request.method === 'PATCH') return this.patch(request);
    return status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  }

  private patch(request: FakeRequest): FakeAnswer | NoAnswer {
    this.patchCalls++;
    if (!(request.headers['content-type'] ?? '').startsWith('application/json-patch+json')) {
      return status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
    }
    const fault = this.faults.take((key) => key === 'patch');
    if (fault && 'status' in fault && fault.status === 429) {
      return status(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: fault.retryAfterSeconds ?? 1 }, { 'retry-after': String(fault.retryAfterSeconds ?? 1) });
    }
    let ops: PatchOp[];
    try {
      ops = JSON.parse(request.body) as PatchOp[];
      if (!Array.isArray(ops)) throw new Error('not an array');
    } catch {
      return status(400, 'BadRequest', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
    }
    if (fault && !fault.effect) return 'noAnswer' in fault ? { noAnswer: fault.noAnswer } : status(fault.status, 'InternalError', 'Internal error occurred: etcdserver: request timed out');
    const answer = this.apply(ops);
    if (!fault) return answer;
    return 'noAnswer' in fault ? { noAnswer: fault.noAnswer } : status(fault.status, 'InternalError', 'Internal error occurred: etcdserver: leader changed');
  }

  private apply(ops: PatchOp[]): FakeAnswer {
    if (this.touchNext) {
      this.touchNext = false;
      this.deployment.metadata.resourceVersion = this.nextVersion();
    }
    const next = clone(this.deployment) as unknown as Json;
    const result = applyPatch(next, ops);
    const { name } = this.deployment.metadata;
    if (result.conflict) {
      return status(409, 'Conflict', `Operation cannot be fulfilled on deployments.apps "${name}": the object has been modified; please apply your changes to the latest version and try again (${result.conflict})`, { name, group: 'apps', kind: 'deployments' });
    }
    if (result.invalid) return status(422, 'Invalid', `the server rejected our request due to an error in our request: ${result.invalid}`);
    const patched = next as unknown as FakeDeployment;
    const changed = canonical(patched.spec.template) !== canonical(this.deployment.spec.template);
    Object.assign(this.deployment, patched);
    this.deployment.metadata.resourceVersion = this.nextVersion();
    if (changed) {
      this.deployment.metadata.generation++;
      this.rollbacksApplied++;
      const rs = this.adoptTemplate();
      this.rollout = { to: rs.metadata.name, step: 0, fails: this.failNext };
      this.failNext = false;
    }
    return { status: 200, body: this.deployment };
  }

  private list(kind: 'replicasets' | 'pods', namespace: string, url: URL): FakeAnswer {
    const matches = parseSelector(url.searchParams.get('labelSelector'));
    if (kind === 'replicasets' && this.brokenReads > 0) {
      this.brokenReads--;
      return { status: 200, body: { kind: 'ReplicaSetList', apiVersion: 'apps/v1', metadata: {}, items: [{ metadata: { name: 42 }, spec: {} }] } };
    }
    const all = namespace !== this.namespace ? [] : kind === 'replicasets' ? this.replicaSets : this.pods();
    const items = (all as { metadata: { labels: Record<string, string> } }[]).filter((item) => matches(item.metadata.labels));
    const limit = Number(url.searchParams.get('limit') ?? 0);
    const offset = url.searchParams.get('continue') ? Number(Buffer.from(url.searchParams.get('continue')!, 'base64url').toString()) : 0;
    const page = limit > 0 ? items.slice(offset, offset + limit) : items.slice(offset);
    const more = limit > 0 && offset + limit < items.length;
    return {
      status: 200,
      body: {
        kind: kind === 'replicasets' ? 'ReplicaSetList' : 'PodList',
        apiVersion: kind === 'replicasets' ? 'apps/v1' : 'v1',
        metadata: { resourceVersion: String(this.version), ...(more ? { continue: Buffer.from(String(offset + limit)).toString('base64url') } : {}) },
        items: page,
      },
    };
  }

  // ---- the controllers ----

  /** The Deployment controller: reuse the ReplicaSet that has the template (revision max+1, old one kept in revision-history), else create one. */
  private adoptTemplate(): FakeReplicaSet {
    const template = this.deployment.spec.template;
    const owned = this.owned();
    const revision = String(Math.max(0, ...owned.map((rs) => this.revision(rs))) + 1);
    let rs = owned.find((r) => canonical(withoutHash(r.spec.template)) === canonical(withoutHash(template)));
    if (rs) {
      const old = rs.metadata.annotations[REVISION];
      const history = [rs.metadata.annotations[REVISION_HISTORY], old].filter(Boolean).join(',');
      rs.metadata.annotations = { ...rs.metadata.annotations, [REVISION]: revision, ...(history ? { [REVISION_HISTORY]: history } : {}) };
      rs.metadata.resourceVersion = this.nextVersion();
    } else {
      rs = this.newReplicaSet(template, 0);
      rs.metadata.annotations[REVISION] = revision;
      const cause = this.deployment.metadata.annotations['kubernetes.io/change-cause'];
      if (cause) rs.metadata.annotations['kubernetes.io/change-cause'] = cause;
      this.replicaSets.push(rs);
    }
    this.deployment.metadata.annotations[REVISION] = revision;
    return rs;
  }

  private newReplicaSet(template: FakeTemplate, replicas: number): FakeReplicaSet {
    const hash = templateHash(template);
    const rsTemplate = clone(template);
    rsTemplate.metadata.labels[HASH] = hash;
    const d = this.deployment;
    return {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: this.namespace,
        uid: randomUUID(),
        resourceVersion: this.nextVersion(),
        creationTimestamp: this.at(),
        labels: { ...template.metadata.labels, [HASH]: hash },
        annotations: { 'deployment.kubernetes.io/desired-replicas': String(d.spec.replicas), 'deployment.kubernetes.io/max-replicas': String(d.spec.replicas + 1) },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name, uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: { replicas, selector: { matchLabels: { ...d.spec.selector.matchLabels, [HASH]: hash } }, template: rsTemplate },
      status: { replicas },
    };
  }

  /** One step of the rollout per read of the Deployment, as the controller and kubelets would make it. */
  private advance(): void {
    const rollout = this.rollout;
    if (!rollout) return;
    const d = this.deployment;
    const step = rollout.step++;
    d.status.observedGeneration = d.metadata.generation;
    const condition = (state: string, reason: string, message: string): void => {
      d.status.conditions = [
        { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' },
        { type: 'Progressing', status: state, reason, message, lastUpdateTime: new Date().toISOString() },
      ];
    };
    if (rollout.fails) {
      Object.assign(d.status, { replicas: REPLICAS + 1, updatedReplicas: 1, availableReplicas: REPLICAS, readyReplicas: REPLICAS });
      this.setReplicas(rollout.to, 1, 0);
      if (step >= 1) condition('False', 'ProgressDeadlineExceeded', `ReplicaSet "${rollout.to}" has timed out progressing.`);
      else condition('True', 'ReplicaSetUpdated', `ReplicaSet "${rollout.to}" is progressing.`);
      return;
    }
    const table = [
      { replicas: REPLICAS + 1, updated: 1, available: REPLICAS, newReady: 0 },
      { replicas: REPLICAS + 2, updated: REPLICAS, available: REPLICAS, newReady: 1 },
      { replicas: REPLICAS, updated: REPLICAS, available: REPLICAS - 1, newReady: 2 },
    ];
    const row = table[step];
    if (row) {
      Object.assign(d.status, { replicas: row.replicas, updatedReplicas: row.updated, availableReplicas: row.available, readyReplicas: row.available });
      this.setReplicas(rollout.to, row.updated, row.newReady);
      condition('True', 'ReplicaSetUpdated', `ReplicaSet "${rollout.to}" is progressing.`);
      return;
    }
    this.serving = rollout.to;
    this.rollout = undefined;
    this.settle();
  }

  /** The Deployment fully rolled out to the serving ReplicaSet. */
  private settle(): void {
    const d = this.deployment;
    for (const rs of this.owned()) {
      const on = rs.metadata.name === this.serving;
      rs.spec.replicas = on ? REPLICAS : 0;
      if (!rs.status.conditions) rs.status = on ? { replicas: REPLICAS, availableReplicas: REPLICAS, readyReplicas: REPLICAS } : { replicas: 0 };
    }
    d.status = {
      observedGeneration: d.metadata.generation,
      replicas: REPLICAS,
      updatedReplicas: REPLICAS,
      readyReplicas: REPLICAS,
      availableReplicas: REPLICAS,
      conditions: [
        { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' },
        { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${this.serving ?? ''}" has successfully progressed.` },
      ],
    };
  }

  private setReplicas(name: string, replicas: number, ready: number): void {
    const rs = this.replicaSets.find((r) => r.metadata.name === name);
    if (!rs) return;
    rs.spec.replicas = replicas;
    rs.status = { replicas, availableReplicas: ready, readyReplicas: ready };
  }

  /** The garbage collector's share of `revisionHistoryLimit`: old ReplicaSets beyond it are deleted, oldest first. */
  private prune(): void {
    const old = this.history().filter((rs) => rs.metadata.name !== this.serving && rs.spec.replicas === 0);
    for (const rs of old.slice(this.deployment.spec.revisionHistoryLimit)) this.replicaSets.splice(this.replicaSets.indexOf(rs), 1);
  }

  /** Pods of every ReplicaSet: the rolling-out one's first `readyReplicas` ready, the serving one's the rest. */
  private pods(): Json[] {
    const rolling = this.rollout ? this.replicaSets.find((r) => r.metadata.name === this.rollout!.to) : undefined;
    const newReady = rolling?.status.readyReplicas ?? 0;
    const out: Json[] = [];
    const add = (rs: FakeReplicaSet, count: number, ready: number): void => {
      for (let i = 0; i < count; i++) {
        out.push({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `${rs.metadata.name}-${i}`, namespace: this.namespace, labels: { ...rs.spec.template.metadata.labels }, ownerReferences: [{ kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid, controller: true }] },
          spec: rs.spec.template.spec,
          status: { phase: i < ready ? 'Running' : 'Pending', conditions: [{ type: 'Ready', status: i < ready ? 'True' : 'False' }] },
        });
      }
    };
    const serving = this.replicaSets.find((r) => r.metadata.name === this.serving);
    if (serving) add(serving, REPLICAS - newReady, REPLICAS - newReady);
    if (rolling && rolling !== serving) add(rolling, rolling.spec.replicas, newReady);
    return out;
  }

  private owned(): FakeReplicaSet[] {
    return this.replicaSets.filter((rs) => rs.metadata.ownerReferences.some((o) => o.controller && o.uid === this.deployment.metadata.uid));
  }

  private nextVersion(): string {
    return String(++this.version);
  }

  private at(): string {
    this.clock += 60 * 60_000;
    return new Date(this.clock).toISOString();
  }
}
