/** The restore button on a finished rollback and the restore card an approver reads. */
import type { DatabaseRestore } from '../../../src/domain/database-restore';
import { initialSteps } from '../../../src/domain/plan';
import type { RollbackRecord } from '../../../src/domain/rollback-record';
import { renderPlainText } from '../../../src/messages/plain-text';
import { headerButtons, restoreButtons } from '../../../src/messages/templates/buttons';
import { restoreCard } from '../../../src/messages/templates/restore-card';
import { ACTORS, makeRecord, MINUTE, T0 } from '../../support/record-factory';

const DUMP = { kind: 'postgres-dump' as const, database: 'shop', file: '/var/lib/rewind/backups/x.dump', takenAt: T0, sizeBytes: 2048, sha256: 'a'.repeat(64) };

function withBackup(overrides: Partial<RollbackRecord> = {}): RollbackRecord {
  const steps = initialSteps({ before: [{ title: 'PostgreSQL backup of the orders and customers databases', optional: false, kind: 'postgres-backup' }], after: [] }).map((step) =>
    step.name === 'before.0' ? { ...step, status: 'succeeded' as const, restorePoint: DUMP } : { ...step, status: 'succeeded' as const },
  );
  return makeRecord({ state: 'succeeded', steps, ...overrides });
}

function restore(overrides: Partial<DatabaseRestore> = {}): DatabaseRestore {
  return {
    number: 1,
    step: 'before.0',
    title: 'PostgreSQL backup',
    point: DUMP,
    state: 'pending_approval',
    requested: { actor: ACTORS.steve, at: T0 + 10 * MINUTE },
    approvers: { slack: ['U0LEAD'] },
    required: 1,
    selfApproval: false,
    approvals: [],
    overwrites: ['Database shop: 1 table dropped and recreated from the backup of 2026-11-23 09:45:12 UTC (2.0 KiB): public.orders (48.0 KiB now).'],
    warnings: ['Tables created since the backup are left as they are: public.coupons.'],
    attempts: 0,
    ...overrides,
  };
}

describe('restore button', () => {
  it('is offered on a finished rollback for each kept restore point, with a label Slack can show', () => {
    const [button] = restoreButtons(withBackup());
    expect(button).toMatchObject({ action: 'restore', style: 'danger', value: 'rb_01KAQ4J3Z8M2N5P7R9T1V3X5Y7|before.0' });
    expect(button!.label).toBe('Restore database from PostgreSQL backup of the orders and…, 09:45 UTC');
    expect(button!.label.length).toBeLessThanOrEqual(75);
    expect(headerButtons(withBackup()).map((b) => b.action)).toEqual(['restore', 'root_cause']);
    expect(headerButtons(withBackup({ state: 'failed' })).map((b) => b.action)).toContain('restore');
  });

  it('is not offered while the rollback runs, while a restore is open, or without a restore point', () => {
    expect(restoreButtons(withBackup({ state: 'running' }))).toEqual([]);
    expect(restoreButtons(withBackup({ restores: [restore()] }))).toEqual([]);
    expect(restoreButtons(withBackup({ restores: [restore({ state: 'running' })] }))).toEqual([]);
    expect(restoreButtons(withBackup({ restores: [restore({ state: 'failed' })] }))).toHaveLength(1);
    expect(restoreButtons(makeRecord({ state: 'succeeded' }))).toEqual([]);
  });
});

describe('restore card', () => {
  it('asks for approval beside what will be overwritten, who may approve, and the buttons', () => {
    const message = restoreCard(withBackup(), restore());
    const text = renderPlainText(message);
    expect(message).toMatchObject({ kind: 'approval', tone: 'warning' });
    expect(text).toContain('Restore needs approval: database of checkout-api (production) back to 2026-11-23 09:45:12 UTC');
    expect(text).toContain('whatever the rollback\'s severity');
    expect(text).toContain('public.orders (48.0 KiB now)');
    expect(text).toContain('left as they are: public.coupons');
    expect(text).toMatch(/Who may approve\n\s+Slack: user `U0LEAD`/);
    expect(message.buttons.map((b) => [b.action, b.value])).toEqual([
      ['approve_restore', 'rb_01KAQ4J3Z8M2N5P7R9T1V3X5Y7|1'],
      ['reject_restore', 'rb_01KAQ4J3Z8M2N5P7R9T1V3X5Y7|1'],
    ]);
  });

  it('drops the buttons once decided and says how it ended', () => {
    const running = restoreCard(withBackup(), restore({ state: 'running', attempts: 2, approvals: [{ actor: ACTORS.lead, at: T0 }] }));
    expect(running.buttons).toEqual([]);
    expect(running.title).toContain('attempt 2, resumed after a worker stopped');
    const failed = restoreCard(withBackup(), restore({ state: 'failed', detail: 'pg_restore into shop failed (exit 1)', startedAt: T0, finishedAt: T0 + 65_000 }));
    expect(failed).toMatchObject({ kind: 'failure', tone: 'danger' });
    expect(renderPlainText(failed)).toMatch(/pg_restore into shop failed \(exit 1\)\nCheck the database before anything else/);
    expect(renderPlainText(failed)).toContain('Duration: 1 min 05 s');
    const rejected = restoreCard(withBackup(), restore({ state: 'rejected', rejection: { actor: ACTORS.lead, at: T0, reason: 'not needed' } }));
    expect(renderPlainText(rejected)).toMatch(/rejected it: not needed\. Nothing was changed\./);
  });
});
