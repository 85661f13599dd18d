/** GitHub's fake, seeded for the conformance suite and the end-to-end tests. */
import { GithubProviderConfig } from '../../../src/config/catalog-schema';
import { GithubProvider } from '../../../src/providers/github/github-provider';
import { GithubApiFake, type GithubFakeOptions } from '../../fakes/github-api';
import { FastClock, fastHttp } from '../../support/fast-clock';
import type { CatalogSite, PlatformFixture, ProviderSubject, SeededRelease, StartOptions } from '../provider-conformance';

export const GITHUB_TOKEN = 'ghp_conformanceToken0123456789abcdefABCD';
export const GITHUB_OWNER = 'acme';
export const GITHUB_REPO = 'web';
export const GITHUB_WORKFLOW = 'deploy.yml';

export function githubFakeOptions(options: Partial<GithubFakeOptions> = {}): GithubFakeOptions {
  return { token: GITHUB_TOKEN, owner: GITHUB_OWNER, repo: GITHUB_REPO, workflowFile: GITHUB_WORKFLOW, workflowId: 161335, ...options };
}

/**
 * 34 production deployments that succeeded (more than GitHub's default page of 30), staging
 * deployments in between (another environment, never listed), one that failed, the bad one live.
 */
export function seedGithub(fake: GithubApiFake, count = 34): PlatformFixture['seeded'] {
  const commit = (i: number) => `${i.toString(16).padStart(4, '0')}c0ffee${'0'.repeat(30)}`;
  for (let i = 1; i <= count; i++) {
    if (i % 10 === 0) fake.seed(`5a${i.toString(16).padStart(4, '0')}${'0'.repeat(34)}`, `staging try ${i}`, { environment: 'staging' });
    fake.seed(commit(i), `release ${i}`);
  }
  const failedId = fake.seed('badbuild0000000000000000000000000000beef', 'does not build', { state: 'failure' });
  fake.seed(commit(count + 1), 'the bad release');
  const all: SeededRelease[] = fake.deployments
    .filter((d) => d.environment === 'production')
    .sort((a, b) => b.id - a.id)
    .map((d) => ({ id: String(d.id), version: d.sha.slice(0, 7), commit: d.sha }));
  const neverLive = all.find((r) => r.id === String(failedId))!;
  return { live: all[0]!, stable: all.find((r) => r.id !== neverLive.id && r.id !== all[0]!.id)!, all, neverLive };
}

export interface GithubStartOptions extends StartOptions {
  fake?: Partial<GithubFakeOptions>;
  seedCount?: number;
  github?: Record<string, unknown>;
}

export interface GithubFixture extends PlatformFixture {
  fake: GithubApiFake;
  provider: GithubProvider;
}

export async function startGithub(options: GithubStartOptions): Promise<GithubFixture> {
  const fake = await GithubApiFake.start(githubFakeOptions(options.fake));
  const seeded = seedGithub(fake, options.seedCount);
  const clock = new FastClock();
  const config = GithubProviderConfig.parse({
    type: 'github',
    token: options.badToken ? 'ghp_wrong' : GITHUB_TOKEN,
    apiUrl: fake.url,
    github: { owner: GITHUB_OWNER, repo: options.unknownId ? 'no-such-repo' : GITHUB_REPO, workflow: GITHUB_WORKFLOW, ...options.github },
    timeout: `${options.timeoutMs}ms`,
    retries: 2,
    confirmWithin: `${options.confirmWithinMs}ms`,
  });
  const http = fastHttp(clock);
  const provider = new GithubProvider(config, { http, clock }, { service: 'web', environment: 'production', tokenVariable: options.tokenVariable, holdAfterRollback: true });
  return {
    fake,
    provider,
    clock,
    seeded,
    rollbackCalls: () => fake.dispatchCalls,
    rollbacksApplied: () => fake.runsStarted,
    liveVersion: () => fake.liveVersion(),
    fault: (fault) => fake.failDispatches(fault),
    failNextDeploy: () => fake.failNextDeploy(),
    breakNextRead: () => fake.breakNextRead(),
    lastAuthorization: () => fake.requests.filter((r) => r.path.startsWith('/repos/')).at(-1)?.authorization,
    expectedAuthorization: `Bearer ${GITHUB_TOKEN}`,
    close: () => fake.close(),
  };
}

export const githubSubject: ProviderSubject = {
  name: 'github',
  pitfalls: [
    /runs the workflow deploy\.yml as it is now on main \(today's workflow, not the one from when/,
    /The branch main still holds the bad commits: the next push or deploy from it redeploys them/,
    /"Last good" is the newest deployment to production that ever had a success status/,
  ],
  notes: [/a new deployment of \w+ by the team's own workflow deploy\.yml/, /still holds the bad commits/],
  idField: 'github.repo',
  start: (options: StartOptions) => startGithub(options),

  async startSite(): Promise<CatalogSite> {
    const fake = await GithubApiFake.start(githubFakeOptions());
    const seeded = seedGithub(fake);
    return {
      environmentYaml: [
        `        provider: { type: github, token: "\${GITHUB_DEPLOY_TOKEN}", apiUrl: ${fake.url}, github: { owner: ${GITHUB_OWNER}, repo: ${GITHUB_REPO}, workflow: ${GITHUB_WORKFLOW} }, timeout: 2s }`,
        '        waitLive: { timeout: 20s, interval: 20ms }',
        '        verify:',
        `          - { type: version, url: ${fake.url}/app/version, path: version }`,
      ].join('\n'),
      env: { GITHUB_DEPLOY_TOKEN: GITHUB_TOKEN },
      seeded,
      rollbacksApplied: () => fake.runsStarted,
      liveVersion: () => fake.liveVersion(),
      failNextDeploy: () => fake.failNextDeploy(),
      close: () => fake.close(),
    };
  },
};
