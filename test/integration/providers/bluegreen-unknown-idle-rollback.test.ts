/**
 * A blue/green service in seed 004's shape whose history has no entry for the idle side (its first
 * blue/green deploy): Rewind refuses to guess, says what is missing and what to type, and switches
 * only when a person names the environment; then it learns the release from the status and
 * verifies against it.
 */
import { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { TargetUnavailableError } from '../../../src/domain/errors';
import { renderPlainText } from '../../../src/messages/plain-text';
import { bluegreenCatalog, ONCALL, startHarness, type Harness } from '../../support/harness';
import { waitFor } from '../../support/wait-for';

describe('rolling back to an idle side whose release is unknown', () => {
  let target: BlueGreenService;
  let h: Harness;

  beforeEach(async () => {
    target = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green', statusShape: 'seed', idleInHistory: false });
    h = await startHarness(
      bluegreenCatalog(target.url, `        verify:\n          - { type: version, url: ${target.url}/deployment/status, path: currentVersion }`),
    );
  });
  afterEach(async () => {
    await h.close();
    await target.close();
  });

  const request = (extra: { targetRelease?: string; dryRun?: boolean } = {}) =>
    h.rewind.service.request({ service: 'checkout-api', severity: 'critical', reason: 'bad deploy', requester: ONCALL, origin: { platform: 'slack', channelId: 'C0INCIDENT' }, ...extra });

  it('refuses without --to, naming what is missing, records the refusal and changes nothing', async () => {
    const error = await request().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetUnavailableError);
    expect((error as TargetUnavailableError).userMessage).toBe(
      'The release on blue, the idle environment, is unknown: the status has no deploymentHistory entry for blue. Rewind never switches traffic to an ' +
        'environment whose release it cannot tell. If you know blue runs a good release, name it: --to blue.',
    );
    expect(await h.rewind.store.list({ limit: 5 })).toEqual([]);
    const refused = (await h.rewind.store.recentAudit(10)).find((e) => e.type === 'request.refused');
    expect(refused?.reason).toContain('The release on blue, the idle environment, is unknown');
    expect(target.rollbackRequests).toBe(0);
  });

  it('says so in the preview when a person names the environment', async () => {
    const dry = await request({ targetRelease: 'blue', dryRun: true });
    if (dry.kind !== 'dry_run') throw new Error('expected a dry run');
    const text = renderPlainText(dry.message);
    expect(text).toContain('2.4.1 → blue (release unknown) — nothing was changed');
    expect(text).toContain('Warning: the release on blue is unknown (the status has no deploymentHistory entry for blue). It was named explicitly');
    expect(target.rollbackRequests).toBe(0);
  });

  it('switches once when named, learns the release blue runs, and verifies against it', async () => {
    const created = await request({ targetRelease: 'blue' });
    if (created.kind !== 'created') throw new Error('expected created');
    expect(created.record.to).toMatchObject({ slot: 'blue', versionUnknown: true });

    const done = await h.waitForState(created.record.id, ['succeeded', 'failed']);
    expect(done.state).toBe('succeeded');
    expect(target.switches).toBe(1);
    expect(done.to).toMatchObject({ version: '2.4.0', slot: 'blue' });
    expect(done.to?.versionUnknown).toBeUndefined();
    expect(done.steps.find((s) => s.name === 'wait_live')?.detail).toContain('blue turns out to run `2.4.0`');
    expect(done.verification?.results).toEqual([expect.objectContaining({ type: 'version', status: 'pass', threshold: '2.4.0' })]);

    const summary = await waitFor(() => h.sink.forRollback(done.id).find((e) => e.message.kind === 'summary'), (e) => e !== undefined, { what: 'the summary' });
    expect(renderPlainText(summary!.message)).toContain('is on 2.4.0');
  });
});
