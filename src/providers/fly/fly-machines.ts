/**
 * Fly's Machines API for one app, as a rollback uses it: list and read machines, take a machine's
 * lease and give it back, and update a machine's whole config under that lease.
 */
import { ProviderError } from '../../domain/errors';
import type { Clock } from '../../domain/ports';
import type { HttpResponse } from '../../outbound/http-client';
import { serverWords, UnansweredCall, type PlatformApi } from '../../outbound/platform-api';
import { machineLabel } from './fly-fleet';
import { FlyMachine, MachineLease, MachineList, type MachineConfig } from './fly-schemas';

/** Seconds a lease lasts: long enough for one read and one update, short enough that a lease left by a crash soon frees itself. */
export const LEASE_TTL_S = 60;
const NONCE_HEADER = 'fly-machine-lease-nonce';

/** Who holds a machine's lease, as far as Fly says. */
export interface LeaseHolder {
  owner?: string;
  description?: string;
  /** Milliseconds since the epoch. */
  expiresAt?: number;
  /** Only if Fly shows it to a viewer (not confirmed). */
  nonce?: string;
}

function ok(response: HttpResponse): boolean {
  return response.status >= 200 && response.status < 300;
}

/**
 * Whether an answer to taking a lease means someone holds it. Fly's status for that is not
 * documented: a conflict-like status, or any refusal that talks about a lease, counts.
 */
function refusedForLease(response: HttpResponse): boolean {
  if ([409, 412, 423].includes(response.status)) return true;
  return response.status >= 400 && response.status < 500 && /lease/i.test(serverWords(response) ?? '');
}

export class FlyMachines {
  private readonly base: string;

  constructor(
    private readonly api: PlatformApi,
    private readonly app: string,
    private readonly clock: Clock,
  ) {
    this.base = `/v1/apps/${app}/machines`;
  }

  path(machineId: string): string {
    return `${this.base}/${machineId}`;
  }

  async list(signal?: AbortSignal): Promise<FlyMachine[]> {
    return (await this.api.read(this.base, MachineList, { signal })).data;
  }

  /** One machine; a 404 here means it went away after the list, not that the app is unknown. */
  async get(machineId: string, signal?: AbortSignal): Promise<FlyMachine> {
    try {
      return (await this.api.read(this.path(machineId), FlyMachine, { signal })).data;
    } catch (error) {
      if (!(error instanceof ProviderError) || error.details['status'] !== 404) throw error;
      throw new ProviderError(`Fly.io no longer knows machine ${machineId} of app ${this.app}: it was destroyed or replaced after Rewind listed the machines.`, true, { status: 404 });
    }
  }

  /** What a non-2xx answer of the Machines API means, in words a person can act on. */
  refusal(method: string, path: string, response: HttpResponse): ProviderError {
    return this.api.answerError(method, path, response);
  }

  /** Sends the whole config back with `skip_launch: false`; throws UnansweredCall when no answer came. */
  update(machineId: string, config: MachineConfig, nonce: string, signal?: AbortSignal): Promise<HttpResponse> {
    return this.api.change('POST', this.path(machineId), { config, skip_launch: false }, { signal, headers: { [NONCE_HEADER]: nonce } });
  }

  /**
   * Takes the machine's lease and answers its nonce. Someone else's lease (an in-flight `fly deploy`)
   * is a clear error. A lease this same rollback took before (a crash, or an answer that never came)
   * has no nonce Rewind knows: Fly lets it expire by itself, so Rewind waits for that, once.
   */
  async take(machine: FlyMachine, description: string, signal?: AbortSignal): Promise<string> {
    const path = `${this.path(machine.id)}/lease`;
    for (let attempt = 1; ; attempt++) {
      let response: HttpResponse | undefined;
      try {
        response = await this.api.change('POST', path, { ttl: LEASE_TTL_S, description }, { signal });
      } catch (error) {
        if (!(error instanceof UnansweredCall)) throw error;
      }
      const nonce = response && ok(response) ? this.nonceIn(response, path) : undefined;
      if (nonce) return nonce;
      if (response && !ok(response) && !refusedForLease(response)) throw this.api.answerError('POST', path, response);
      const holder = await this.holder(machine.id, signal);
      if (holder?.nonce && holder.description === description) return holder.nonce;
      if (holder && holder.description !== description) throw this.heldBySomeoneElse(machine, holder, response);
      if (attempt >= 2) {
        throw new ProviderError(`Fly.io did not give Rewind the lease of machine ${machineLabel(machine)} of app ${this.app} (POST ${path}); the step tries again.`, true);
      }
      // Held by this rollback without a known nonce: wait until it expires. Not held: the call did nothing, take it now.
      if (holder) await this.clock.sleep(this.untilExpiry(holder), signal);
    }
  }

  /** Best effort: a lease not given back expires within LEASE_TTL_S anyway. */
  async giveBack(machineId: string, nonce: string): Promise<void> {
    await this.api.change('DELETE', `${this.path(machineId)}/lease`, undefined, { headers: { [NONCE_HEADER]: nonce }, idempotent: true }).catch(() => undefined);
  }

  /** Who holds the lease now; undefined when nobody does (Fly may say so with a 404 or with an empty answer). */
  async holder(machineId: string, signal?: AbortSignal): Promise<LeaseHolder | undefined> {
    let lease: MachineLease;
    try {
      lease = (await this.api.read(`${this.path(machineId)}/lease`, MachineLease, { signal })).data;
    } catch (error) {
      if (error instanceof ProviderError && error.details['status'] === 404) return undefined;
      throw error;
    }
    const data = lease.data;
    const expiresAt = typeof data?.expires_at === 'number' ? data.expires_at * 1_000 : undefined;
    if (!data || (!data.owner && !data.nonce && expiresAt === undefined)) return undefined;
    if (expiresAt !== undefined && expiresAt <= this.clock.now()) return undefined;
    return {
      ...(data.owner ? { owner: data.owner } : {}),
      ...(data.description ? { description: data.description } : {}),
      ...(expiresAt !== undefined ? { expiresAt } : {}),
      ...(data.nonce ? { nonce: data.nonce } : {}),
    };
  }

  private nonceIn(response: HttpResponse, path: string): string | undefined {
    const lease = this.api.parse(MachineLease, response, 'POST', path);
    return lease.data?.nonce ?? lease.nonce ?? undefined;
  }

  private untilExpiry(holder: LeaseHolder): number {
    const left = holder.expiresAt === undefined ? LEASE_TTL_S * 1_000 : holder.expiresAt - this.clock.now();
    return Math.min(Math.max(left, 0) + 1_000, (LEASE_TTL_S + 1) * 1_000);
  }

  private heldBySomeoneElse(machine: FlyMachine, holder: LeaseHolder, response: HttpResponse | undefined): ProviderError {
    const who = holder.owner ?? 'someone else';
    const what = holder.description ? ` ("${holder.description}")` : '';
    const until = holder.expiresAt !== undefined ? ` until ${new Date(holder.expiresAt).toISOString()}` : '';
    const said = response ? serverWords(response) : undefined;
    return new ProviderError(
      `Fly.io machine ${machineLabel(machine)} of app ${this.app} is leased by ${who}${what}${until}${said ? ` (Fly.io: "${said}")` : ''}: ` +
        `a \`fly deploy\` or another tool is changing it right now. Let it finish, check \`fly status -a ${this.app}\`, then request the rollback again.`,
      false,
      { lease: { ...holder, nonce: undefined } },
    );
  }
}
