/**
 * The pre-rollback check posted before anything changes: from → to, what the rollback undoes, a loud
 * warning for irreversible and up-only migrations with what this plan does about them, and the
 * runbook's pre-rollback checklist. `--dry-run` ends here.
 */
import type { ChecklistItem, Message, Section } from '../../domain/message';
import { isBuiltinStep, runsBeforeRollback, titleOf, type PlanStepKind, type StepRecord } from '../../domain/plan';
import { releaseLabel, type ChangePreview } from '../../domain/release';
import type { RollbackRecord } from '../../domain/rollback-record';
import { capitalize, code, lines, oneLine, plural, recordArrow, serviceLabel, trimList, who } from '../formatting';
import { approvalsLine } from './notification-header';
import { compose, field } from './compose';

export interface PreviewOptions {
  dryRun?: boolean;
}

function irreversible(preview: ChangePreview | undefined): string[] {
  return (preview?.migrations ?? []).filter((m) => m.irreversible).map((m) => m.id);
}

/**
 * Every listed migration when the catalog's lister says they have no down (Supabase): the code
 * rollback leaves all of them applied. Empty when the listing failed or found none.
 */
function upOnly(preview: ChangePreview | undefined): string[] {
  const check = preview?.migrationCheck;
  return preview && check?.upOnly && !check.error ? preview.migrations.map((m) => m.id) : [];
}

function targetLabel(record: RollbackRecord): string {
  return record.to ? releaseLabel(record.to) : 'the target release';
}

/** Supabase's history table, or a command that reads it (`supabase migration list`). */
function isSupabase(preview: ChangePreview | undefined): boolean {
  return /supabase/i.test(preview?.migrationCheck?.source ?? '');
}

const RESTORE_POINT_KINDS: ReadonlySet<PlanStepKind> = new Set(['postgres-backup', 'supabase-pitr']);

/** What this rollback's own steps do about migrations it leaves applied, read from the plan. */
function planAnswer(steps: readonly StepRecord[]): { handled: boolean; lines: string[] } {
  const own = steps.filter((s) => !isBuiltinStep(s.name));
  const commands = own.filter((s) => s.kind === 'command').map((s) => `This plan: ${titleOf(s)} runs ${runsBeforeRollback(s.name) ? 'before' : 'after'} the rollback.`);
  const points = own
    .filter((s) => runsBeforeRollback(s.name) && s.kind !== undefined && RESTORE_POINT_KINDS.has(s.kind))
    .map((s) => `This plan: ${titleOf(s)} is taken first; restore on request from the summary.`);
  return { handled: commands.length + points.length > 0, lines: [...points, ...commands] };
}

function addToCatalog(record: RollbackRecord): string {
  return (
    `This plan has neither a down migration nor a restore point. Add one to ${serviceLabel(record)} in the catalog: ` +
    'a `command` step under steps.after that runs a real down migration (a new forward migration that undoes these), ' +
    'or a `postgres-backup` or `supabase-pitr` step under steps.before.'
  );
}

function upOnlySection(record: RollbackRecord, ids: readonly string[]): Section | undefined {
  if (ids.length === 0) return undefined;
  const names = trimList(ids.map((id) => code(oneLine(id, 60))), 5).join(', ');
  const plan = planAnswer(record.steps);
  const text = [
    `${plural(ids.length, 'migration')} ran since ${targetLabel(record)} and rolling the code back leaves ${ids.length === 1 ? 'it' : 'them'} applied: ${names}.`,
    isSupabase(record.preview)
      ? 'Supabase migrations are up-only: `supabase migration down` resets the database and drops its data, so never run it in production.'
      : 'These migrations are up-only: there is no down to run.',
    ...(plan.handled ? plan.lines : [addToCatalog(record)]),
  ].join('\n');
  return { heading: `DANGER: ${plural(ids.length, 'up-only database migration')} ${stays(ids.length)} applied`, text };
}

/** The catalog's lister failed: nobody knows which migrations ran, and the reason may be longer than a checklist line. */
function uncheckedSection(record: RollbackRecord): Section | undefined {
  const check = record.preview?.migrationCheck;
  if (!check?.error) return undefined;
  const target = targetLabel(record);
  return {
    heading: 'Database migrations not checked',
    text: `Listing the migrations since ${target} (${check.source}) failed: ${oneLine(check.error, 500)}\nCheck by hand which migrations ran since ${target} before going ahead.`,
  };
}

function dangerSection(ids: readonly string[]): Section | undefined {
  if (ids.length === 0) return undefined;
  const names = trimList(ids.map((id) => code(oneLine(id, 60))), 6).join(', ');
  const text =
    ids.length === 1
      ? `Rolling back the code does not undo migration ${names}: restore the database or migrate down first.`
      : `Rolling back the code does not undo these migrations: ${names}. Restore the database or migrate down first.`;
  return { heading: `DANGER: ${plural(ids.length, 'irreversible database migration')}`, text };
}

/** A provider-required approval, said before anything else a person reads. */
function approvalSection(record: RollbackRecord): Section | undefined {
  const why = record.preview?.approvalRequired;
  return why ? { heading: 'Needs an approver, whatever the severity', text: oneLine(why, 400) } : undefined;
}

