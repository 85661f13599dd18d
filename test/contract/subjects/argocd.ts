/** Argo CD's fake, seeded for the conformance suite and the end-to-end tests. */
import { ArgoCdProviderConfig } from '../../../src/config/catalog-schema';
import { ArgoCdProvider } from '../../../src/providers/argocd/argocd-provider';
import { ArgoCdApiFake } from '../../fakes/argocd-api';
import { FastClock, fastHttp } from '../../support/fast-clock';
import type { CatalogSite, PlatformFixture, ProviderSubject, SeededRelease, StartOptions } from '../provider-conformance';

export const ARGOCD_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.conformance-token.0123456789';
export const ARGOCD_APP = 'guestbook';
export const ARGOCD_PROJECT = 'web';

/**
 * 12 syncs, of which Argo CD keeps the last 10 (revisionHistoryLimit), the bad one live; then a sync
 * from Git that failed: it never entered history, so it is never a target.
 */
export function seedArgoCd(fake: ArgoCdApiFake): PlatformFixture['seeded'] {
  const commit = (i: number) => `${i.toString(16).padStart(4, '0')}c0ffee${'0'.repeat(30)}`;
  const at = (i: number) => Date.now() - 2 * 86_400_000 + i * 60_000;
  for (let i = 1; i <= 12; i++) fake.synced(commit(i), at(i), i % 3 === 0 ? { username: 'alice' } : { automated: true });
  const failed = `bad0bad0${'0'.repeat(32)}`;
  fake.syncFailed(failed, at(13));
  const all: SeededRelease[] = [...fake.app.status.history].reverse().map((h) => ({ id: String(h.id), version: h.revision.slice(0, 7), commit: h.revision }));
  return { live: all[0]!, stable: all[1]!, all, neverLive: { id: failed.slice(0, 7), version: failed.slice(0, 7), commit: failed } };
}

export interface ArgoCdStartOptions extends StartOptions {
  /** Leave `project` out of the catalog: Argo CD then hides an unknown app behind a 403. */
  noProject?: boolean;
}

export interface ArgoCdFixture extends PlatformFixture {
  fake: ArgoCdApiFake;
  provider: ArgoCdProvider;
}

export async function startArgoCd(options: ArgoCdStartOptions): Promise<ArgoCdFixture> {
  const fake = await ArgoCdApiFake.start({ token: ARGOCD_TOKEN, app: ARGOCD_APP, project: ARGOCD_PROJECT });
  const seeded = seedArgoCd(fake);
  const clock = new FastClock();
  const config = ArgoCdProviderConfig.parse({
    type: 'argocd',
    token: options.badToken ? 'eyJ.wrong.token' : ARGOCD_TOKEN,
    apiUrl: fake.url,
    argocd: { app: options.unknownId ? 'no-such-app' : ARGOCD_APP, ...(options.noProject ? {} : { project: ARGOCD_PROJECT }) },
    timeout: `${options.timeoutMs}ms`,
    retries: 2,
    confirmWithin: `${options.confirmWithinMs}ms`,
  });
  const http = fastHttp(clock);
  const provider = new ArgoCdProvider(config, { http, clock }, { service: 'web', environment: 'production', tokenVariable: options.tokenVariable, holdAfterRollback: true });
  return {
    fake,
    provider,
    clock,
    seeded,
    rollbackCalls: () => fake.rollbackCalls,
    rollbacksApplied: () => fake.rollbacksApplied,
    liveVersion: () => fake.liveVersion(),
    fault: (fault) => fake.failRollbacks(fault),
    failNextDeploy: () => fake.failNextDeploy('failed'),
    breakNextRead: () => fake.breakNextRead(),
    lastAuthorization: () => fake.requests.filter((r) => r.path.startsWith('/api/v1/applications')).at(-1)?.authorization,
    expectedAuthorization: `Bearer ${ARGOCD_TOKEN}`,
    held: () => !fake.autoSyncOn(),
    close: () => fake.close(),
  };
}

export const argocdSubject: ProviderSubject = {
  name: 'argocd',
  pitfalls: [
    /Apply strategy, which skips PreSync, Sync and PostSync hooks: migration Jobs/,
    /secrets managed outside the app, databases and cluster state outside the app are untouched/,
    /shows OutOfSync afterwards/,
    /Auto-sync is off for guestbook/,
  ],
  notes: [/skips PreSync, Sync and PostSync hooks/, /secrets managed outside the app/, /OutOfSync afterwards/],
  idField: 'argocd.app',
  // No `hold`: the conformance app runs with auto-sync off, so nothing is held (see argocd.test.ts).
  start: (options: StartOptions) => startArgoCd(options),

  async startSite(): Promise<CatalogSite> {
    const fake = await ArgoCdApiFake.start({ token: ARGOCD_TOKEN, app: ARGOCD_APP, project: ARGOCD_PROJECT });
    const seeded = seedArgoCd(fake);
    return {
      environmentYaml: [
        `        provider: { type: argocd, token: "\${ARGOCD_TOKEN}", apiUrl: ${fake.url}, argocd: { app: ${ARGOCD_APP}, project: ${ARGOCD_PROJECT} }, timeout: 2s }`,
        '        waitLive: { timeout: 20s, interval: 20ms }',
        '        verify:',
        `          - { type: version, url: ${fake.url}/app/version, path: version }`,
      ].join('\n'),
      env: { ARGOCD_TOKEN },
      seeded,
      rollbacksApplied: () => fake.rollbacksApplied,
      liveVersion: () => fake.liveVersion(),
      held: () => !fake.autoSyncOn(),
      failNextDeploy: () => fake.failNextDeploy('failed'),
      close: () => fake.close(),
    };
  },
};
