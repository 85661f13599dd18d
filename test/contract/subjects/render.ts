/** Render's fake (the demo's Render-style service), seeded for the conformance suite and the end-to-end tests. */
import { RenderProviderConfig } from '../../../src/config/catalog-schema';
import { RenderService } from '../../../src/demo/render-service';
import { RenderProvider } from '../../../src/providers/render/render-provider';
import { FastClock, fastHttp } from '../../support/fast-clock';
import type { CatalogSite, PlatformFixture, ProviderSubject, SeededRelease, StartOptions } from '../provider-conformance';

export const RENDER_TOKEN = 'rnd_conformance-token-0123456789';
export const RENDER_SERVICE = 'srv-d2abc3lm0';

/** 25 deploys that went live (more than Render's default page of 20), one build that failed, the bad one live. */
export function seedRender(fake: RenderService): PlatformFixture['seeded'] {
  const commit = (i: number) => `${i.toString(16).padStart(4, '0')}c0ffee${'0'.repeat(30)}`;
  const day = (i: number) => new Date(Date.now() - 2 * 86_400_000 + i * 60_000);
  for (let i = 1; i <= 24; i++) fake.deploy(commit(i), `release ${i}`, { at: day(i) });
  const failedId = fake.deploy('badbuild0000000000000000000000000000beef', 'does not build', { status: 'build_failed', at: day(25) });
  fake.deploy(commit(25), 'the bad release', { at: day(26) });
  const all: SeededRelease[] = fake.deploys.map((d) => ({ id: d.id, version: d.commit.id.slice(0, 7), commit: d.commit.id }));
  const neverLive = all.find((r) => r.id === failedId)!;
  return { live: all[0]!, stable: all.find((r) => r.id !== neverLive.id && r.id !== all[0]!.id)!, all, neverLive };
}

async function seededService(): Promise<{ fake: RenderService; seeded: PlatformFixture['seeded'] }> {
  const fake = await RenderService.start({ token: RENDER_TOKEN, serviceId: RENDER_SERVICE });
  return { fake, seeded: seedRender(fake) };
}

export const renderSubject: ProviderSubject = {
  name: 'render',
  pitfalls: [/new deploy from the build artifact/, /environment variables, secret files and service settings stay as they are now/, /auto-deploy is on for main, and an API rollback leaves it on/i],
  notes: [/rolled back the code only/],
  idField: 'render.serviceId',
  hold: /auto-deploy is off on Render/,

  async start(options: StartOptions): Promise<PlatformFixture> {
    const { fake, seeded } = await seededService();
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
    const http = fastHttp(clock);
    const provider = new RenderProvider(config, { http, clock }, { service: 'web', environment: 'production', tokenVariable: options.tokenVariable, holdAfterRollback: true });
    return {
      provider,
      clock,
      seeded,
      rollbackCalls: () => fake.rollbackCalls,
      rollbacksApplied: () => fake.rollbacksApplied(),
      liveVersion: () => fake.live()!.commit.id.slice(0, 7),
      fault: (fault) => fake.failRollbacks(fault),
      failNextDeploy: () => fake.failNextDeploy('update_failed'),
      breakNextRead: () => fake.breakNextRead(),
      lastAuthorization: () => fake.requests.filter((r) => r.path.startsWith('/v1/')).at(-1)?.authorization,
      expectedAuthorization: `Bearer ${RENDER_TOKEN}`,
      held: () => fake.service.autoDeploy === 'no',
      close: () => fake.close(),
    };
  },

  async startSite(): Promise<CatalogSite> {
    const { fake, seeded } = await seededService();
    return {
      environmentYaml: [
        `        provider: { type: render, token: "\${RENDER_API_KEY}", apiUrl: ${fake.url}, render: { serviceId: ${RENDER_SERVICE} }, timeout: 2s }`,
        '        waitLive: { timeout: 20s, interval: 20ms }',
        '        verify:',
        `          - { type: version, url: ${fake.url}/app/version, path: version }`,
      ].join('\n'),
      env: { RENDER_API_KEY: RENDER_TOKEN },
      seeded,
      rollbacksApplied: () => fake.rollbacksApplied(),
      liveVersion: () => fake.live()!.commit.id.slice(0, 7),
      held: () => fake.service.autoDeploy === 'no',
      failNextDeploy: () => fake.failNextDeploy('update_failed'),
      close: () => fake.close(),
    };
  },
};
