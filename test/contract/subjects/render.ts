/** Render's fake, seeded for the conformance suite and the end-to-end tests. */
import { RenderProviderConfig } from '../../../src/config/catalog-schema';
import { silentLogger } from '../../../src/observability/logger';
import { HttpClient } from '../../../src/outbound/http-client';
import { RenderProvider } from '../../../src/providers/render/render-provider';
import { RenderApiFake } from '../../fakes/render-api';
import { FastClock } from '../../support/fast-clock';
import type { CatalogSite, PlatformFixture, ProviderSubject, SeededRelease, StartOptions } from '../provider-conformance';

export const RENDER_TOKEN = 'rnd_conformance-token-0123456789';
export const RENDER_SERVICE = 'srv-d2abc3lm0';

/** 25 deploys that went live (more than Render's default page of 20), one build that failed, the bad one live. */
export function seedRender(fake: RenderApiFake): { all: SeededRelease[]; neverLive: SeededRelease } {
  const commit = (i: number) => `${i.toString(16).padStart(4, '0')}c0ffee${'0'.repeat(30)}`;
  for (let i = 1; i <= 24; i++) fake.deploy(commit(i), `release ${i}`);
  const failedId = fake.deploy('badbuild0000000000000000000000000000beef', 'does not build', { status: 'build_failed' });
  fake.deploy(commit(25), 'the bad release');
  const all = fake.deploys.map((d) => ({ id: d.id, version: d.commit.id.slice(0, 7), commit: d.commit.id }));
  return { all, neverLive: all.find((r) => r.id === failedId)! };
}

function seededOf(all: SeededRelease[], neverLive: SeededRelease): PlatformFixture['seeded'] {
  return { live: all[0]!, stable: all.find((r) => r.id !== neverLive.id && r.id !== all[0]!.id)!, all, neverLive };
}

export const renderSubject: ProviderSubject = {
  async startSite(): Promise<CatalogSite> {
    const fake = await RenderApiFake.start({ token: RENDER_TOKEN, serviceId: RENDER_SERVICE });
    const { all, neverLive } = seedRender(fake);
    return {
      environmentYaml: [
        `        provider: { type: render, token: "\${RENDER_API_KEY}", apiUrl: ${fake.url}, render: { serviceId: ${RENDER_SERVICE} }, timeout: 2s }`,
        '        waitLive: { timeout: 20s, interval: 20ms }',
        '        verify:',
        `          - { type: version, url: ${fake.url}/app/version, path: version }`,
      ].join('\n'),
      env: { RENDER_API_KEY: RENDER_TOKEN },
      seeded: seededOf(all, neverLive),
      rollbacksApplied: () => fake.deploys.filter((d) => d.trigger === 'rollback').length,
      liveVersion: () => fake.live()!.commit.id.slice(0, 7),
      held: () => fake.service.autoDeploy === 'no',
      failNextDeploy: () => fake.failNextDeploy('update_failed'),
      close: () => fake.close(),
    };
  },
  name: 'render',
  pitfalls: [/new deploy from the build artifact/, /environment variables, secret files and service settings stay as they are now/, /auto-deploy is on for main, and an API rollback leaves it on/i],
  notes: [/rolled back the code only/],
  idField: 'render.serviceId',
  hold: /auto-deploy is off on Render/,
  async start(options: StartOptions): Promise<PlatformFixture> {
    const fake = await RenderApiFake.start({ token: RENDER_TOKEN, serviceId: RENDER_SERVICE });
    const { all, neverLive } = seedRender(fake);
    const clock = new FastClock();
    const config = RenderProviderConfig.parse({
      type: 'render',
      token: options.badToken ? 'rnd_wrong' : RENDER_TOKEN,
      apiUrl: fake.url,
      render: { serviceId: options.unknownId ? 'srv-unknown0' : RENDER_SERVICE },
      timeout: `${options.timeoutMs}ms`,
      retries: 2,
      confirmWithin: `${options.confirmWithinMs}ms`,
    });
    const http = new HttpClient({ logger: silentLogger(), clock, backoffBaseMs: 5, backoffCapMs: 20 });
    const provider = new RenderProvider(config, { http, clock }, { service: 'web', environment: 'production', tokenVariable: options.tokenVariable, holdAfterRollback: true });
    const rollbackDeploys = () => fake.deploys.filter((d) => d.trigger === 'rollback');
    return {
      provider,
      clock,
      seeded: seededOf(all, neverLive),
      rollbackCalls: () => fake.rollbackCalls,
      rollbacksApplied: () => rollbackDeploys().length,
      liveVersion: () => fake.live()!.commit.id.slice(0, 7),
      fault: (fault) => fake.failRollbacks('noAnswer' in fault ? fault : { status: fault.status, ...('effect' in fault ? { effect: fault.effect } : {}), ...('retryAfterSeconds' in fault ? { retryAfterSeconds: fault.retryAfterSeconds } : {}) }),
      failNextDeploy: () => fake.failNextDeploy('update_failed'),
      breakNextRead: () => fake.breakNextRead(),
      lastAuthorization: () => fake.requests.filter((r) => r.path.startsWith('/v1/')).at(-1)?.authorization,
      expectedAuthorization: `Bearer ${RENDER_TOKEN}`,
      held: () => fake.service.autoDeploy === 'no',
      failNextDeploy: () => fake.failNextDeploy('update_failed'),
      close: () => fake.close(),
    };
  },
};
