/**
 * The pre-rollback check posted before anything changes: from → to, what the rollback undoes, a loud
 * warning for irreversible migrations, and the runbook's pre-rollback checklist. `--dry-run` ends here.
 */
import type { ChecklistItem, Message, Section } from '../../domain/message';
import type { ChangePreview } from '../../domain/release';
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
  const groups: [string, string[]][] = [
    ['commits', preview.commits],
    ['config changes', preview.config],
    ['database migrations', migrations],
  ];
  const present = groups.filter(([, items]) => items.length > 0);
  if (present.length === 0) return [{ heading: 'What this rollback undoes', text: 'The provider reports no commits, config changes or migrations between these releases.' }];
  return present.map(([label, items]) => ({ heading: `What this rollback undoes: ${label} (${items.length})`, text: lines(items.map((item) => `• ${oneLine(item, 100)}`), 8) }));
}

function approvalItem(record: RollbackRecord): ChecklistItem {
  if (record.policy.required === 0) return { label: 'Approval obtained if required', status: 'pass', detail: `not required for ${record.severity}` };
  const done = record.approvals.length >= record.policy.required;
  return { label: 'Approval obtained if required', status: done ? 'pass' : 'pending', detail: approvalsLine(record) };
}

/** The runbook's pre-rollback checklist, as far as Rewind can tick it. */
function checklist(record: RollbackRecord, dryRun: boolean): ChecklistItem[] {
  const blocked = irreversible(record.preview);
  const capture = record.steps.find((s) => s.name === 'capture');
  return [
    record.reason
      ? { label: 'Issue documented', status: 'pass', detail: oneLine(record.reason, 150) }
      : { label: 'Issue documented', status: 'warning', detail: 'no reason given: add --reason so the history says why' },
    record.to
      ? { label: 'Last stable release identified', status: 'pass', detail: record.to.version }
      : { label: 'Last stable release identified', status: 'pending', detail: 'resolved again before acting' },
    record.preview
      ? blocked.length > 0
        ? { label: 'Database migrations checked', status: 'fail', detail: `irreversible: ${blocked.join(', ')}` }
        : { label: 'Database migrations checked', status: 'pass', detail: 'no irreversible migration' }
      : { label: 'Database migrations checked', status: 'inconclusive', detail: 'the provider could not tell' },
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
  const title = dryRun
    ? `Dry run: rollback of ${serviceLabel(record)} ${arrow} — nothing was changed`
    : `Pre-rollback check: ${serviceLabel(record)} ${arrow}`;
  const tone = blocked.length > 0 ? 'danger' : record.previewError ? 'warning' : 'info';
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
    sections: [dangerSection(blocked), approvalSection(record), unavailable, ...undoesSections(record), notes, { heading: 'Pre-rollback checklist', checklist: checklist(record, dryRun) }],
    footer: dryRun ? ['Dry run: no rollback id was issued'] : [`Rollback ${record.id}`],
    fallback: blocked.length > 0 ? `${title} — irreversible migration: ${blocked.join(', ')}` : title,
  });
}
