/**
 * The apps/v1 and core/v1 objects Rewind reads (PROVIDERS.md §6), as the API server sends them on
 * the wire. Pod templates stay loose: a rollback writes them back whole, so no field may be lost.
 */
import { z } from 'zod';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const TEMPLATE_HASH = 'pod-template-hash';
export const CHANGE_CAUSE = 'kubernetes.io/change-cause';

const StringMap = z.record(z.string(), z.string());

export const OwnerReference = z.looseObject({
  kind: z.string(),
  name: z.string(),
  uid: z.string(),
  controller: z.boolean().optional(),
});

export const ObjectMeta = z.looseObject({
  name: z.string().min(1),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  generation: z.number().int().optional(),
  resourceVersion: z.string().optional(),
  creationTimestamp: z.string().optional(),
  labels: StringMap.optional(),
  annotations: StringMap.optional(),
  ownerReferences: z.array(OwnerReference).optional(),
});
export type ObjectMeta = z.infer<typeof ObjectMeta>;

export const Container = z.looseObject({
  name: z.string().min(1),
  image: z.string().optional(),
  env: z.array(z.looseObject({ name: z.string(), value: z.string().optional(), valueFrom: z.unknown().optional() })).optional(),
  envFrom: z.array(z.looseObject({ configMapRef: z.looseObject({ name: z.string() }).optional(), secretRef: z.looseObject({ name: z.string() }).optional() })).optional(),
});
export type Container = z.infer<typeof Container>;

export const PodTemplate = z.looseObject({
  metadata: z.looseObject({ labels: StringMap.optional(), annotations: StringMap.optional() }).optional(),
  spec: z.looseObject({ containers: z.array(Container).min(1) }),
});
export type PodTemplate = z.infer<typeof PodTemplate>;

export const DeploymentCondition = z.looseObject({
  type: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastUpdateTime: z.string().optional(),
});

export const Deployment = z.looseObject({
  metadata: ObjectMeta,
  spec: z.looseObject({
    replicas: z.number().int().optional(),
    paused: z.boolean().optional(),
    revisionHistoryLimit: z.number().int().optional(),
    selector: z.looseObject({ matchLabels: StringMap.optional() }),
    template: PodTemplate,
  }),
  status: z
    .looseObject({
      observedGeneration: z.number().int().optional(),
      replicas: z.number().int().optional(),
      updatedReplicas: z.number().int().optional(),
      readyReplicas: z.number().int().optional(),
      availableReplicas: z.number().int().optional(),
      conditions: z.array(DeploymentCondition).optional(),
    })
    .optional(),
});
export type Deployment = z.infer<typeof Deployment>;

export const ReplicaSet = z.looseObject({
  metadata: ObjectMeta,
  spec: z.looseObject({ replicas: z.number().int().optional(), template: PodTemplate }),
  status: z
    .looseObject({
      replicas: z.number().int().optional(),
      availableReplicas: z.number().int().optional(),
      conditions: z.array(z.looseObject({ type: z.string(), status: z.string(), reason: z.string().optional(), message: z.string().optional() })).optional(),
    })
    .optional(),
});
export type ReplicaSet = z.infer<typeof ReplicaSet>;

const ListMeta = z.looseObject({ continue: z.string().optional(), resourceVersion: z.string().optional() }).optional();

export const ReplicaSetList = z.looseObject({ metadata: ListMeta, items: z.array(ReplicaSet) });

export const Pod = z.looseObject({
  metadata: ObjectMeta,
  spec: z.looseObject({ containers: z.array(Container) }).optional(),
  status: z
    .looseObject({
      phase: z.string().optional(),
      conditions: z.array(z.looseObject({ type: z.string(), status: z.string() })).optional(),
    })
    .optional(),
});
export type Pod = z.infer<typeof Pod>;

export const PodList = z.looseObject({ metadata: ListMeta, items: z.array(Pod) });

/** The API server's error body. */
export const Status = z.looseObject({ kind: z.literal('Status').optional(), message: z.string().optional(), reason: z.string().optional(), code: z.number().optional() });
