/**
 * Fly.io's answers as Rewind reads them (PROVIDERS.md §2): releases from the GraphQL API, machines
 * and leases from the Machines API. A machine's config keeps every field it came with, because an
 * update must send the whole config back (Fly has no partial update).
 */
import { z } from 'zod';

export const FlyRelease = z.object({
  id: z.string().min(1),
  version: z.number().int(),
  description: z.string().nullish(),
  reason: z.string().nullish(),
  /** Written by flyctl: pending → running → complete | failed | interrupted. Anything else is kept as text, never fatal. */
  status: z.string().min(1),
  /** What a rollback to this release redeploys. */
  imageRef: z.string().nullish(),
  stable: z.boolean().nullish(),
  createdAt: z.string().min(1),
  user: z.object({ email: z.string().nullish() }).nullish(),
});
export type FlyRelease = z.infer<typeof FlyRelease>;

/** Standard GraphQL errors; Fly's `extensions.code` values are not documented, so every field but the message is optional. */
export const GraphQLError = z.looseObject({
  message: z.string(),
  path: z.array(z.union([z.string(), z.number()])).nullish(),
  extensions: z.looseObject({ code: z.string().nullish() }).nullish(),
});
export type GraphQLError = z.infer<typeof GraphQLError>;

export const ReleasesData = z.object({
  app: z
    .object({
      releases: z.object({
        nodes: z.array(FlyRelease),
        pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullish() }),
      }),
    })
    .nullable(),
});

export const CurrentReleaseData = z.object({
  app: z.object({ currentRelease: FlyRelease.nullish() }).nullable(),
});

/** What a query answers once its errors are dealt with: `data` of the expected shape (paths in messages start at `data.`). */
export const ReleasesAnswer = z.object({ data: ReleasesData });
export const CurrentReleaseAnswer = z.object({ data: CurrentReleaseData });

export const MachineCheck = z.looseObject({
  name: z.string(),
  /** `passing`, `warning` or `critical`. */
  status: z.string(),
  output: z.string().nullish(),
  updated_at: z.string().nullish(),
});
export type MachineCheck = z.infer<typeof MachineCheck>;

export const MachineEvent = z.looseObject({
  type: z.string(),
  status: z.string().nullish(),
  /** Milliseconds since the epoch. */
  timestamp: z.number().nullish(),
  request: z.looseObject({ exit_event: z.looseObject({ exit_code: z.number().nullish() }).nullish() }).nullish(),
});
export type MachineEvent = z.infer<typeof MachineEvent>;

/** The whole config: unknown fields pass through untouched, so an update can send them back. */
export const MachineConfig = z.looseObject({
  image: z.string().min(1),
  metadata: z.record(z.string(), z.unknown()).nullish(),
});
export type MachineConfig = z.infer<typeof MachineConfig>;

export const FlyMachine = z.looseObject({
  id: z.string().min(1),
  name: z.string().nullish(),
  state: z.string().min(1),
  region: z.string().nullish(),
  instance_id: z.string().nullish(),
  /** Absent when the host is unreachable (`host_status` not `ok`): Fly then cannot give the full config. */
  config: MachineConfig.nullish(),
  /** What Fly could still tell of the config of a machine on an unreachable host: enough to know what it is, not to update it. */
  incomplete_config: z.looseObject({ image: z.string().nullish(), metadata: z.record(z.string(), z.unknown()).nullish() }).nullish(),
  host_status: z.string().nullish(),
  checks: z.array(MachineCheck).nullish(),
  /** Newest first. */
  events: z.array(MachineEvent).nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
});
export type FlyMachine = z.infer<typeof FlyMachine>;

export const MachineList = z.array(FlyMachine);

/**
 * A lease, as acquiring or viewing one answers. The documented shape is
 * `{status, data: {nonce, expires_at, owner, version}}`; whether a view shows the nonce, and where a
 * refusal says why (`message`, `code`, `error`), is not confirmed, so all of it is optional.
 */
export const MachineLease = z.looseObject({
  status: z.string().nullish(),
  message: z.string().nullish(),
  code: z.string().nullish(),
  error: z.string().nullish(),
  nonce: z.string().nullish(),
  data: z
    .looseObject({
      nonce: z.string().nullish(),
      /** Seconds since the epoch. */
      expires_at: z.number().nullish(),
      owner: z.string().nullish(),
      description: z.string().nullish(),
      version: z.string().nullish(),
    })
    .nullish(),
});
export type MachineLease = z.infer<typeof MachineLease>;
