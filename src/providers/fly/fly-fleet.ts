/**
 * What a list of Fly machines says, without calling anything: which machines a rollback moves (the
 * Fly Launch machines `fly deploy` manages), which image serves, whether a machine is up on an
 * image, and how it failed, in Fly's own words.
 */
import type { FlyMachine, MachineCheck } from './fly-schemas';

/** Machines flyctl starts for one-off jobs: never part of what serves traffic. */
const SIDE_GROUPS: ReadonlySet<string> = new Set(['fly_app_release_command', 'fly_app_console', 'fly_app_test_machine_command']);
const GONE_STATES: ReadonlySet<string> = new Set(['destroyed', 'destroying']);
const FAILED_STATES: ReadonlySet<string> = new Set(['failed', 'launch_failed']);

export function metadataValue(machine: FlyMachine, key: string): string | undefined {
  const value = (machine.config ?? machine.incomplete_config)?.metadata?.[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function machineImage(machine: FlyMachine): string | undefined {
  return machine.config?.image ?? machine.incomplete_config?.image ?? undefined;
}

/** `3d8d9e1a2b4c68 (ord)`. */
export function machineLabel(machine: FlyMachine): string {
  return machine.region ? `${machine.id} (${machine.region})` : machine.id;
}

/** The machines a rollback moves, as `fly deploy` picks them, and the rest, left alone. */
export function splitFleet(machines: readonly FlyMachine[], groups?: readonly string[]): { targeted: FlyMachine[]; left: FlyMachine[] } {
  const present = machines.filter((m) => !GONE_STATES.has(m.state));
  const targeted = present.filter((m) => isFlyLaunch(m) && (!groups || groups.includes(metadataValue(m, 'fly_process_group') ?? 'app')));
  return { targeted, left: present.filter((m) => !targeted.includes(m)) };
}

function isFlyLaunch(machine: FlyMachine): boolean {
  if (metadataValue(machine, 'fly_platform_version') !== 'v2') return false;
  const group = metadataValue(machine, 'fly_process_group');
  return !(group && SIDE_GROUPS.has(group)) && metadataValue(machine, 'process_group') !== 'release_command';
}

/**
 * How an image is compared: `registry.fly.io/app:tag@sha256:…` is `registry.fly.io/app:tag`, since
 * Fly may pin a tag to its digest; an image named by digest alone keeps the digest.
 */
export function imageKey(ref: string): string {
  const text = ref.trim().toLowerCase();
  const at = text.indexOf('@');
  if (at < 0) return text;
  const name = text.slice(0, at);
  return name.slice(name.lastIndexOf('/') + 1).includes(':') ? name : text;
}

export function sameImage(a: string | null | undefined, b: string | null | undefined): boolean {
  return !!a && !!b && imageKey(a) === imageKey(b);
}

/** `deployment-01J5Y…` of `registry.fly.io/app:deployment-01J5Y…`. */
export function imageTag(ref: string): string | undefined {
  const last = ref.slice(ref.lastIndexOf('/') + 1).split('@')[0] ?? '';
  const colon = last.indexOf(':');
  return colon >= 0 && colon < last.length - 1 ? last.slice(colon + 1) : undefined;
}

/** `app:deployment-01J5Y…`: short enough for a thread line, still unambiguous within the app. */
export function shortImage(ref: string): string {
  const last = ref.slice(ref.lastIndexOf('/') + 1);
  const [name, digest] = last.split('@');
  return name && name.includes(':') ? name : `${name ?? last}${digest ? `@${digest.slice(0, 19)}` : ''}`;
}

export function runsImage(machine: FlyMachine, image: string): boolean {
  return sameImage(machine.config?.image, image);
}

/** Started on the image with every check passing (a machine without checks counts once started). */
export function isServing(machine: FlyMachine, image: string): boolean {
  return runsImage(machine, image) && machine.state === 'started' && (machine.checks ?? []).every((c) => c.status === 'passing');
}

/** How a machine on the image failed, in Fly's words; undefined while it may still come up. */
export function failureOf(machine: FlyMachine, image: string): string | undefined {
  if (!runsImage(machine, image)) return undefined;
  const where = machineLabel(machine);
  if (FAILED_STATES.has(machine.state)) return `machine ${where} is ${machine.state} on ${shortImage(image)}${lastEventWords(machine)}`;
  if (machine.state !== 'started') return undefined;
  const startedAt = lastStart(machine);
  const critical = (machine.checks ?? []).find((c) => c.status === 'critical' && ranSince(c, startedAt));
  if (!critical) return undefined;
  const output = critical.output?.trim().split('\n')[0];
  return `check ${critical.name} of machine ${where} is critical on ${shortImage(image)}${output ? `: ${output.slice(0, 160)}` : ''}`;
}

/** Events come newest first. */
function lastStart(machine: FlyMachine): number | undefined {
  return machine.events?.find((e) => e.type === 'start')?.timestamp ?? undefined;
}

/** A critical check counts only when it ran after the start (a stale result from before does not); undated, it counts. */
function ranSince(check: MachineCheck, startedAt: number | undefined): boolean {
  if (startedAt === undefined || !check.updated_at) return true;
  const at = Date.parse(check.updated_at);
  return Number.isNaN(at) || at >= startedAt;
}

function lastEventWords(machine: FlyMachine): string {
  const event = machine.events?.[0];
  if (!event) return '';
  const exit = event.request?.exit_event?.exit_code;
  return ` (last event: ${event.type}${event.status ? ` ${event.status}` : ''}${typeof exit === 'number' ? `, exit code ${exit}` : ''})`;
}

/** What one look at the targeted machines says about the rollout of an image. */
export interface Rollout {
  total: number;
  serving: number;
  failure?: string;
  /** `3d8d… (ord) starting`, for the detail line. */
  waiting: string[];
}

export function rolloutOf(machines: readonly FlyMachine[], image: string): Rollout {
  const failure = machines.map((m) => failureOf(m, image)).find((f) => f !== undefined);
  const waiting = machines
    .filter((m) => !isServing(m, image))
    .map((m) => `${machineLabel(m)} ${m.state}${runsImage(m, image) ? '' : ` on ${shortImage(machineImage(m) ?? 'an unknown image')}`}`);
  return { total: machines.length, serving: machines.length - waiting.length, waiting, ...(failure ? { failure } : {}) };
}

/** The image serving now: the one most started machines run, or, when none is started (an idle app whose machines stopped), most machines. */
export function servingImage(machines: readonly FlyMachine[]): { image: string; releaseId?: string; count: number; of: number; others: string[] } | undefined {
  const started = machines.filter((m) => m.state === 'started' && machineImage(m));
  const pool = started.length > 0 ? started : machines.filter((m) => machineImage(m));
  const groups = new Map<string, FlyMachine[]>();
  for (const machine of pool) {
    const key = imageKey(machineImage(machine)!);
    groups.set(key, [...(groups.get(key) ?? []), machine]);
  }
  const ranked = [...groups.values()].sort((a, b) => b.length - a.length);
  const top = ranked[0];
  if (!top) return undefined;
  const first = top[0]!;
  const releaseId = top.map((m) => metadataValue(m, 'fly_release_id')).find((id) => id !== undefined);
  return {
    image: machineImage(first)!,
    ...(releaseId ? { releaseId } : {}),
    count: top.length,
    of: pool.length,
    others: ranked.slice(1).map((group) => shortImage(machineImage(group[0]!)!)),
  };
}
