/** A request to roll a service back, as every front end (chat, alert, monitor, API) must express it. */
import { z } from 'zod';
import { Actor, Platform } from './actor';
import { Severity } from './severity';

/** `drill`: a real rollback run on purpose to practise and time it, recorded apart from incidents. */
export const TRIGGERS = ['manual', 'auto', 'alert', 'drill'] as const;
export const TriggerKind = z.enum(TRIGGERS);
export type TriggerKind = z.infer<typeof TriggerKind>;

export const Trigger = z.object({
  kind: TriggerKind,
  /** What started it: `slack`, `discord`, `health-monitor`, `alertmanager`, … */
  source: z.string().min(1),
  /** Evidence lines shown in the header and thread (probe results, alert labels). */
  evidence: z.array(z.string()).default([]),
});
export type Trigger = z.infer<typeof Trigger>;

export const Origin = z.object({
  platform: z.enum([...Platform.options, 'rewind', 'api']),
  channelId: z.string().optional(),
  /** The chat interaction that asked; the same id twice means the same request. */
  interactionId: z.string().min(1).optional(),
});
export type Origin = z.infer<typeof Origin>;

export const RollbackRequest = z.object({
  service: z.string().min(1).max(100),
  environment: z.string().min(1).max(100).optional(),
  /** A release version or id; absent means the provider's last stable release. */
  targetRelease: z.string().min(1).max(200).optional(),
  severity: Severity.optional(),
  reason: z.string().max(2000).optional(),
  dryRun: z.boolean().default(false),
  requester: Actor,
  origin: Origin,
  trigger: Trigger.default({ kind: 'manual', source: 'api', evidence: [] }),
});
export type RollbackRequest = z.infer<typeof RollbackRequest>;
export type RollbackRequestInput = z.input<typeof RollbackRequest>;
