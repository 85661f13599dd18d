/** Vercel's fake, seeded for the conformance suite and the end-to-end tests. */
import { VercelProviderConfig } from '../../../src/config/catalog-schema';
import { VercelProvider } from '../../../src/providers/vercel/vercel-provider';
import { VercelApiFake, type VercelFakeOptions } from '../../fakes/vercel-api';
import { FastClock, fastHttp } from '../../support/fast-clock';
import type { CatalogSite, PlatformFixture, ProviderSubject, SeededRelease, StartOptions } from '../provider-conformance';

export const VERCEL_TOKEN = 'vcp_conformance-token-0123456789';
export const VERCEL_PROJECT = 'prj_12HKQaOmR5t5Uy6vdcQsNIiZgHGB';
export const VERCEL_TEAM = 'team_rewind01';

export interface VercelSeed {
  all: SeededRelease[];
  neverLive: SeededRelease;
  /** READY on production but never promoted (built while production was pinned): not a target. */
  staged: SeededRelease;
  /** A preview deployment: never listed as production, never a target. */
  preview: string;
}

/**
 * 24 production deployments that went live (more than Vercel's default page of 20), one that was
 * built while production was pinned and never served, previews in between (not production), one
 * build that failed, and the bad one live.
 */
export function seedVercel(fake: VercelApiFake): VercelSeed {
  const commit = (i: number) => `${i.toString(16).padStart(4, '0')}c0ffee${'0'.repeat(30)}`;
  let staged = '';
  let preview = '';
  for (let i = 1; i <= 24; i++) {
    if (i === 6) {
      // Pinned by a rollback done in Vercel, then promoted again: what was built meanwhile stayed STAGED.
      fake.project.autoAssignCustomDomains = false;
      staged = fake.deploy('5a5a5a5a00000000000000000000000000000005', 'built while pinned');
      fake.project.autoAssignCustomDomains = true;
    }
    if (i === 10) preview = fake.deploy('9e9e9e9e00000000000000000000000000000009', 'a preview', { target: null });
    fake.deploy(commit(i), `release ${i}`);
  }
  const failedId = fake.deploy('badbuild0000000000000000000000000000beef', 'does not build', { state: 'ERROR' });
  fake.deploy(commit(25), 'the bad release');
  const all = fake.deployments.filter((d) => d.target === 'production').map((d) => ({ id: d.uid, version: d.meta.githubCommitSha.slice(0, 7), commit: d.meta.githubCommitSha }));
  return { all, neverLive: all.find((r) => r.id === failedId)!, staged: all.find((r) => r.id === staged)!, preview };
}

function seededOf(seed: VercelSeed): PlatformFixture['seeded'] {
  const { all, neverLive } = seed;
  return { live: all[0]!, stable: all.find((r) => r.id !== neverLive.id && r.id !== all[0]!.id)!, all, neverLive };
}

export interface VercelStartOptions extends StartOptions {
  /** Answer a wrong token as Vercel does in practice (403 `invalidToken`) rather than 401. */
  badTokenStatus?: 401 | 403;
  /** Leave `teamId` out of the catalog, for a team project (every call is refused). */
  noTeamId?: boolean;
}

export interface VercelFixture extends PlatformFixture {
  fake: VercelApiFake;
  seed: VercelSeed;
  provider: VercelProvider;
}

function fakeOptions(options: Partial<VercelFakeOptions> = {}): VercelFakeOptions {
  return { token: VERCEL_TOKEN, projectId: VERCEL_PROJECT, projectName: 'web', teamId: VERCEL_TEAM, ...options };
}

export async function startVercel(options: VercelStartOptions): Promise<VercelFixture> {
  const fake = await VercelApiFake.start(fakeOptions(options.badTokenStatus ? { badTokenStatus: options.badTokenStatus } : {}));
  const seed = seedVercel(fake);
  const clock = new FastClock();
  const config = VercelProviderConfig.parse({
    type: 'vercel',
    token: options.badToken ? 'vcp_wrong' : VERCEL_TOKEN,
    apiUrl: fake.url,
    vercel: { projectId: options.unknownId ? 'prj_unknown0' : VERCEL_PROJECT, ...(options.noTeamId ? {} : { teamId: VERCEL_TEAM }) },
    timeout: `${options.timeoutMs}ms`,
    retries: 2,
    confirmWithin: `${options.confirmWithinMs}ms`,
  });
  const http = fastHttp(clock);
  const provider = new VercelProvider(config, { http, clock }, { service: 'web', environment: 'production', tokenVariable: options.tokenVariable, holdAfterRollback: true });
  return {
    fake,
    seed,
    provider,
    clock,
    seeded: seededOf(seed),
    rollbackCalls: () => fake.rollbackCalls,
    rollbacksApplied: () => fake.rollbacksApplied,
    liveVersion: () => fake.liveVersion(),
    fault: (fault) => fake.failRollbacks('noAnswer' in fault ? fault : { status: fault.status, ...('effect' in fault ? { effect: fault.effect } : {}), ...('retryAfterSeconds' in fault ? { retryAfterSeconds: fault.retryAfterSeconds } : {}) }),
    failNextDeploy: () => fake.failNextDeploy(),
    breakNextRead: () => fake.breakNextRead(),
    lastAuthorization: () => fake.requests.filter((r) => /^\/v\d+\//.test(r.path)).at(-1)?.authorization,
    expectedAuthorization: `Bearer ${VERCEL_TOKEN}`,
    held: () => fake.pinned(),
    close: () => fake.close(),
  };
}

export const vercelSubject: ProviderSubject = {
  async startSite(): Promise<CatalogSite> {
    const fake = await VercelApiFake.start(fakeOptions());
    const seed = seedVercel(fake);
    return {
      environmentYaml: [
        `        provider: { type: vercel, token: "\${VERCEL_TOKEN}", apiUrl: ${fake.url}, vercel: { projectId: ${VERCEL_PROJECT}, teamId: ${VERCEL_TEAM} }, timeout: 2s }`,
        '        waitLive: { timeout: 20s, interval: 20ms }',
        '        verify:',
        `          - { type: version, url: ${fake.url}/app/version, path: version }`,
      ].join('\n'),
      env: { VERCEL_TOKEN },
      seeded: seededOf(seed),
      rollbacksApplied: () => fake.rollbacksApplied,
      liveVersion: () => fake.liveVersion(),
      held: () => fake.pinned(),
      failNextDeploy: () => fake.failNextDeploy(),
      close: () => fake.close(),
    };
  },
  name: 'vercel',
  pitfalls: [
    /existing build of .*nothing is rebuilt/,
    /Environment variables are not updated: the rolled-back build keeps the environment variables it was built with/,
    /Cron jobs revert to that deployment's/,
    /new production deployments are not promoted until `\/rollback unlock`/,
    /Hobby plan only the immediately previous production deployment/,
    /Preview deployments are never rollback targets/,
  ],
  notes: [/Environment variables are not updated/, /Cron jobs revert/, /new production deployments are not promoted until `\/rollback unlock`/],
  idField: 'vercel.projectId',
  hold: /production is pinned to dpl_\w+ on Vercel: new production deployments are not promoted/,
  start: (options: StartOptions) => startVercel(options),
};
