/**
 * Crash safety on a hosted platform: a worker process is killed with SIGKILL after Render started
 * the rollback deploy but before the answer reached it (so before its checkpoint). A second worker
 * resumes the rollback step, finds the deploy the first one started, adopts it instead of calling
 * again, and finishes: one rollback call, one rollback deploy, one resumed step in the audit trail.
 */
import { RenderService } from '../../src/demo/render-service';
import { stepOf } from '../../src/domain/rollback-record';
import { RENDER_SERVICE, RENDER_TOKEN, seedRender } from '../contract/subjects/render';
import { ONCALL, platformCatalog, startHarness, type Harness } from '../support/harness';
import { uniquePrefix } from '../support/redis';
import { spawnRewind, workerEnv, type RewindProcess } from '../support/spawn-rewind';
import { waitFor } from '../support/wait-for';

jest.setTimeout(90_000);

describe('a worker killed between the platform call and its checkpoint', () => {
  let render: RenderService;
  let ingress: Harness;
  const workers: RewindProcess[] = [];

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await ingress?.close();
    render?.releaseAnswers();
    await render?.close();
  });

  it('is finished by another worker that adopts the deploy already started, without calling again', async () => {
    render = await RenderService.start({ token: RENDER_TOKEN, serviceId: RENDER_SERVICE });
    const seeded = seedRender(render);
    render.holdAnswers();
    const prefix = uniquePrefix('killcall');
    const catalog = platformCatalog(
      [
        `        provider: { type: render, token: "\${RENDER_API_KEY}", apiUrl: ${render.url}, render: { serviceId: ${RENDER_SERVICE} }, timeout: 30s }`,
        '        waitLive: { timeout: 20s, interval: 20ms }',
        '        verify:',
        `          - { type: version, url: ${render.url}/app/version, path: version }`,
      ].join('\n'),
    );
    const env = workerEnv(catalog, prefix, { RENDER_API_KEY: RENDER_TOKEN });
    ingress = await startHarness(catalog, { roles: { ingress: true, worker: false }, prefix, env: { RENDER_API_KEY: RENDER_TOKEN } });

    const first = await spawnRewind('worker', env);
    workers.push(first);
    const result = await ingress.rewind.service.request({ service: 'web', severity: 'critical', requester: ONCALL, origin: { platform: 'slack', interactionId: 'int-kill-call' } });
    if (result.kind !== 'created') throw new Error('expected created');
    const id = result.record.id;

    // Render has started the rollback deploy; its answer is held, so the worker has not checkpointed.
    await waitFor(() => render.rollbackCalls, (n) => n === 1, { what: 'the rollback call to reach Render' });
    expect(stepOf((await ingress.rewind.store.get(id))!, 'rollback').status).toBe('running');
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    const second = await spawnRewind('worker', env);
    workers.push(second);
    const done = await ingress.waitForState(id, ['succeeded', 'failed'], 30_000);
    expect(done.outcome?.message).toBeUndefined();
    expect(done.state).toBe('succeeded');

    // One call, one deploy, whoever asked; the live code is the stable release's.
    expect(render.rollbackCalls).toBe(1);
    expect(render.rollbacksApplied()).toBe(1);
    expect(render.live()!.commit.id.slice(0, 7)).toBe(seeded.stable.version);
    expect(stepOf(done, 'rollback').detail).toContain('started earlier is under way');

    const audit = await ingress.rewind.store.auditTrail(id);
    expect(audit.map((e) => e.seq)).toEqual(audit.map((_, i) => i + 1));
    const count = (type: string, step: string) => audit.filter((e) => e.type === type && e.data?.['step'] === step).length;
    expect([count('step.started', 'rollback'), count('step.resumed', 'rollback'), count('step.succeeded', 'rollback')]).toEqual([1, 1, 1]);

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
