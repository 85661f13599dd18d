/** Fly.io's fake, seeded for the conformance suite and the end-to-end tests. */
import { FlyProviderConfig } from '../../../src/config/catalog-schema';
import { FlyProvider } from '../../../src/providers/fly/fly-provider';
import { FlyApiFake, type FakeFlyRelease, type GraphqlErrorStyle } from '../../fakes/fly-api';
import { FastClock, fastHttp } from '../../support/fast-clock';
import type { CatalogSite, PlatformFixture, ProviderSubject, SeededRelease, StartOptions } from '../provider-conformance';

/** A macaroon, as `fly tokens create deploy` prints it (without its `FlyV1 ` prefix): it must go as `FlyV1 <token>`. */
export const FLY_TOKEN = 'fm2_lJPECAAAAAAAAconformanceBBBBBBBBBBBBBBBBBB0123456789';
export const FLY_APP = 'checkout-api';

export function flyImage(i: number): string {
  return `registry.fly.io/${FLY_APP}:deployment-01J5Z${String(i).padStart(3, '0')}K8QX4V2M7N9P3R6T`;
}

/**
 * 30 releases (more than a page of 25): deploys, a secrets change that kept the image (v28, the
 * last stable), a deploy that failed (v29), the bad deploy live (v30). Three Fly Launch machines
 * (two `app`, one `worker`) run it; a machine started with `fly machine run` runs something else.
 */
export function seedFly(fake: FlyApiFake): PlatformFixture['seeded'] {
  for (let i = 1; i <= 27; i++) fake.release(flyImage(i));
  const stable = fake.release(flyImage(27), { description: 'Update secrets', reason: 'secrets' });
  const neverLive = fake.release(flyImage(29), { status: 'failed' });
  const live = fake.release(flyImage(30));
  fake.machine({ region: 'ord' });
  fake.machine({ region: 'ams' });
  fake.machine({ region: 'ord', group: 'worker' });
  fake.machine({ region: 'ord', flyLaunch: false, image: 'redis:7.2' });
  fake.runEverywhere(live);
  const seeded = (r: FakeFlyRelease): SeededRelease => ({ id: r.id, version: `v${r.version}` });
  return { live: seeded(live), stable: seeded(stable), all: fake.releases.map(seeded), neverLive: seeded(neverLive) };
}

export interface FlyStartOptions extends StartOptions {
  processGroups?: string[];
  graphqlErrors?: GraphqlErrorStyle;
  /** The token as the catalog holds it, instead of the seeded macaroon. */
  token?: string;
}

/** The provider against a seeded fake, and the fake itself for Fly's own tests. */
export async function startFly(options: FlyStartOptions): Promise<PlatformFixture & { fake: FlyApiFake; provider: FlyProvider }> {
  const clock = new FastClock();
  const token = options.token ?? FLY_TOKEN;
  const fake = await FlyApiFake.start({ token, app: FLY_APP, now: () => clock.now(), ...(options.graphqlErrors ? { graphqlErrors: options.graphqlErrors } : {}) });
  const seeded = seedFly(fake);
  const config = FlyProviderConfig.parse({
    type: 'fly',
    token: options.badToken ? 'fm2_wrong' : token,
    apiUrl: fake.url,
    graphqlUrl: fake.graphqlUrl,
    fly: { app: options.unknownId ? 'no-such-app' : FLY_APP, ...(options.processGroups ? { processGroups: options.processGroups } : {}) },
    timeout: `${options.timeoutMs}ms`,
    retries: 2,
    confirmWithin: `${options.confirmWithinMs}ms`,
  });
  const http = fastHttp(clock);
  const provider = new FlyProvider(config, { http, clock }, { service: 'web', environment: 'production', tokenVariable: options.tokenVariable, holdAfterRollback: true });
  return {
    fake,
    provider,
    clock,
    seeded,
    rollbackCalls: () => fake.maxUpdateCalls(),
    rollbacksApplied: () => fake.maxImageChanges(),
    liveVersion: () => fake.liveVersion() ?? 'none',
    fault: (fault) => fake.failUpdates(fault),
    failNextDeploy: () => fake.failNextDeploy('failed'),
    breakNextRead: () => fake.breakNextRead(),
    lastAuthorization: () => fake.requests.filter((r) => r.path.startsWith('/v1/')).at(-1)?.authorization,
    expectedAuthorization: `FlyV1 ${token}`,
    close: () => fake.close(),
  };
}

export const flySubject: ProviderSubject = {
  name: 'fly',
  async startSite(): Promise<CatalogSite> {
    const fake = await FlyApiFake.start({ token: FLY_TOKEN, app: FLY_APP });
    const seeded = seedFly(fake);
    return {
      environmentYaml: [
        `        provider: { type: fly, token: "\${FLY_API_TOKEN}", apiUrl: ${fake.url}, graphqlUrl: ${fake.graphqlUrl}, fly: { app: ${FLY_APP} }, timeout: 2s }`,
        '        waitLive: { timeout: 20s, interval: 20ms }',
        '        verify:',
        `          - { type: version, url: ${fake.url}/app/version, path: version }`,
      ].join('\n'),
      env: { FLY_API_TOKEN: FLY_TOKEN },
      seeded,
      rollbacksApplied: () => fake.maxImageChanges(),
      liveVersion: () => fake.liveVersion() ?? 'none',
      failNextDeploy: () => fake.failNextDeploy('failed'),
      close: () => fake.close(),
    };
  },
  pitfalls: [
    /Fly\.io has no rollback command: Rewind redeploys the image of v\d+/,
    /Fly keeps the current fly\.toml, env vars and secrets/,
    /does not run the release_command .*migrations are neither undone nor re-run/,
    /create no Fly release: `fly releases` will not list this rollback, and the next `fly deploy` rebuilds machine configs from fly\.toml/,
    /Autoscaled extra machines are left as they are/,
    /pruned from registry\.fly\.io/,
  ],
  notes: [/Fly keeps the current fly\.toml, env vars and secrets/, /does not run the release_command/, /create no Fly release/],
  idField: 'fly.app',
  start: (options) => startFly(options),
};
