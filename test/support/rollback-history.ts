/**
 * A realistic history for record tests, made by real rollbacks through a harness: a critical manual
 * one with a root cause filled in, an approved one, a rejected one, an alert-triggered one, and one
 * whose checks fail. Returns their ids in that order.
 */
import type { BlueGreenService } from '../../src/demo/bluegreen-service';
import type { Actor } from '../../src/domain/actor';
import type { Harness } from './harness';
import { LEAD, ONCALL } from './harness';

export interface MadeHistory {
  critical: string;
  approved: string;
  rejected: string;
  alert: string;
  failed: string;
}

const SLACK = { kind: 'manual' as const, source: 'slack', evidence: [] };
const MONITOR: Actor = { platform: 'rewind', id: 'alertmanager', name: 'Alertmanager' };

async function created(h: Harness, input: Parameters<Harness['rewind']['service']['request']>[0]): Promise<string> {
  const result = await h.rewind.service.request(input);
  if (result.kind !== 'created') throw new Error(`expected a new rollback, got ${result.kind}`);
  return result.record.id;
}

/** The idle side, which a rollback switches traffic to. */
function idleSide(target: BlueGreenService): 'blue' | 'green' {
  return target.status()['currentEnvironment'] === 'blue' ? 'green' : 'blue';
}

export async function makeHistory(h: Harness, target: BlueGreenService): Promise<MadeHistory> {
  const critical = await created(h, { service: 'checkout-api', severity: 'critical', reason: '500s after deploy, "checkout" broken', requester: ONCALL, origin: { platform: 'slack', channelId: 'C0INCIDENT' }, trigger: SLACK });
  await h.waitForState(critical, 'succeeded');
  await h.rewind.service.recordPostmortem(critical, LEAD, { impact: '4% of checkouts failed for 6 minutes.', rootCause: 'Pricing engine v2 divides by zero on empty carts.', prevention: 'Property test for empty carts; canary for pricing.' });

  target.deploy('2.5.0');
  const approved = await created(h, { service: 'checkout-api', severity: 'high', reason: 'slow checkout', requester: ONCALL, origin: { platform: 'slack', channelId: 'C0INCIDENT' }, trigger: SLACK });
  await h.waitForState(approved, 'pending_approval');
  await h.rewind.service.approve(approved, LEAD);
  await h.waitForState(approved, 'succeeded');

  target.deploy('2.6.0');
  const rejected = await created(h, { service: 'checkout-api', severity: 'high', reason: 'maybe broken', requester: ONCALL, origin: { platform: 'slack', channelId: 'C0INCIDENT' }, trigger: SLACK });
  await h.rewind.service.reject(rejected, LEAD, 'fix forward instead');
  await h.waitForState(rejected, 'rejected');

  const alert = await created(h, {
    service: 'checkout-api',
    severity: 'critical',
    requester: MONITOR,
    origin: { platform: 'rewind' },
    trigger: { kind: 'alert', source: 'alertmanager', evidence: ['alertname=HighErrorRate', 'error rate 12% > 5% for 2m'] },
  });
  await h.waitForState(alert, 'succeeded');

  target.deploy('2.7.0');
  target.setHealthy(idleSide(target), false);
  const failed = await created(h, { service: 'checkout-api', severity: 'critical', reason: 'latency', requester: ONCALL, origin: { platform: 'slack', channelId: 'C0INCIDENT' }, trigger: SLACK });
  await h.waitForState(failed, 'failed');
  return { critical, approved, rejected, alert, failed };
}
