/**
 * Seed 003's post-rollback checklist, from the catalog alone: health, smoke tests, Sentry ("no
 * critical errors in the last 15 minutes", measured once Sentry has had time to ingest), Lighthouse
 * ("> 90"; "< 70" fails) and API response time — each a check that must pass before Rewind says
 * the rollback completed.
 */
import { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { renderPlainText } from '../../../src/messages/plain-text';
import { FakeSentry } from '../../fakes/sentry-api';
import { WebPages } from '../../fakes/web-pages';
import { browserAvailable } from '../../support/browser';
import { FastClock } from '../../support/fast-clock';
import { bluegreenCatalog, ONCALL, startHarness, type Harness } from '../../support/harness';
import { waitFor } from '../../support/wait-for';

const SENTRY_TOKEN = 'sntrys_checklist-token-0123456789';
const withBrowser = browserAvailable() ? describe : describe.skip;
if (!browserAvailable()) console.warn('chromium is not installed: the seed 003 checklist test (Lighthouse) is skipped');

withBrowser('seed 003 post-rollback checklist', () => {
  let target: BlueGreenService;
  let pages: WebPages;
  let sentry: FakeSentry;
  let h: Harness;

  beforeEach(async () => {
    target = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.4.1', bad: true }, live: 'green' });
    pages = await WebPages.start();
    sentry = await FakeSentry.start({ token: SENTRY_TOKEN });
    const checks = [
      '        verify:',
      `          - { type: http, name: health, url: ${target.url}/health, expect: { status: 200, json: { health: healthy } } }`,
      '          - { type: command, name: smoke tests, run: [node, -e, "process.exit(0)"], timeout: 30s }',
      // Sentry needs a few minutes to ingest: the check waits, on the engine's clock, before it counts.
      `          - { type: sentry, name: sentry errors, org: acme, project: "4501", environment: production, below: 1, window: 15m, initialDelay: 3m, token: "\${SENTRY_TOKEN}", apiUrl: ${sentry.url} }`,
      `          - { type: lighthouse, name: lighthouse, url: ${pages.base}/fast, min: 90, failBelow: 70, timeout: 90s }`,
      `          - { type: http, name: API response time, url: ${target.url}/api/work, repeat: 5, interval: 100ms, latencyBudget: 3s }`,
    ].join('\n');
    h = await startHarness(bluegreenCatalog(target.url, checks), { env: { SENTRY_TOKEN }, clock: new FastClock() });
  });
  afterEach(async () => {
    await h.close();
    await Promise.all([target.close(), pages.close(), sentry.close()]);
  });

  it('runs every check of the runbook and completes only when all pass', async () => {
    const result = await h.rewind.service.request({ service: 'checkout-api', severity: 'critical', reason: 'checkout 500s', requester: ONCALL, origin: { platform: 'slack' } });
    if (result.kind !== 'created') throw new Error('expected a rollback');
    const done = await h.waitForState(result.record.id, ['succeeded', 'failed'], 150_000);
    expect(done.outcome?.message).toBeUndefined();
    expect(done.verification?.results.map((r) => [r.name, r.status])).toEqual([
      ['health', 'pass'],
      ['smoke tests', 'pass'],
      ['sentry errors', 'pass'],
      ['lighthouse', 'pass'],
      ['API response time', 'pass'],
    ]);
    expect(done.state).toBe('succeeded');
    expect(sentry.lastParam('environment')).toBe('production');
    const checklist = await waitFor(() => h.sink.forRollback(done.id).find((e) => e.message.kind === 'verification'), (e) => e !== undefined, { what: 'the checklist' });
    const text = renderPlainText(checklist!.message);
    for (const name of ['health', 'smoke tests', 'sentry errors', 'lighthouse', 'API response time']) expect(text).toContain(name);
  }, 180_000);
});
