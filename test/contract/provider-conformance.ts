/**
 * The provider conformance suite (the BullMQ way: the same tests against every provider). Each
 * platform's subject starts its local fake seeded with history — an older stable release, the bad
 * release live, more releases than one page — and the provider as the catalog builds it. The suite
 * checks what the engine relies on: reading, targets, preview, one rollback however the call goes
 * wrong, waiting by the platform's own states, and errors a person can act on.
 */
import type { DeployProvider, LiveState, RollbackReceipt } from '../../src/domain/ports';
import type { Release } from '../../src/domain/release';
import { OutcomeUnknownError, ProviderError } from '../../src/domain/errors';
import type { FastClock } from '../support/fast-clock';
import { waitFor } from '../support/wait-for';

export interface SeededRelease {
  id: string;
  version: string;
  commit?: string;
}

/** What the next rollback call gets instead of a normal answer. */
export type ConformanceFault =
  | { status: 500 | 503; effect: boolean }
  | { status: 429; retryAfterSeconds: number }
  | { noAnswer: 'hang' | 'reset'; effect: boolean };

export interface PlatformFixture {
  provider: DeployProvider;
  clock: FastClock;
  /** Newest first: `all[0]` is live (the bad release), `stable` the newest one that served before it. */
  seeded: { live: SeededRelease; stable: SeededRelease; all: SeededRelease[]; neverLive?: SeededRelease };
  /** Requests to the platform's rollback call, answered or not. */
  rollbackCalls(): number;
  /** Rollbacks the platform actually carried out. */
  rollbacksApplied(): number;
  /** What the platform serves now, as a version the provider would report. */
  liveVersion(): string;
  fault(fault: ConformanceFault): void;
  /** The deploy or release the next rollback starts ends in failure. */
  failNextDeploy(): void;
  /** The next read of the release list gets a body that is not the platform's shape. */
  breakNextRead(): void;
  lastAuthorization(): string | undefined;
  expectedAuthorization: string;
  /** Whether the platform is held after a rollback (auto-deploy off, production pinned). */
  held?(): boolean;
  close(): Promise<void>;
}

export interface StartOptions {
  /** How long the provider looks for the effect of an unanswered call. */
  confirmWithinMs: number;
  /** Per request: short, so a hanging call times out quickly. */
  timeoutMs: number;
  /** Reported as where the token lives, so a 401 can be checked to name it. */
  tokenVariable: string;
  /** Catalog the wrong token, or an id the platform does not know. */
  badToken?: boolean;
  unknownId?: boolean;
}

/** A platform fake for a whole Rewind: the catalog lines that point at it, and what to check on it. */
export interface CatalogSite {
  /** `provider:` and `verify:` lines at an environment's indentation (8 spaces). */
  environmentYaml: string;
  /** The environment the catalog's `${…}` references need (the token). */
  env: Record<string, string>;
  seeded: PlatformFixture['seeded'];
  rollbacksApplied(): number;
  liveVersion(): string;
  held?(): boolean;
  /** The deploy or release the next rollback starts ends in failure. */
  failNextDeploy(): void;
  close(): Promise<void>;
}

export interface ProviderSubject {
  name: string;
  start(options: StartOptions): Promise<PlatformFixture>;
  /** The same fake, seeded the same way, for a Rewind started from a catalog. */
  startSite(): Promise<CatalogSite>;
  /** What the preview must state as facts: the platform's pitfalls. */
  pitfalls: RegExp[];
  /** What the summary notes must state. */
  notes: RegExp[];
  /** The catalog field a 404 must point at (`render.serviceId`). */
  idField: string;
  /** A hold the platform keeps after a rollback until unlock, if it has one. */
  hold?: RegExp;
}

const OPTIONS: StartOptions = { confirmWithinMs: 400, timeoutMs: 300, tokenVariable: 'PLATFORM_TOKEN' };

