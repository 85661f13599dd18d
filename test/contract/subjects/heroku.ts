/** Heroku's fake, seeded for the conformance suite and the end-to-end tests. */
import { HerokuProviderConfig } from '../../../src/config/catalog-schema';
import { HerokuProvider } from '../../../src/providers/heroku/heroku-provider';
import { HerokuApiFake, type FakeHerokuRelease } from '../../fakes/heroku-api';
import { FastClock, fastHttp } from '../../support/fast-clock';
import type { CatalogSite, PlatformFixture, ProviderSubject, SeededRelease, StartOptions } from '../provider-conformance';

export const HEROKU_TOKEN = 'HRKU-conformance-0123456789abcdef';
export const HEROKU_APP = 'rewind-web-prod';

/** Releases the provider reads per page: the seed needs two of them for its whole history. */
const SEEDED = 120;

export function herokuSha(i: number): string {
  return `${i.toString(16).padStart(3, '0')}c0de`;
}

/**
 * 120 releases (more than the 100 a page the provider asks for): deploys, an add-on attached early,
 * a config change every ten releases, a rollback by hand, then the stable deploy, a deploy whose
 * release phase failed, and the bad deploy live.
 */
export function seedHeroku(fake: HerokuApiFake): PlatformFixture['seeded'] {
  fake.deploy(herokuSha(1));
  fake.attachAddon('heroku-postgresql:essential-0', 'DATABASE');
  for (let v = 3; v <= SEEDED - 3; v++) {
    if (v === 60) fake.rolledBackTo(57);
    else if (v % 10 === 5) fake.setConfig(`FEATURE_${v}`);
    else fake.deploy(herokuSha(v));
  }
  const stable = fake.deploy(herokuSha(SEEDED - 2));
  const neverLive = fake.deploy('0badbad', { status: 'failed' });
  const live = fake.deploy(herokuSha(SEEDED));
  const seeded = (r: FakeHerokuRelease): SeededRelease => {
    const commit = /^Deploy ([0-9a-f]+)$/.exec(r.description)?.[1];
    return { id: r.id, version: `v${r.version}`, ...(commit ? { commit } : {}) };
  };
  const all = [...fake.releases].reverse().map(seeded);
  return { live: seeded(live), stable: seeded(stable), all, neverLive: seeded(neverLive) };
}

/** The provider against a seeded fake, and the fake itself for Heroku's own tests. */
export async function startHeroku(options: StartOptions): Promise<PlatformFixture & { fake: HerokuApiFake }> {
  const fake = await HerokuApiFake.start({ token: HEROKU_TOKEN, app: HEROKU_APP });
  const seeded = seedHeroku(fake);
  const clock = new FastClock();
  const config = HerokuProviderConfig.parse({
    type: 'heroku',
    token: options.badToken ? 'HRKU-wrong' : HEROKU_TOKEN,
    apiUrl: fake.url,
    heroku: { app: options.unknownId ? 'no-such-app' : HEROKU_APP },
    timeout: `${options.timeoutMs}ms`,
    retries: 2,
    confirmWithin: `${options.confirmWithinMs}ms`,
  });
  const http = fastHttp(clock);
  const provider = new HerokuProvider(config, { http, clock }, { service: 'web', environment: 'production', tokenVariable: options.tokenVariable, holdAfterRollback: true });
  return {
    fake,
    provider,
    clock,
    seeded,
    rollbackCalls: () => fake.rollbackCalls,
    rollbacksApplied: () => fake.rollbacksApplied,
    liveVersion: () => fake.liveVersion(),
    fault: (fault) => fake.failRollbacks('noAnswer' in fault ? fault : { status: fault.status, ...('effect' in fault ? { effect: fault.effect } : {}), ...('retryAfterSeconds' in fault ? { retryAfterSeconds: fault.retryAfterSeconds } : {}) }),
    failNextDeploy: () => fake.failNextRelease(),
    breakNextRead: () => fake.breakNextRead(),
    lastAuthorization: () => fake.requests.filter((r) => r.path.startsWith('/apps/')).at(-1)?.authorization,
    expectedAuthorization: `Bearer ${HEROKU_TOKEN}`,
    close: () => fake.close(),
  };
}

export const herokuSubject: ProviderSubject = {
  async startSite(): Promise<CatalogSite> {
    const fake = await HerokuApiFake.start({ token: HEROKU_TOKEN, app: HEROKU_APP });
    const seeded = seedHeroku(fake);
    return {
      environmentYaml: [
        `        provider: { type: heroku, token: "\${HEROKU_API_KEY}", apiUrl: ${fake.url}, heroku: { app: ${HEROKU_APP} }, timeout: 2s }`,
        '        waitLive: { timeout: 20s, interval: 20ms }',
        '        verify:',
        `          - { type: version, url: ${fake.url}/app/version, path: version }`,
      ].join('\n'),
      env: { HEROKU_API_KEY: HEROKU_TOKEN },
      seeded,
      rollbacksApplied: () => fake.rollbacksApplied,
      liveVersion: () => fake.liveVersion(),
      failNextDeploy: () => fake.failNextRelease(),
      close: () => fake.close(),
    };
  },
  name: 'heroku',
  pitfalls: [
    /creates a new release that copies v\d+: its slug \(the code\) and its config vars/,
    /restores the config vars of v\d+ too, .*secrets rotated since come back, and so does an old DATABASE_URL/,
    /release phase of v\d+ runs again/,
    /Add-ons are not changed by a rollback/,
    /Heroku refuses a rollback across add-on changes/,
    /automatic deploys .* the next push .* redeploys/,
  ],
  notes: [/restored the config vars of v\d+ along with its code/, /release phase of v\d+ ran again/],
  idField: 'heroku.app',
  start: startHeroku,
};
