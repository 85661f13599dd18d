/**
 * Moving an app's machines to an image, the way a rollback does it: one machine first, the rest
 * once it is up with checks passing; each under its lease, with its whole config sent back.
 * Machines already on the image are skipped, so a retry or a resumed worker only finishes the job.
 */
import { ProviderError, TargetUnavailableError } from '../../domain/errors';
import type { Clock, RollbackContext } from '../../domain/ports';
import type { HttpResponse } from '../../outbound/http-client';
import { describeDuration } from '../../outbound/http-errors';
import { lookForEffect } from '../look-for-effect';
import { UnansweredCall } from '../../outbound/platform-api';
import { failureOf, isServing, machineImage, machineLabel, runsImage, shortImage } from './fly-fleet';
import type { FlyMachines } from './fly-machines';
import { serverWords } from '../../outbound/platform-api';
import type { FlyMachine, FlyRelease, MachineConfig } from './fly-schemas';

/** How long the first machine may take to come up with checks passing before the step gives up for now. */
const FIRST_MACHINE_WITHIN_MS = 120_000;
const POLL_MS = 500;

/** What a rollback puts on the machines: the image, and the release it came from when Fly lists one. */
export interface Goal {
  image: string;
  version: string;
  release?: FlyRelease;
}

/** What one run did, for the receipt. */
export interface RolloutTally {
  moved: number;
  /** Already on the image, updated since the step started: an earlier attempt's work. */
  earlier: number;
  already: number;
  alreadyAtTarget: boolean;
  /** The first machine failed on the image (Fly's words); the others were not touched. */
  stopped?: string;
  untouched?: number;
}

/** The whole config with the target's image and release metadata: Fly replaces the config with what it is sent. */
export function retarget(config: MachineConfig, goal: Goal): MachineConfig {
  const release = goal.release ? { fly_release_id: goal.release.id, fly_release_version: String(goal.release.version) } : {};
  return { ...config, image: goal.image, metadata: { ...(config.metadata ?? {}), ...release } };
}

/** Whether the machine's config was updated since then: its `update` events say so; without events, `updated_at` (which state changes also move) has to do. */
function updatedSince(machine: FlyMachine, sinceMs: number): boolean {
  if (machine.events && machine.events.length > 0) return machine.events.some((e) => e.type === 'update' && (e.timestamp ?? 0) >= sinceMs);
  const at = machine.updated_at ? Date.parse(machine.updated_at) : Number.NaN;
  return !Number.isNaN(at) && at >= sinceMs;
}

export class FlyRollout {
  constructor(
    private readonly machines: FlyMachines,
    private readonly clock: Clock,
    private readonly app: string,
    /** How long to look for the effect of an update that got no answer. */
    private readonly confirmWithinMs: number,
  ) {}

  async run(goal: Goal, targeted: readonly FlyMachine[], context: RollbackContext, sinceMs: number): Promise<RolloutTally> {
    const onTarget = targeted.filter((m) => runsImage(m, goal.image));
    const pending = targeted.filter((m) => !runsImage(m, goal.image));
    const earlier = onTarget.filter((m) => updatedSince(m, sinceMs)).length;
    const tally: RolloutTally = { moved: 0, earlier, already: onTarget.length - earlier, alreadyAtTarget: pending.length === 0 && earlier === 0 };
    if (pending.length === 0) return tally;

    const first = await this.proveFirst(goal, onTarget, pending, context);
    if (first.moved) tally.moved++;
    if (first.failure) return { ...tally, stopped: first.failure, untouched: pending.length - (first.moved ? 1 : 0) };
    for (const machine of pending.filter((m) => m.id !== first.machine?.id)) {
      await this.move(machine, goal, context);
      tally.moved++;
      await this.say(context, `machine ${machineLabel(machine)} now runs ${shortImage(goal.image)}`);
    }
    return tally;
  }

  /**
   * One machine must be up on the target before the rest are touched, so an image that cannot start
   * (pruned from the registry, crashing on boot) never takes every machine down. A machine an
   * earlier attempt moved counts.
   */
  private async proveFirst(goal: Goal, onTarget: FlyMachine[], pending: FlyMachine[], context: RollbackContext): Promise<{ machine?: FlyMachine; moved?: boolean; failure?: string }> {
    if (onTarget.some((m) => isServing(m, goal.image))) return {};
    const failure = onTarget.map((m) => failureOf(m, goal.image)).find((f) => f !== undefined);
    if (failure) return { failure };
    const machine = onTarget[0] ?? pending[0]!;
    const moved = !runsImage(machine, goal.image);
    if (moved) await this.move(machine, goal, context);
    const outcome = await this.watch(machine, goal, context.signal);
    if (!outcome.failure) await this.say(context, `machine ${machineLabel(machine)} now runs ${shortImage(goal.image)} (started, checks passing)`);
    return { machine, moved, ...outcome };
  }