export function providerConformance(subject: ProviderSubject): void {
  describe(`${subject.name} provider (conformance)`, () => {
    let f: PlatformFixture;
    let stable: Release;

    beforeEach(async () => {
      f = await subject.start(OPTIONS);
      stable = (await f.provider.lastStable())!;
    });
    afterEach(() => f.close());

    const rollBack = async (startedAt = f.clock.now()): Promise<RollbackReceipt> =>
      f.provider.rollbackTo(stable, { idempotencyKey: 'rb_conformance', startedAt, captured: await f.provider.captureState() });

    const settle = (receipt: RollbackReceipt): Promise<LiveState> =>
      waitFor(() => f.provider.liveState(stable, receipt.handle ? { handle: receipt.handle } : {}), (s) => s.live || s.failed !== undefined, { what: `${subject.name} to settle` });

    describe('reading', () => {
      it('reports the live release and the history newest first, across pages', async () => {
        const current = await f.provider.currentRelease();
        expect(current).toMatchObject({ id: f.seeded.live.id, version: f.seeded.live.version });
        expect(current.deployedAt).toBeDefined();
        const recent = await f.provider.recentReleases(f.seeded.all.length);
        expect(recent.map((r) => r.id)).toEqual(f.seeded.all.map((r) => r.id));
        expect(await f.provider.recentReleases(2)).toHaveLength(2);
      });

      it('takes the newest release that served before the live one as last stable, never one that never went live', () => {
        expect(stable).toMatchObject({ id: f.seeded.stable.id, version: f.seeded.stable.version });
        if (f.seeded.neverLive) expect(stable.id).not.toBe(f.seeded.neverLive.id);
      });

      it('finds a release by id, version and commit prefix; not one that never went live', async () => {
        const older = f.seeded.all.at(-1)!;
        expect(await f.provider.findRelease(older.id)).toMatchObject({ id: older.id });
        expect(await f.provider.findRelease(older.version)).toMatchObject({ id: older.id });
        if (older.commit) expect(await f.provider.findRelease(older.commit.slice(0, 8))).toMatchObject({ id: older.id });
        expect(await f.provider.findRelease('no-such-release-42')).toBeUndefined();
        if (f.seeded.neverLive) expect(await f.provider.findRelease(f.seeded.neverLive.id)).toBeUndefined();
      });

      it("previews what the rollback undoes and states the platform's pitfalls", async () => {
        const preview = await f.provider.describeChange(await f.provider.currentRelease(), stable);
        const notes = preview.notes.join('\n');
        for (const pitfall of subject.pitfalls) expect(notes).toMatch(pitfall);
        expect(preview.commits.length + preview.notes.length).toBeGreaterThan(0);
      });

      it('names the path of the problem when the platform answers in a shape it does not document', async () => {
        f.breakNextRead();
        const error = await f.provider.recentReleases(5).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ProviderError);
        expect((error as ProviderError).userMessage).toMatch(/cannot read \(.*: /);
      });
    });

    describe('rolling back', () => {
      it('rolls back once, with the token, and follows it until live', async () => {
        const receipt = await rollBack();
        expect(receipt.alreadyAtTarget).toBe(false);
        const state = await settle(receipt);
        expect(state).toMatchObject({ live: true });
        expect(f.liveVersion()).toBe(stable.version);
        expect(f.rollbackCalls()).toBe(1);
        expect(f.rollbacksApplied()).toBe(1);
        expect(f.lastAuthorization()).toBe(f.expectedAuthorization);
        const notes = (receipt.notes ?? []).join('\n');
        for (const note of subject.notes) expect(notes).toMatch(note);
        if (subject.hold) {
          expect(receipt.hold?.description).toMatch(subject.hold);
          expect(f.held!()).toBe(true);
          await f.provider.releaseHold!(receipt.hold!);
          expect(f.held!()).toBe(false);
        }
      });

      it('after a crash between the call and its checkpoint, the resumed step does not roll back again', async () => {
        const startedAt = f.clock.now();
        const first = await rollBack(startedAt);
        // The worker died before saving `first`; another one runs the step again from the record.
        const again = await rollBack(startedAt);
        expect(f.rollbackCalls()).toBe(1);
        expect(again.handle ?? again.alreadyAtTarget).toBe(first.handle ?? true);
        expect(await settle(again)).toMatchObject({ live: true });
        expect(f.rollbacksApplied()).toBe(1);
      });

      it.each(['hang', 'reset'] as const)('a call that got no answer (%s) but took effect is found, not repeated', async (noAnswer) => {
        f.fault({ noAnswer, effect: true });
        const receipt = await rollBack();
        expect(await settle(receipt)).toMatchObject({ live: true });
        expect(f.rollbackCalls()).toBe(1);
        expect(f.rollbacksApplied()).toBe(1);
      });

      it('a call that got no answer and shows no effect fails as "outcome unknown" and is not repeated', async () => {
        f.fault({ noAnswer: 'hang', effect: false });
        const error = await rollBack().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(OutcomeUnknownError);
        expect((error as OutcomeUnknownError).userMessage).toMatch(/gave no answer .* showed no .*last seen: .*does not call again/s);
        expect(f.rollbackCalls()).toBe(1);
        expect(f.rollbacksApplied()).toBe(0);
      });

      it('honours Retry-After on a 429, then rolls back once', async () => {
        f.fault({ status: 429, retryAfterSeconds: 2 });
        const receipt = await rollBack();
        expect(f.clock.sleeps).toContain(2_000);
        expect(await settle(receipt)).toMatchObject({ live: true });
        expect(f.rollbackCalls()).toBe(2);
        expect(f.rollbacksApplied()).toBe(1);
      });

      it('a 5xx that changed nothing is a retryable error; the retry re-reads and rolls back once', async () => {
        f.fault({ status: 503, effect: false });
        const error = await rollBack().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ProviderError);
        expect((error as ProviderError).retryable).toBe(true);
        expect(f.rollbacksApplied()).toBe(0);
        const receipt = await rollBack();
        expect(await settle(receipt)).toMatchObject({ live: true });
        expect(f.rollbacksApplied()).toBe(1);
      });

      it('a 5xx that came after the platform acted is taken as the rollback, not repeated', async () => {
        f.fault({ status: 500, effect: true });
        const receipt = await rollBack();
        expect(await settle(receipt)).toMatchObject({ live: true });
        expect(f.rollbackCalls()).toBe(1);
        expect(f.rollbacksApplied()).toBe(1);
      });

      it("a deploy the platform fails ends as failed, in the platform's words, with a link", async () => {
        f.failNextDeploy();
        const receipt = await rollBack();
        const state = await settle(receipt);
        expect(state.live).toBe(false);
        expect(state.failed?.reason).toBeTruthy();
        expect(state.failed?.link).toMatch(/^https:\/\//);
        expect(f.liveVersion()).toBe(f.seeded.live.version);
      });
    });

    describe('errors a person can act on', () => {
      it('a refused token names the variable that holds it', async () => {
        const bad = await subject.start({ ...OPTIONS, badToken: true });
        try {
          const error = await bad.provider.currentRelease().catch((e: unknown) => e);
          expect(error).toBeInstanceOf(ProviderError);
          expect((error as ProviderError).userMessage).toContain('(401 on GET');
          expect((error as ProviderError).userMessage).toContain('PLATFORM_TOKEN');
          expect((error as ProviderError).retryable).toBe(false);
        } finally {
          await bad.close();
        }
      });

      it('an unknown id names where the catalog sets it', async () => {
        const bad = await subject.start({ ...OPTIONS, unknownId: true });
        try {
          const error = await bad.provider.currentRelease().catch((e: unknown) => e);
          expect(error).toBeInstanceOf(ProviderError);
          expect((error as ProviderError).userMessage).toContain('(404 on GET');
          expect((error as ProviderError).userMessage).toContain(`provider.${subject.idField}`);
        } finally {
          await bad.close();
        }
      });
    });
  });
}
