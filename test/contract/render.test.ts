/** Render against its fake: the provider conformance suite, then what only Render does (auto-deploy). */
import { RenderProviderConfig } from '../../src/config/catalog-schema';
import { RenderService } from '../../src/demo/render-service';
import type { Release } from '../../src/domain/release';
import { RenderProvider } from '../../src/providers/render/render-provider';
import { FastClock, fastHttp } from '../support/fast-clock';
import { providerConformance } from './provider-conformance';
import { RENDER_SERVICE, RENDER_TOKEN, renderSubject, seedRender } from './subjects/render';

providerConformance(renderSubject);

describe('render provider: auto-deploy', () => {
  let fake: RenderService;
  beforeEach(async () => {
    fake = await RenderService.start({ token: RENDER_TOKEN, serviceId: RENDER_SERVICE });
    seedRender(fake);
  });
  afterEach(() => fake.close());

  function provider(extra: Record<string, unknown> = {}): RenderProvider {
    const clock = new FastClock();
    const config = RenderProviderConfig.parse({ type: 'render', token: RENDER_TOKEN, apiUrl: fake.url, render: { serviceId: RENDER_SERVICE }, ...extra });
    return new RenderProvider(config, { http: fastHttp(clock), clock }, { service: 'web', environment: 'production', holdAfterRollback: true });
  }
  const rollBack = async (render: RenderProvider, captured?: Record<string, unknown>) =>
    render.rollbackTo((await render.lastStable()) as Release, { idempotencyKey: 'rb_auto', startedAt: Date.now(), captured: captured ?? (await render.captureState()) });

  it('turns the newer autoDeployTrigger off, not autoDeploy, and unlock restores its value', async () => {
    fake.service.autoDeployTrigger = 'checksPass';
    const render = provider();
    const receipt = await rollBack(render);
    expect(fake.service).toMatchObject({ autoDeployTrigger: 'off', autoDeploy: 'yes' });
    expect(receipt.hold?.data).toEqual({ field: 'autoDeployTrigger', previous: 'checksPass' });
    expect(await render.releaseHold(receipt.hold!)).toBe(`turned auto-deploy back on for Render service ${RENDER_SERVICE} (autoDeployTrigger: checksPass)`);
    expect(fake.service.autoDeployTrigger).toBe('checksPass');
  });

  it('restores what was captured before anything changed, even when a resumed attempt finds auto-deploy already off', async () => {
    const render = provider();
    const captured = await render.captureState();
    fake.service.autoDeploy = 'no'; // the first attempt turned it off, then its worker died
    const receipt = await rollBack(render, captured);
    expect(receipt.hold?.data).toEqual({ field: 'autoDeploy', previous: 'yes' });
  });

  it('with pauseAutoDeploy: false leaves auto-deploy on and says the next push redeploys', async () => {
    const render = provider({ pauseAutoDeploy: false });
    const preview = await render.describeChange(await render.currentRelease(), (await render.lastStable())!);
    expect(preview.notes.join('\n')).toContain('Warning: auto-deploy is on for main and stays on (pauseAutoDeploy: false)');
    const receipt = await rollBack(render);
    expect(receipt.hold).toBeUndefined();
    expect(fake.service.autoDeploy).toBe('yes');
    expect(receipt.notes).toContain('Auto-deploy is still on for main: the next push redeploys the bad commit (pauseAutoDeploy is off).');
  });
});
