import { Message } from '../../../src/domain/message';
import type { RollbackRecord } from '../../../src/domain/rollback-record';
import { renderPlainText } from '../../../src/messages/plain-text';
import { previewMessage } from '../../../src/messages/templates/preview';
import { makeRecord, without } from '../../support/record-factory';

const checklist = (message: Message) => message.sections.find((s) => s.heading === 'Pre-rollback checklist')?.checklist ?? [];
const item = (message: Message, label: string) => checklist(message).find((i) => i.label.startsWith(label));

describe('previewMessage', () => {
  it('shows from → to and what the rollback undoes', () => {
    const message = Message.parse(previewMessage(makeRecord()));
    expect(message.kind).toBe('preview');
    expect(message.title).toContain('2.4.1 → 2.4.0');
    const text = renderPlainText(message);
    expect(text).toContain('a1b2c3d pricing: new engine');
    expect(text).toContain('PRICING_ENGINE=v2');
  });

  it('warns loudly about an irreversible migration', () => {
    const record: RollbackRecord = makeRecord({
      preview: { commits: [], config: [], migrations: [{ id: '20261120_drop_legacy_prices', irreversible: true }, { id: '20261121_add_index', irreversible: false }], notes: [] },
    });
    const message = previewMessage(record);
    expect(message.tone).toBe('danger');
    const danger = message.sections[0]!;
    expect(danger.heading).toMatch(/^DANGER/);
    expect(danger.text).toContain('Rolling back the code does not undo migration `20261120_drop_legacy_prices`');
    expect(danger.text).toMatch(/restore the database or migrate down first/);
    expect(danger.text).not.toContain('20261121_add_index');
    expect(item(message, 'Database migrations')).toMatchObject({ status: 'fail' });
    expect(message.fallback).toContain('irreversible');
  });

  it('ticks the runbook checklist from the record', () => {
    const pending = previewMessage(makeRecord());
    expect(item(pending, 'Issue documented')).toMatchObject({ status: 'pass', detail: 'checkout 500s since 2.4.1' });
    expect(item(pending, 'Last stable release identified')).toMatchObject({ status: 'pass', detail: '2.4.0' });
    expect(item(pending, 'Approval obtained')).toMatchObject({ status: 'pending', detail: '0 of 1' });
    expect(item(pending, 'Current state captured')).toMatchObject({ status: 'pending' });
    expect(item(pending, 'Database migrations')).toMatchObject({ status: 'pass' });

    const critical = previewMessage(without(makeRecord({ state: 'queued' }), 'reason'));
    expect(item(critical, 'Issue documented')).toMatchObject({ status: 'warning' });
    expect(item(critical, 'Approval obtained')).toMatchObject({ status: 'pass', detail: 'not required for critical' });
  });

  it('says the preview is unavailable and will be checked again', () => {
    const record = without(makeRecord({ previewError: 'Could not read bluegreen: connect ECONNREFUSED 127.0.0.1:8080' }), 'preview', 'to');
    const message = previewMessage(record);
    expect(message.tone).toBe('warning');
    const text = renderPlainText(message);
    expect(text).toContain('Preview unavailable');
    expect(text).toContain('ECONNREFUSED');
    expect(text).toContain('checks the provider again before acting');
    expect(item(message, 'Last stable release identified')).toMatchObject({ status: 'pending' });
    expect(item(message, 'Database migrations')).toMatchObject({ status: 'inconclusive' });
  });

  it('a dry run says so, and that nothing was changed', () => {
    const message = previewMessage(makeRecord({ state: 'queued' }), { dryRun: true });
    expect(message.title).toMatch(/^Dry run/);
    expect(message.title).toContain('nothing was changed');
    expect(item(message, 'Current state captured')).toMatchObject({ status: 'skipped' });
    expect(message.buttons).toEqual([]);
  });

  it('trims long change lists', () => {
    const commits = Array.from({ length: 60 }, (_, i) => `c${i} ${'x'.repeat(300)}`);
    const message = Message.parse(previewMessage(makeRecord({ preview: { commits, config: [], migrations: [], notes: [] } })));
    const undoes = message.sections.find((s) => s.heading === 'What this rollback undoes: commits (60)')!;
    expect(undoes.text!.split('\n')).toHaveLength(8);
    expect(undoes.text).toContain('… and 53 more');
    expect(undoes.text!.length).toBeLessThanOrEqual(1000);
  });
});

