/** No secret reaches a stored record, an audit event, a chat message or a log line. */
import { Writable } from 'node:stream';
import type { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { startTarget } from '../../support/bluegreen-target';
import { createLogger } from '../../../src/observability/logger';
import { SecretScrubber } from '../../../src/observability/secret-scrubber';
import { bluegreenCatalog, ONCALL, startHarness, type Harness } from '../../support/harness';
import { waitFor } from '../../support/wait-for';

const DEPLOY_TOKEN = 'deploy-token-s3cr3t-987654';

describe('secrets', () => {
  let target: BlueGreenService;
  let h: Harness;

  beforeAll(async () => {
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    const catalog = bluegreenCatalog(target.url).replace(`baseUrl: ${target.url},`, `baseUrl: ${target.url}, token: "\${DEPLOY_TOKEN}",`);
    h = await startHarness(catalog, { env: { DEPLOY_TOKEN } });
  });
  afterAll(async () => {
    await h.close();
    await target.close();
  });

  it('are scrubbed from what Rewind stores and posts, even when someone pastes one into a reason', async () => {
    const result = await h.rewind.service.request({
      service: 'checkout-api',
      severity: 'critical',
      reason: `deploy broke; token was ${DEPLOY_TOKEN} and Bearer abcdefghijklmnop`,
      requester: ONCALL,
      origin: { platform: 'slack' },
    });
    if (result.kind !== 'created') throw new Error('expected created');
    const done = await h.waitForState(result.record.id, 'succeeded');
    await waitFor(() => h.sink.forRollback(done.id).some((e) => e.message.kind === 'summary'), Boolean, { what: 'the summary' });
    const stored = JSON.stringify([done, await h.rewind.store.auditTrail(done.id), await h.rewind.store.outboxEvents(done.id), h.sink.delivered]);
    expect(stored).not.toContain(DEPLOY_TOKEN);
    expect(stored).not.toContain('abcdefghijklmnop');
    expect(stored).toContain('[redacted]');
    // The provider still received the real token (it is only hidden from people).
    expect(target.lastAuthorization).toBe(`Bearer ${DEPLOY_TOKEN}`);
  });

  it('are scrubbed from log lines', () => {
    const lines: string[] = [];
    const logger = createLogger({
      scrubber: new SecretScrubber([DEPLOY_TOKEN]),
      destination: new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }),
    });
    logger.error({ err: new Error(`provider said 401 for ${DEPLOY_TOKEN}`), request: { headers: { authorization: `Bearer ${DEPLOY_TOKEN}` } } }, 'failed');
    expect(lines.join('')).not.toContain(DEPLOY_TOKEN);
  });
});
