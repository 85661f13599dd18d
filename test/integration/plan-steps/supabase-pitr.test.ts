/**
 * The supabase-pitr step and its restorer against a local fake of the Supabase Management API: the
 * step keeps the moment before the rollback only when PITR can reach it; a restore on request is
 * checked, marked sent and asked for exactly once, then watched until the project is healthy again;
 * a resumed restore never asks twice. FastClock makes the minutes of polling take milliseconds.
 */
import { SupabasePitrStepConfig } from '../../../src/config/catalog-schema';
import { utcOf } from '../../../src/database/supabase-management-api';
import { SupabasePitrRestorer } from '../../../src/database/supabase-pitr-restorer';
import type { RestoreContext } from '../../../src/domain/ports';
import type { PostgresDumpPoint, SupabasePitrPoint } from '../../../src/domain/restore-point';
import { SupabasePitrStep } from '../../../src/database/supabase-pitr-step';
import { FakeSupabase } from '../../fakes/supabase-management-api';
import { FastClock, fastHttp } from '../../support/fast-clock';

const TOKEN = 'sbp_0123456789abcdef0123456789abcdef01234567';
const REF = 'abcdefghijklmnopqrst';
const HOUR = 3_600;

describe('supabase-pitr step and restorer', () => {
  let supabase: FakeSupabase;
  let clock: FastClock;

  beforeEach(async () => {
    clock = new FastClock();
    supabase = await FakeSupabase.start({ token: TOKEN, project: REF, now: () => clock.now() });
  });
  afterEach(() => supabase.close());

  function config(overrides: Record<string, unknown> = {}) {
    return SupabasePitrStepConfig.parse({ type: 'supabase-pitr', project: REF, token: TOKEN, apiUrl: supabase.url, timeout: '5m', ...overrides });
  }
  const step = (overrides: Record<string, unknown> = {}) => new SupabasePitrStep(config(overrides), { http: fastHttp(clock), clock });
  const restorer = (overrides: Record<string, unknown> = {}) => new SupabasePitrRestorer(config(overrides), { http: fastHttp(clock), clock });
  const runStep = (overrides: Record<string, unknown> = {}) => step(overrides).run({ rollbackId: 'rb-1', signal: new AbortController().signal, progress: async () => {} });
  const nowUnix = () => Math.floor(clock.now() / 1_000);
  const pointAt = (recoveryTimeUnix: number): SupabasePitrPoint => ({ kind: 'supabase-pitr', project: REF, recoveryTimeUnix, takenAt: recoveryTimeUnix * 1_000 });

  /** A restore context that records what the restorer did with it, and when. */
  function context(options: { sentAt?: number } = {}) {
    const progress: string[] = [];
    const marks: { restoreRequestsBefore: number }[] = [];
    const ctx: RestoreContext = {
      key: 'rb-1#1',
      attempt: options.sentAt !== undefined ? 2 : 1,
      signal: new AbortController().signal,
      progress: async (line) => void progress.push(line),
      markSent: async () => void marks.push({ restoreRequestsBefore: supabase.restoreRequests.length }),
      ...(options.sentAt !== undefined ? { sentAt: options.sentAt } : {}),
    };
    return { ctx, progress, marks };
  }

  describe('the step', () => {
    it('keeps the moment before the rollback and says how far back the PITR window reaches', async () => {
      const earliest = nowUnix() - 7 * 24 * HOUR;
      supabase.set({ earliest });
      const before = clock.now();
      const outcome = await runStep();
      const after = clock.now();
      const point = outcome.restorePoint as SupabasePitrPoint;
      expect(point).toMatchObject({ kind: 'supabase-pitr', project: REF });
      expect(point.recoveryTimeUnix).toBeGreaterThanOrEqual(Math.floor(before / 1_000));
      expect(point.recoveryTimeUnix).toBeLessThanOrEqual(Math.floor(after / 1_000));
      expect(point.takenAt).toBeGreaterThanOrEqual(before);
      expect(outcome.detail).toContain(`Supabase project ${REF} can return to ${utcOf(point.recoveryTimeUnix)}, just before the rollback`);
      expect(outcome.detail).toContain(`its PITR window reaches back to ${utcOf(earliest)}`);
      expect(supabase.requests).toEqual([{ method: 'GET', path: `/v1/projects/${REF}/database/backups`, authorization: `Bearer ${TOKEN}` }]);
      expect(supabase.restoreRequests).toEqual([]);
    });

    it('says so when Supabase does not report the window yet', async () => {
      supabase.set({ earliest: null, latest: null });
      expect((await runStep()).detail).toContain('Supabase does not report how far back its PITR window reaches yet');
    });

    it('fails with what to do when PITR is not enabled, since a restore could never happen', async () => {
      supabase.set({ pitrEnabled: false });
      await expect(runStep()).rejects.toThrow(
        new RegExp(`^Point-in-time recovery is not enabled for Supabase project ${REF}, so a restore on request would be impossible\\. Enable the PITR add-on .*postgres-backup step`),
      );
    });

    it('names the token and the access it needs when Supabase refuses it, never the token itself', async () => {
      const wrong = 'sbp_wrongwrongwrongwrongwrongwrongwrongwrong';
      const error = (await runStep({ token: wrong }).catch((e: unknown) => e)) as Error;
      expect(error.message).toMatch(/^Supabase refused the token \(401 on GET \/v1\/projects\/abcdefghijklmnopqrst\/database\/backups\) \("Unauthorized"\): check the supabase-pitr step's token; it must be a valid Supabase personal access token/);
      expect(error.message).not.toContain(wrong);
      expect(supabase.requests).toHaveLength(1);
    });

    it('names the project ref when Supabase knows no such project', async () => {
      await expect(runStep({ project: 'zyxwvutsrqponmlkjihg' })).rejects.toThrow(/^Supabase knows no project zyxwvutsrqponmlkjihg \(404 on GET .*\("Project not found"\): check the step's project ref/);
    });

    it('reads again after a 5xx: reading changes nothing', async () => {
      supabase.fail('backups', { kind: 'server-error', status: 503 });
      expect((await runStep()).restorePoint).toMatchObject({ kind: 'supabase-pitr' });
      expect(supabase.requests).toHaveLength(2);
    });

    it('waits out a 429 for as long as X-RateLimit-Reset says, then goes on', async () => {
      supabase.fail('backups', { kind: 'rate-limit', reset: 7, count: 2 });
      const outcome = await runStep();
      expect(outcome.restorePoint).toMatchObject({ kind: 'supabase-pitr' });
      expect(supabase.requests).toHaveLength(3);
      // Seven seconds to the reset, and a second so the next request lands after it.
      expect(clock.sleeps).toEqual([8_000, 8_000]);
    });

    it('gives up on a rate limit that does not lift after a bounded number of waits', async () => {
      supabase.fail('backups', { kind: 'rate-limit', reset: 20, count: 10 });
      await expect(runStep()).rejects.toThrow(/^Supabase is still rate limiting Rewind after 3 waits \(429 on GET .*\); it allows 120 requests a minute: .*try again in a minute/);
      expect(supabase.requests).toHaveLength(4);
    });
  });

  describe('a restore on request', () => {
    it('asks Supabase once, after marking it sent, and follows the project until it is healthy again', async () => {
      const target = nowUnix() - 600;
      const { ctx, progress, marks } = context();
      const result = await restorer().restore(pointAt(target), ctx);

      expect(marks).toEqual([{ restoreRequestsBefore: 0 }]);
      expect(supabase.restoreRequests).toEqual([{ authorization: `Bearer ${TOKEN}`, body: { recovery_time_target_unix: target } }]);
      expect(supabase.statusPolls).toBe(4);
      expect(result.detail).toMatch(new RegExp(`^Supabase restored project ${REF} to ${utcOf(target)}; it is healthy again after .*confirm the data\\.$`));
      expect(progress[0]).toBe(`Supabase accepted the restore of project ${REF} to ${utcOf(target)}; waiting for the project to come back.`);
      expect(progress.slice(1)).toEqual([expect.stringMatching(new RegExp(`^Supabase project ${REF}: RESTORING \\(restoring the database\\), `)), expect.stringMatching(/: ACTIVE_HEALTHY \(healthy\), .* after the request\.$/)]);
    });

    it('waits for Supabase to take the project down before it counts a healthy status as the end', async () => {
      supabase.set({ lagPolls: 2, restoringPolls: 1 });
      const { ctx, progress } = context();
      const result = await restorer().restore(pointAt(nowUnix() - 60), ctx);
      expect(result.detail).toMatch(/^Supabase restored project/);
      expect(supabase.statusPolls).toBe(4);
      expect(progress.slice(1).map((line) => line.split(': ')[1]!.split(' ')[0])).toEqual(['ACTIVE_HEALTHY', 'RESTORING', 'ACTIVE_HEALTHY']);
    });

    it('reports a restore it never saw happen as unconfirmed rather than done', async () => {
      supabase.set({ lagPolls: Infinity });
      const { ctx } = context();
      const result = await restorer().restore(pointAt(nowUnix() - 60), ctx);
      expect(result.detail).toMatch(/^Supabase accepted the restore of project .*, but Rewind never saw the project restoring: it stayed healthy for 3(\.\d)? min\. Check the restore in the Supabase dashboard/);
      expect(supabase.restoreRequests).toHaveLength(1);
    });

    it('resumed after a worker died, only watches: it never asks Supabase again', async () => {
      supabase.beginRestore();
      const target = nowUnix() - 600;
      const sentAt = clock.now() - 30_000;
      const { ctx, marks, progress } = context({ sentAt });
      const result = await restorer().restore(pointAt(target), ctx);
      expect(supabase.restoreRequests).toEqual([]);
      expect(supabase.requests.every((r) => r.method === 'GET')).toBe(true);
      expect(marks).toEqual([]);
      expect(progress.some((line) => line.includes('RESTORING'))).toBe(true);
      expect(result.detail).toBe(
        `An earlier attempt asked Supabase at ${utcOf(Math.floor(sentAt / 1_000))} to restore project ${REF} to ${utcOf(target)}; the project restored and is healthy again. Rewind did not ask twice; confirm the data.`,
      );
    });

    it('resumed long after the restore ended, reports at once and honestly', async () => {
      const target = nowUnix() - 7_200;
      const { ctx } = context({ sentAt: clock.now() - 3_600_000 });
      const result = await restorer().restore(pointAt(target), ctx);
      expect(supabase.statusPolls).toBe(1);
      expect(supabase.restoreRequests).toEqual([]);
      expect(result.detail).toContain(`to restore project ${REF} to ${utcOf(target)}; the project is healthy, though Rewind did not see it restoring. Rewind did not ask twice; confirm the data.`);
    });

    it('refuses a point outside the PITR window before asking anything', async () => {
      supabase.set({ earliest: nowUnix() - HOUR });
      const target = nowUnix() - 2 * HOUR;
      const { ctx, marks } = context();
      await expect(restorer().restore(pointAt(target), ctx)).rejects.toThrow(`${utcOf(target)} is older than the earliest moment Supabase can restore project ${REF} to`);
      await expect(restorer().restore(pointAt(target), ctx)).rejects.toThrow(/Nothing was requested\. Restore an older daily backup/);
      expect(marks).toEqual([]);
      expect(supabase.restoreRequests).toEqual([]);
    });

    it('refuses when PITR was switched off since the point was kept', async () => {
      supabase.set({ pitrEnabled: false });
      const { ctx, marks } = context();
      await expect(restorer().restore(pointAt(nowUnix() - 60), ctx)).rejects.toThrow(/^Point-in-time recovery is no longer enabled for Supabase project .* Nothing was requested\./);
      expect(marks).toEqual([]);
      expect(supabase.restoreRequests).toEqual([]);
    });

    it('gives up after the timeout with the last status and what to check, having asked once', async () => {
      supabase.set({ restoringPolls: Infinity });
      const { ctx } = context();
      await expect(restorer({ timeout: '5m' }).restore(pointAt(nowUnix() - 60), ctx)).rejects.toThrow(
        new RegExp(`^Supabase project ${REF} was not healthy again within 5 min of the restore request; its last status was RESTORING\\. The restore may still be running: check the project in the Supabase dashboard`),
      );
      expect(supabase.restoreRequests).toHaveLength(1);
      expect(supabase.statusPolls).toBeGreaterThan(20);
    });

    it('stops at once when Supabase reports the restore failed', async () => {
      supabase.set({ restoringPolls: 1, afterRestore: 'RESTORE_FAILED' });
      const { ctx } = context();
      await expect(restorer().restore(pointAt(nowUnix() - 60), ctx)).rejects.toThrow(/^Supabase reports project abcdefghijklmnopqrst as RESTORE_FAILED after the restore request: the restore did not complete/);
      expect(supabase.statusPolls).toBe(2);
    });

    it('never sends the request again when it got no answer, and says it may have been requested', async () => {
      supabase.fail('restore', { kind: 'no-answer' });
      const { ctx, marks } = context();
      await expect(restorer().restore(pointAt(nowUnix() - 60), ctx)).rejects.toThrow(/^The restore request for project abcdefghijklmnopqrst got no answer \(.*\), so the restore may have been requested: check the project in the Supabase dashboard .* Rewind does not send a restore twice\.$/);
      expect(marks).toHaveLength(1);
      expect(supabase.restoreRequests).toHaveLength(1);
      expect(supabase.statusPolls).toBe(0);
    });

    it('treats a 5xx to the request as maybe done, and does not send it again', async () => {
      supabase.fail('restore', { kind: 'server-error', status: 502 });
      const { ctx } = context();
      await expect(restorer().restore(pointAt(nowUnix() - 60), ctx)).rejects.toThrow(/^Supabase answered 502 to the restore request for project abcdefghijklmnopqrst \("Internal server error"\), so the restore may have been requested/);
      expect(supabase.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    });

    it('waits out a rate limit on the request itself: the limiter refused it before anything ran', async () => {
      supabase.fail('restore', { kind: 'rate-limit', reset: 3 });
      const { ctx } = context();
      await restorer().restore(pointAt(nowUnix() - 60), ctx);
      expect(supabase.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
      expect(supabase.restoreRequests).toHaveLength(1);
      expect(clock.sleeps[0]).toBe(4_000);
    });
  });

  describe('the preview for approvers', () => {
    it('says what is overwritten and lost, and that the project goes down', async () => {
      const target = nowUnix() - 2 * HOUR;
      const preview = await restorer().preview(pointAt(target));
      expect(preview.overwrites).toEqual([
        `The whole database of Supabase project ${REF} (every schema, auth and storage included) returns to ${utcOf(target)}.`,
        expect.stringMatching(new RegExp(`^Everything written after ${utcOf(target)} is lost: 120(\\.\\d)? min of writes`)),
      ]);
      expect(preview.warnings).toEqual([
        expect.stringMatching(/^The project is unavailable while Supabase restores it/),
        expect.stringMatching(/^Files in Storage buckets are not restored/),
      ]);
      expect(supabase.restoreRequests).toEqual([]);
    });

    it('warns when the restore would be refused now: PITR off, or the point outside the window', async () => {
      supabase.set({ pitrEnabled: false });
      expect((await restorer().preview(pointAt(nowUnix() - 60))).warnings).toContainEqual(expect.stringMatching(/^Right now this restore would be refused: Point-in-time recovery is no longer enabled/));
      supabase.set({ pitrEnabled: true, earliest: nowUnix() - HOUR });
      expect((await restorer().preview(pointAt(nowUnix() - 2 * HOUR))).warnings).toContainEqual(expect.stringMatching(/^Right now this restore would be refused: .* is older than the earliest moment/));
    });

    it('shows a warning, not a failure, when Supabase cannot be asked', async () => {
      const preview = await restorer({ token: 'sbp_not-the-right-token-at-all' }).preview(pointAt(nowUnix() - 60));
      expect(preview.warnings).toContainEqual(expect.stringMatching(/^Rewind could not read the PITR settings of project abcdefghijklmnopqrst \(Supabase refused the token/));
      expect(preview.warnings.join('\n')).not.toContain('sbp_not-the-right-token-at-all');
    });

    it('rejects a restore point of another kind', async () => {
      const dump: PostgresDumpPoint = { kind: 'postgres-dump', database: 'shop', file: '/backups/x.dump', takenAt: 1, sizeBytes: 1, sha256: 'a'.repeat(64) };
      await expect(restorer().preview(dump)).rejects.toThrow(/cannot restore a postgres-dump restore point/);
      await expect(restorer().restore(dump, context().ctx)).rejects.toThrow(/cannot restore a postgres-dump restore point/);
      expect(supabase.requests).toEqual([]);
    });
  });
});
