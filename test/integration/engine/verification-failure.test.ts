/**
 * When verification fails after the switch, the rollback ends in `failed` and the failure summary
 * carries the evidence (measured values against thresholds) and what to do next.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { startTarget } from '../../support/bluegreen-target';
import { renderPlainText } from '../../../src/messages/plain-text';
import { bluegreenCatalog, ONCALL, startHarness, type Harness } from '../../support/harness';
import { waitFor } from '../../support/wait-for';

async function jsonServer(body: unknown): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('verification failure', () => {
  let target: BlueGreenService;
  let h: Harness;

  afterEach(async () => {
    await h.close();
    await target.close();
  });

  async function rollBack() {
    const result = await h.rewind.service.request({ service: 'checkout-api', severity: 'critical', requester: ONCALL, origin: { platform: 'slack' } });
    if (result.kind !== 'created') throw new Error('expected created');
    return h.waitForState(result.record.id, ['succeeded', 'failed']);
  }

  async function failureText(id: string): Promise<string> {
    const failure = await waitFor(
      () => h.sink.forRollback(id).find((e) => e.message.kind === 'failure'),
      (e) => e !== undefined,
      { what: 'the failure summary' },
    );
    expect(failure!.broadcast).toBe(true);
    return renderPlainText(failure!.message);
  }

  it('health answering 503 after the switch fails the rollback with the evidence', async () => {
    target = await startTarget({ blue: { version: '2.4.0', healthy: false }, green: { version: '2.4.1' }, live: 'green' });
    h = await startHarness(
      bluegreenCatalog(target.url, `        verify:\n          - { type: http, name: health, url: ${target.url}/health, expect: { status: 200, json: { health: healthy } } }`),
    );
    const done = await rollBack();
    expect(done.state).toBe('failed');
    expect(done.outcome).toMatchObject({ code: 'verification_failed', stoppedAt: 'verify', providerChanged: true });
    expect(done.verification?.results[0]).toMatchObject({ name: 'health', status: 'fail' });
    expect(done.verification?.results[0]?.measured).toContain('503');
    expect(target.switches).toBe(1);
    const text = await failureText(done.id);
    expect(text).toContain('health');
    expect(text).toContain('503');
    expect(text).toMatch(/Verify/);
    expect(text).toMatch(/switched to 2\.4\.0|Traffic .*2\.4\.0/);
    expect(await h.rewind.store.activeFor('checkout-api', 'production')).toBeUndefined();
  });

  it('a live version different from the target fails with both versions in the summary', async () => {
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    // A version endpoint that still reports the old release (a stale instance behind the switch).
    const stale = await jsonServer({ build: { version: '2.4.1' } });
    h = await startHarness(
      bluegreenCatalog(target.url, `        verify:\n          - { type: version, name: live version, url: ${stale.url}/version, path: build.version }`),
    );
    try {
      const done = await rollBack();
      expect(done.state).toBe('failed');
      expect(done.verification?.results[0]).toMatchObject({ name: 'live version', status: 'fail' });
      const text = await failureText(done.id);
      expect(text).toContain('2.4.1');
      expect(text).toContain('2.4.0');
      expect(text).toContain('live version');
    } finally {
      stale.server.close();
    }
  });

  it('retry verification re-runs only the checks, never the provider switch', async () => {
    target = await startTarget({ blue: { version: '2.4.0', healthy: false }, green: { version: '2.4.1' }, live: 'green' });
    h = await startHarness(bluegreenCatalog(target.url, `        verify:\n          - { type: http, name: health, url: ${target.url}/health }`));
    const failed = await rollBack();
    expect(failed.state).toBe('failed');
    target.setHealthy('blue', true);
    await h.rewind.service.retryVerification(failed.id, ONCALL);
    const done = await h.waitForState(failed.id, 'succeeded');
    expect(done.run).toBe(2);
    expect(target.rollbackRequests).toBe(1);
    expect(done.verification?.status).toBe('pass');
  });
});