  private async watch(machine: FlyMachine, goal: Goal, signal?: AbortSignal): Promise<{ failure?: string }> {
    const deadline = this.clock.now() + FIRST_MACHINE_WITHIN_MS;
    for (;;) {
      const now = await this.machines.get(machine.id, signal);
      if (!runsImage(now, goal.image)) {
        throw new ProviderError(
          `Fly.io machine ${machineLabel(now)} now runs ${shortImage(machineImage(now) ?? 'another image')}, not ${shortImage(goal.image)}: someone changed it while Rewind rolled back (a \`fly deploy\`?). ` +
            `Check \`fly status -a ${this.app}\`, then request the rollback again.`,
          false,
        );
      }
      const failure = failureOf(now, goal.image);
      if (failure) return { failure };
      if (isServing(now, goal.image)) return {};
      if (this.clock.now() >= deadline) {
        throw new ProviderError(
          `Fly.io machine ${machineLabel(now)} is ${now.state}, not yet up with checks passing on ${shortImage(goal.image)} after ${describeDuration(FIRST_MACHINE_WITHIN_MS)}; ` +
            'Rewind leaves the other machines as they are until it is.',
          true,
        );
      }
      await this.clock.sleep(POLL_MS, signal);
    }
  }

  /** Lease, re-read under the lease, update with the whole config, give the lease back. */
  private async move(machine: FlyMachine, goal: Goal, context: RollbackContext): Promise<void> {
    const { signal } = context;
    const nonce = await this.machines.take(machine, `rewind rollback ${context.idempotencyKey}`, signal);
    try {
      const fresh = await this.machines.get(machine.id, signal);
      // An earlier attempt's update that landed late: nothing to do.
      if (runsImage(fresh, goal.image)) return;
      if (!fresh.config) {
        throw new ProviderError(
          `Fly.io cannot give the full config of machine ${machineLabel(fresh)} (host ${fresh.host_status ?? 'unreachable'}), and an update must send all of it; the step tries again.`,
          true,
        );
      }
      await this.update(fresh, fresh.config, goal, nonce, signal);
    } finally {
      await this.machines.giveBack(machine.id, nonce);
    }
  }

  private async update(machine: FlyMachine, config: MachineConfig, goal: Goal, nonce: string, signal?: AbortSignal): Promise<void> {
    const path = this.machines.path(machine.id);
    let response: HttpResponse;
    try {
      response = await this.machines.update(machine.id, retarget(config, goal), nonce, signal);
    } catch (error) {
      if (!(error instanceof UnansweredCall)) throw error;
      await lookForEffect(() => this.lookForImage(machine, goal.image, signal), {
        clock: this.clock,
        withinMs: this.confirmWithinMs,
        signal,
        platform: 'Fly.io',
        call: `POST ${path} (${error.reason})`,
        effect: `sign of machine ${machineLabel(machine)} on ${shortImage(goal.image)}`,
      });
      return;
    }
    if (response.status >= 200 && response.status < 300) return;
    if (response.status >= 500) {
      // A 5xx may come after Fly acted: look once before letting the step try again.
      const look = await this.lookForImage(machine, goal.image, signal).catch(() => undefined);
      if (look && 'found' in look) return;
    }
    throw this.updateError(machine, goal, path, response);
  }

  private async lookForImage(machine: FlyMachine, image: string, signal?: AbortSignal): Promise<{ found: FlyMachine } | { seen: string }> {
    const now = await this.machines.get(machine.id, signal);
    if (runsImage(now, image)) return { found: now };
    return { seen: `machine ${machineLabel(now)} ${now.state} on ${shortImage(machineImage(now) ?? 'an unknown image')}` };
  }

  private updateError(machine: FlyMachine, goal: Goal, path: string, response: HttpResponse): Error {
    const said = serverWords(response) ?? '';
    if ((response.status === 400 || response.status === 422) && /image|manifest|pull|registry/i.test(said)) {
      return new TargetUnavailableError(
        `Fly.io would not run ${shortImage(goal.image)} on machine ${machineLabel(machine)} (${response.status}: "${said}"): images not deployed for a while may have been pruned from registry.fly.io. ` +
          'Roll back to a newer release, or rebuild that one and deploy it.',
        { status: response.status },
      );
    }
    if ([409, 412].includes(response.status) && /lease|nonce/i.test(said)) {
      return new ProviderError(`Fly.io refused the update of machine ${machineLabel(machine)}: its lease expired or was taken ("${said}"); the step takes it again.`, true, { status: response.status });
    }
    if (response.status === 404) {
      return new ProviderError(`Fly.io no longer knows machine ${machineLabel(machine)} of app ${this.app} (404 on POST ${path}): it was destroyed or replaced meanwhile; the step reads the machines again.`, true, {
        status: 404,
      });
    }
    return this.machines.refusal('POST', path, response);
  }

  /** Thread lines must never stop a half-done rollback: a failed post is dropped. */
  private async say(context: RollbackContext, line: string): Promise<void> {
    if (context.progress) await context.progress(line).catch(() => undefined);
  }
}