/** One section per kind of change, each list trimmed so its count line always survives. */
function undoesSections(record: RollbackRecord): Section[] {
  const preview = record.preview;
  if (!preview) return [];
  const migrations = preview.migrations.map((m) => `${code(oneLine(m.id, 60))}${m.irreversible ? ' — irreversible' : ' — reversible, stays applied unless migrated down'}`);
  // Migrations a lister found since the target are left behind by the rollback, not undone by it.
  const migrationsHeading = (n: number) => (preview.migrationCheck ? `Database migrations since ${targetLabel(record)} (${n}), left applied by the rollback` : `What this rollback undoes: database migrations (${n})`);
  const groups: [(n: number) => string, string[]][] = [
    [(n) => `What this rollback undoes: commits (${n})`, preview.commits],
    [(n) => `What this rollback undoes: config changes (${n})`, preview.config],
    [migrationsHeading, migrations],
  ];
  const present = groups.filter(([, items]) => items.length > 0);
  // Without the provider's description (previewError), "none" would be a claim nobody made.
  if (present.length === 0) return record.previewError ? [] : [{ heading: 'What this rollback undoes', text: 'The provider reports no commits, config changes or migrations between these releases.' }];
  return present.map(([heading, items]) => ({ heading: heading(items.length), text: lines(items.map((item) => `• ${oneLine(item, 100)}`), 8) }));
}

function approvalItem(record: RollbackRecord): ChecklistItem {
  if (record.policy.required === 0) return { label: 'Approval obtained if required', status: 'pass', detail: `not required for ${record.severity}` };
  const done = record.approvals.length >= record.policy.required;
  return { label: 'Approval obtained if required', status: done ? 'pass' : 'pending', detail: approvalsLine(record) };
}

function migrationItem(record: RollbackRecord): ChecklistItem {
  const label = 'Database migrations checked';
  const preview = record.preview;
  if (!preview) return { label, status: 'inconclusive', detail: 'the provider could not tell' };
  const check = preview.migrationCheck;
  const target = targetLabel(record);
  const stayApplied = upOnly(preview);
  if (stayApplied.length > 0) {
    const status = planAnswer(record.steps).handled ? 'warning' : 'fail';
    return { label, status, detail: `${plural(stayApplied.length, 'up-only migration')} since ${target} ${stays(stayApplied.length)} applied: ${stayApplied.join(', ')}` };
  }
  const blocked = irreversible(preview);
  if (blocked.length > 0) return { label, status: 'fail', detail: `irreversible: ${blocked.join(', ')}` };
  if (check?.error) return { label, status: 'inconclusive', detail: `${check.source} could not tell: ${check.error}` };
  if (check) return { label, status: 'pass', detail: preview.migrations.length === 0 ? `none since ${target} (${check.source})` : `no irreversible migration since ${target} (${check.source})` };
  return { label, status: 'pass', detail: 'no irreversible migration' };
}

/** The runbook's pre-rollback checklist, as far as Rewind can tick it. */
function checklist(record: RollbackRecord, dryRun: boolean): ChecklistItem[] {
  const capture = record.steps.find((s) => s.name === 'capture');
  return [
    record.reason
      ? { label: 'Issue documented', status: 'pass', detail: oneLine(record.reason, 150) }
      : { label: 'Issue documented', status: 'warning', detail: 'no reason given: add --reason so the history says why' },
    record.to
      ? { label: 'Last stable release identified', status: 'pass', detail: record.to.version }
      : { label: 'Last stable release identified', status: 'pending', detail: 'resolved again before acting' },
    migrationItem(record),
    approvalItem(record),
    dryRun
      ? { label: 'Current state captured before acting', status: 'skipped', detail: 'dry run' }
      : { label: 'Current state captured before acting', status: capture?.status === 'succeeded' ? 'pass' : 'pending', detail: 'read from the provider right before the switch' },
  ];
}

export function previewMessage(record: RollbackRecord, options: PreviewOptions = {}): Message {
  const dryRun = options.dryRun ?? false;
  const arrow = recordArrow(record);
  const blocked = irreversible(record.preview);
  const stayApplied = upOnly(record.preview);
  const title = dryRun
    ? `Dry run: rollback of ${serviceLabel(record)} ${arrow} — nothing was changed`
    : `Pre-rollback check: ${serviceLabel(record)} ${arrow}`;
  const unchecked = uncheckedSection(record);
  const tone = blocked.length > 0 || stayApplied.length > 0 ? 'danger' : record.previewError || unchecked ? 'warning' : 'info';
  const unavailable = record.previewError
    ? { heading: 'Preview unavailable', text: `${oneLine(record.previewError, 300)}\nRewind checks the provider again before acting.` }
    : undefined;
  const notes = record.preview && record.preview.notes.length > 0 ? { heading: 'Provider notes', text: lines(record.preview.notes) } : undefined;
  return compose({
    kind: 'preview',
    tone,
    title,
    text: dryRun ? 'Dry run: this is what a rollback would do. Nothing was changed and nothing was recorded.' : undefined,
    fields: [
      field('Release', arrow),
      field('Severity', capitalize(record.severity)),
      field('Requested by', who(record.requester)),
    ],
    sections: [
      // The up-only warning covers every listed migration, the irreversible ones included.
      stayApplied.length > 0 ? upOnlySection(record, stayApplied) : dangerSection(blocked),
      approvalSection(record),
      unavailable,
      unchecked,
      ...undoesSections(record),
      notes,
      { heading: 'Pre-rollback checklist', checklist: checklist(record, dryRun) },
    ],
    footer: dryRun ? ['Dry run: no rollback id was issued'] : [`Rollback ${record.id}`],
    fallback: fallback(title, blocked, stayApplied, targetLabel(record)),
  });
}

function fallback(title: string, blocked: readonly string[], stayApplied: readonly string[], target: string): string {
  if (stayApplied.length > 0) return `${title} — ${plural(stayApplied.length, 'up-only migration')} since ${target} ${stays(stayApplied.length)} applied`;
  return blocked.length > 0 ? `${title} — irreversible migration: ${blocked.join(', ')}` : title;
}

function stays(count: number): string {
  return count === 1 ? 'stays' : 'stay';
}