describe('previewMessage: migrations since the target release', () => {
  const SUPABASE = 'supabase_migrations.schema_migrations';
  const listed = (ids: string[], check: { source?: string; upOnly?: boolean; error?: string } = {}) => ({
    commits: ['a1b2c3d pricing: new engine'],
    config: [],
    migrations: ids.map((id) => ({ id, irreversible: check.upOnly ?? true })),
    migrationCheck: { source: check.source ?? SUPABASE, upOnly: check.upOnly ?? true, ...(check.error ? { error: check.error } : {}) },
    notes: [],
  });
  const planned = (...extra: { name: string; title: string; kind: 'command' | 'postgres-backup' | 'supabase-pitr' }[]) => [
    ...['precheck', 'capture'].map((name) => ({ name, status: 'pending' as const, attempts: 0 })),
    ...extra.filter((s) => s.name.startsWith('before.')).map((s) => ({ ...s, status: 'pending' as const, attempts: 0 })),
    ...['rollback', 'wait_live'].map((name) => ({ name, status: 'pending' as const, attempts: 0 })),
    ...extra.filter((s) => s.name.startsWith('after.')).map((s) => ({ ...s, status: 'pending' as const, attempts: 0 })),
    ...['verify', 'summarize'].map((name) => ({ name, status: 'pending' as const, attempts: 0 })),
  ];

  it('warns that up-only Supabase migrations stay applied, and says the plan has nothing for them and what to add', () => {
    const message = Message.parse(previewMessage(makeRecord({ preview: listed(['20261121093000_add_discount', '20261122101500_backfill_discount']) })));
    expect(message.tone).toBe('danger');
    const danger = message.sections[0]!;
    expect(danger.heading).toBe('DANGER: 2 up-only database migrations stay applied');
    expect(danger.text).toContain('2 migrations ran since 2.4.0 (blue) and rolling the code back leaves them applied: `20261121093000_add_discount`, `20261122101500_backfill_discount`.');
    expect(danger.text).toContain('`supabase migration down` resets the database and drops its data, so never run it in production');
    expect(danger.text).toContain('This plan has neither a down migration nor a restore point. Add one to checkout-api (production) in the catalog');
    expect(danger.text).toMatch(/`command` step under steps\.after that runs a real down migration \(a new forward migration.*`postgres-backup` or `supabase-pitr` step under steps\.before/);
    // One loud warning, not the generic irreversible one beside it.
    expect(message.sections.filter((s) => s.heading?.startsWith('DANGER'))).toHaveLength(1);
    expect(item(message, 'Database migrations')).toMatchObject({ status: 'fail', detail: expect.stringContaining('2 up-only migrations since 2.4.0 (blue) stay applied') });
    expect(message.sections.map((s) => s.heading)).toContain('Database migrations since 2.4.0 (blue) (2), left applied by the rollback');
    expect(message.fallback).toContain('2 up-only migrations since 2.4.0 (blue) stay applied');
  });

  it('says what this plan does about them: a restore point taken first, a command after the rollback', () => {
    const steps = planned(
      { name: 'before.0', title: 'PostgreSQL backup (public)', kind: 'postgres-backup' },
      { name: 'before.1', title: 'Supabase PITR mark', kind: 'supabase-pitr' },
      { name: 'after.0', title: 'undo 0042', kind: 'command' },
    );
    const message = previewMessage(makeRecord({ preview: listed(['20261121093000_add_discount']), steps }));
    const danger = message.sections[0]!;
    expect(danger.heading).toBe('DANGER: 1 up-only database migration stays applied');
    expect(danger.text).toContain('1 migration ran since 2.4.0 (blue) and rolling the code back leaves it applied');
    expect(danger.text).toContain('This plan: PostgreSQL backup (public) is taken first; restore on request from the summary.');
    expect(danger.text).toContain('This plan: Supabase PITR mark is taken first; restore on request from the summary.');
    expect(danger.text).toContain('This plan: undo 0042 runs after the rollback.');
    expect(danger.text).not.toContain('neither');
    // Still loud, but the plan answers it: a warning, not a failed check.
    expect(item(message, 'Database migrations')).toMatchObject({ status: 'warning' });

    const onlyAfter = previewMessage(makeRecord({ preview: listed(['20261121093000_add_discount']), steps: planned({ name: 'after.0', title: 'migrate down', kind: 'command' }) }));
    expect(onlyAfter.sections[0]!.text).toContain('This plan: migrate down runs after the rollback.');
    expect(onlyAfter.sections[0]!.text).not.toContain('taken first');
  });

  it('a backup after the rollback is no restore point for what ran before it', () => {
    const steps = planned({ name: 'after.0', title: 'PostgreSQL backup (public)', kind: 'postgres-backup' });
    const message = previewMessage(makeRecord({ preview: listed(['20261121093000_add_discount']), steps }));
    expect(message.sections[0]!.text).toContain('This plan has neither a down migration nor a restore point');
    expect(item(message, 'Database migrations')).toMatchObject({ status: 'fail' });
  });

  it('none since the target passes the check', () => {
    const message = previewMessage(makeRecord({ preview: listed([]) }));
    expect(message.tone).toBe('info');
    expect(message.sections.some((s) => s.heading?.startsWith('DANGER'))).toBe(false);
    expect(item(message, 'Database migrations')).toEqual({ label: 'Database migrations checked', status: 'pass', detail: `none since 2.4.0 (blue) (${SUPABASE})` });
  });

  it('a listing that failed makes the check inconclusive with the reason, never "none"', () => {
    const error = `${SUPABASE} does not exist: this database has no Supabase migration history. Check that the catalog's migrations.database is the Supabase project's database`;
    const message = Message.parse(previewMessage(makeRecord({ preview: listed([], { error }) })));
    expect(message.tone).toBe('warning');
    expect(message.sections.some((s) => s.heading?.startsWith('DANGER'))).toBe(false);
    const check = item(message, 'Database migrations')!;
    expect(check.status).toBe('inconclusive');
    expect(check.detail).toContain(`${SUPABASE} could not tell: ${SUPABASE} does not exist`);
    const text = renderPlainText(message);
    expect(text).toContain('Database migrations not checked');
    expect(text).toContain('this database has no Supabase migration history. Check that the catalog');
    expect(text).toContain('Check by hand which migrations ran since 2.4.0 (blue) before going ahead.');
    expect(text).not.toContain('none since');
  });

  it("an up-only command's migrations get the warning without Supabase's advice; reversible ones pass", () => {
    const upOnly = previewMessage(makeRecord({ preview: listed(['20240101_x'], { source: 'migrations-since', upOnly: true }) }));
    expect(upOnly.sections[0]!.text).toContain('These migrations are up-only: there is no down to run.');
    expect(upOnly.sections[0]!.text).not.toContain('supabase migration down');

    const reversible = previewMessage(makeRecord({ preview: listed(['20240101_x', '20240102_y'], { source: 'migrations-since', upOnly: false }) }));
    expect(reversible.tone).toBe('info');
    expect(reversible.sections.some((s) => s.heading?.startsWith('DANGER'))).toBe(false);
    expect(item(reversible, 'Database migrations')).toMatchObject({ status: 'pass', detail: 'no irreversible migration since 2.4.0 (blue) (migrations-since)' });
    expect(renderPlainText(reversible)).toContain('`20240101_x` — reversible, stays applied unless migrated down');
  });

  it("shows listed migrations when the provider could not describe the change, without claiming the provider found nothing", () => {
    const record = makeRecord({ preview: { ...listed(['20261121093000_add_discount']), commits: [] }, previewError: 'Could not describe the change: bluegreen answered 503' });
    const message = previewMessage(record);
    expect(message.tone).toBe('danger');
    const text = renderPlainText(message);
    expect(text).toContain('Preview unavailable');
    expect(text).toContain('DANGER: 1 up-only database migration stays applied');
    expect(text).not.toContain('The provider reports no commits');

    const nothingListed = renderPlainText(previewMessage(makeRecord({ preview: { ...listed([]), commits: [] }, previewError: 'Could not describe the change: bluegreen answered 503' })));
    expect(nothingListed).not.toContain('The provider reports no commits');
  });

  it('a long list keeps its count and the plan line inside the section', () => {
    const ids = Array.from({ length: 40 }, (_, i) => `2026112109${String(i).padStart(4, '0')}_${'very_long_migration_name_'.repeat(4)}`);
    const message = Message.parse(previewMessage(makeRecord({ preview: listed(ids) })));
    const danger = message.sections[0]!;
    expect(danger.heading).toBe('DANGER: 40 up-only database migrations stay applied');
    expect(danger.text).toContain('… and 36 more');
    expect(danger.text).toContain('This plan has neither');
    expect(danger.text!.length).toBeLessThanOrEqual(1000);
  });
});
