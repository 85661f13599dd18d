/**
 * The post-mortem draft of one rollback, in Markdown, built only from its record and audit trail:
 * summary, timeline, steps, verification evidence, who did what, recovery time against the RTO, the
 * team's own impact / root cause / prevention (or a prompt to write them) and links. The same
 * input always gives the same text, so a draft can be regenerated and diffed.
 */
import { actorLabel, sameActor, type Actor } from '../domain/actor';
import type { AuditEvent } from '../domain/audit';
import type { ThreadLink } from '../domain/chat-file';
import { formatDuration, formatUtc, historyOutcome } from '../domain/history';
import { titleOf, type StepRecord } from '../domain/plan';
import { recoveryOf } from '../domain/recovery';
import { releaseLabel } from '../domain/release';
import type { RollbackRecord } from '../domain/rollback-record';
import { capitalize, releaseArrow, stateLabel, triggerLabel } from './formatting';
import { mdCell, mdCode, mdParagraph, mdTable } from './markdown';

export type { ThreadLink };

export interface PostmortemInput {
  record: RollbackRecord;
  /** The rollback's audit trail, oldest first (as the store returns it). */
  audit: readonly AuditEvent[];
  threads?: readonly ThreadLink[];
}

const TO_BE_WRITTEN: Readonly<Record<'impact' | 'rootCause' | 'prevention', string>> = {
  impact: '_To be written: who was affected, how (errors, latency, lost orders), from when to when._',
  rootCause: '_To be written: what in the release broke, and why it got past review, tests and staging._',
  prevention: '_To be written: what changes so this cannot ship again (tests, alerts, rollout steps), with owners._',
};

const time = (ms: number) => new Date(ms).toISOString().slice(11, 19);

function stepName(record: RollbackRecord, name: unknown): string {
  const step = record.steps.find((s) => s.name === name);
  return step ? titleOf(step) : String(name ?? 'a step');
}

const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const str = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);

/** What one audit event says, in a sentence; undefined for events the timeline leaves out. */
function describeEvent(record: RollbackRecord, event: AuditEvent): string | undefined {
  const data = event.data ?? {};
  const reason = event.reason ? `: ${event.reason}` : '';
  switch (event.type) {
    case 'requested': {
      const arrow = `${str(data['from']) ?? 'current'} → ${str(data['to']) ?? 'last stable'}`;
      return `Rollback requested (${str(data['severity']) ?? record.severity}, ${arrow})${event.reason ? `, reason “${event.reason}”` : ''}`;
    }
    case 'transition':
      return event.from && event.to ? `${stateLabel(event.from)} → ${stateLabel(event.to)}${reason}` : undefined;
    case 'approval.granted': {
      const given = num(data['approvals']);
      const required = num(data['required']);
      return `Approved${given !== undefined && required !== undefined ? ` (${given} of ${required})` : ''}`;
    }
    case 'approval.refused':
      return `Refused an action${reason}`;
    case 'request.refused':
      return `Request refused${reason}`;
    case 'step.started':
      return `${stepName(record, data['step'])} started`;
    case 'step.resumed':
      return `${stepName(record, data['step'])} resumed by another worker (attempt ${num(data['attempt']) ?? '?'})`;
    case 'step.progress':
      return `${stepName(record, data['step'])}${reason}`;
    case 'step.succeeded': {
      const took = num(data['durationMs']);
      return `${stepName(record, data['step'])} succeeded${took === undefined ? '' : ` in ${formatDuration(took)}`}`;
    }
    case 'step.failed':
      return `${stepName(record, data['step'])} failed${reason}`;
    case 'verification.completed':
      return `Verification ${str(data['status']) ?? 'completed'}`;
    case 'verification.decided':
      return event.reason === 'accepted' ? 'Inconclusive verification accepted' : event.reason === 'failed' ? 'Inconclusive verification failed by hand' : 'Verification retry requested';
    case 'abort.requested':
      return 'Abort requested';
    case 'postmortem.updated':
      return `Post-mortem updated${Array.isArray(data['fields']) ? ` (${(data['fields'] as unknown[]).map(String).join(', ')})` : ''}`;
    case 'automation.changed':
      return `Platform hold${reason}`;
    case 'review.requested':
      return "Break-glass review asked of the environment's approvers";
    case 'review.done':
      return 'Break-glass rollback marked reviewed';
    case 'review.noted':
      return `Review note${event.reason ? `: “${event.reason.replace(/\s+/g, ' ').trim()}”` : ''}`;
    case 'review.reminded':
      return 'Review reminder posted in the incident channel (still unreviewed)';
    case 'review.refused':
      return `Review action refused${reason}`;
    default: {
      // restore.*: the number says which restore, the reason what happened.
      const restore = num(data['restore']);
      const verb = event.type.split('.')[1] ?? event.type;
      return `Database restore${restore === undefined ? '' : ` #${restore}`} ${verb}${reason}`;
    }
  }
}

function outcomeLine(record: RollbackRecord): string {
  const outcome = stateLabel(historyOutcome(record));
  const detail = record.outcome?.message ?? (record.rejection?.reason ? `rejected: ${record.rejection.reason}` : record.cancellation?.reason);
  return detail ? `${outcome} — ${detail}` : outcome;
}

function recoveryLines(record: RollbackRecord): string[] {
  const recovery = recoveryOf(record);
  const target = recovery.rtoMs === undefined ? undefined : formatDuration(recovery.rtoMs);
  const rto = target ? `RTO for ${record.severity} in ${record.environment}: ${target}.` : `No RTO is configured for ${record.severity} in ${record.environment} (\`rto:\` in the catalog).`;
  if (recovery.ms !== undefined && recovery.recoveredAt !== undefined) {
    const basis = recovery.basis === 'accepted' ? 'an inconclusive verification was accepted' : 'the checks passed';
    const lines = [`Time to verified recovery: **${formatDuration(recovery.ms)}** (requested ${time(record.timings.requestedAt)} → ${basis} ${time(recovery.recoveredAt)} UTC).`, rto];
    if (recovery.rtoMet !== undefined && recovery.rtoMs !== undefined) {
      lines.push(recovery.rtoMet ? `**RTO met**, ${formatDuration(recovery.rtoMs - recovery.ms)} to spare.` : `**RTO missed** by ${formatDuration(recovery.ms - recovery.rtoMs)}.`);
    }
    return lines;
  }
  if (recovery.basis === 'unchecked') return ['Recovery was not verified: no checks are configured, so nothing confirmed the service after the rollback.', rto, 'RTO: not judged (unverified).'];
  if (record.state === 'failed') return ['The rollback failed: the service was not recovered by it.', rto, target ? '**RTO missed.**' : 'RTO: not judged.'];
  return [`No recovery: the rollback ended ${stateLabel(historyOutcome(record)).toLowerCase()}.`, rto];
}

function summarySection(record: RollbackRecord): string {
  const recovery = recoveryOf(record);
  const rows: [string, string][] = [
    ['Service', record.service],
    ['Environment', record.environment],
    ['Release', releaseArrow(record.from, record.to, record.requestedRelease)],
    ['Severity', capitalize(record.severity)],
    ['Trigger', triggerLabel(record)],
    ['Requested by', actorLabel(record.requester)],
    ['Reason', record.reason ?? ''],
    ['Outcome', outcomeLine(record)],
    ...(record.state === 'failed' && record.escalation ? [['Escalation', record.escalation] as [string, string]] : []),
    ...(record.review?.requestedAt !== undefined ? [['Break-glass review', reviewLine(record)] as [string, string]] : []),
    ['Time to verified recovery', recovery.ms === undefined ? '' : formatDuration(recovery.ms)],
    ['RTO', recovery.rtoMs === undefined ? 'not configured' : `${formatDuration(recovery.rtoMs)} — ${recovery.rtoMet === undefined ? 'not judged' : recovery.rtoMet ? 'met' : 'missed'}`],
    ['Requested at', formatUtc(record.timings.requestedAt)],
    ['Finished at', record.timings.finishedAt === undefined ? 'not finished' : formatUtc(record.timings.finishedAt)],
    ['Rollback id', record.id],
  ];
  return ['## Summary', '', mdTable(['Field', 'Value'], rows)].join('\n');
}

/** `reviewed by lead at 21:03 UTC`, or `pending (asked 20:01 UTC; reminder 20:01 UTC tomorrow)`. */
function reviewLine(record: RollbackRecord): string {
  const review = record.review!;
  if (review.reviewed) return `reviewed by ${actorLabel(review.reviewed.actor)} at ${formatUtc(review.reviewed.at)}`;
  const reminded = review.remindedAt !== undefined ? `; reminded ${formatUtc(review.remindedAt)}` : '';
  return `pending (asked ${formatUtc(review.requestedAt!)}${reminded})`;
}

/** A rollback that ran without approval (critical, break-glass): who reviewed it, and what they noted. */
function reviewSection(record: RollbackRecord): string | undefined {
  const review = record.review;
  if (!review || review.requestedAt === undefined) return undefined;
  const lines = [
    `This ${record.severity} rollback ran without approval (break-glass). Its review was asked of the environment's approvers at ${formatUtc(review.requestedAt)}.`,
    '',
    `- **Reviewed by:** ${review.reviewed ? `${mdCell(actorLabel(review.reviewed.actor))} at ${formatUtc(review.reviewed.at)}` : '_not yet_'}`,
    ...(review.remindedAt !== undefined ? [`- **Reminder:** posted ${formatUtc(review.remindedAt)}`] : []),
    ...review.notes.map((note) => `- **Note** by ${mdCell(actorLabel(note.actor))} at ${formatUtc(note.at)}: ${mdParagraph(note.text).replace(/\n/g, ' ')}`),
  ];
  return ['## Break-glass review', '', ...lines].join('\n');
}

function timelineSection(record: RollbackRecord, audit: readonly AuditEvent[]): string {
  const rows = audit.flatMap((event) => {
    const what = describeEvent(record, event);
    return what ? [[`${time(event.at)}`, what, actorLabel(event.actor)]] : [];
  });
  const firstDay = audit[0] ? new Date(audit[0].at).toISOString().slice(0, 10) : new Date(record.timings.requestedAt).toISOString().slice(0, 10);
  return [`## Timeline (UTC, from ${firstDay})`, '', rows.length > 0 ? mdTable(['Time', 'Event', 'By'], rows) : '_The audit trail is empty._'].join('\n');
}

function stepResult(step: StepRecord): string {
  const resumed = step.attempts > 1 ? ` (attempt ${step.attempts})` : '';
  return `${step.status}${resumed}`;
}

function stepsSection(record: RollbackRecord): string {
  const rows = record.steps.map((step, i) => [
    String(i + 1),
    titleOf(step),
    step.startedAt === undefined ? '' : time(step.startedAt),
    step.startedAt !== undefined && step.finishedAt !== undefined ? formatDuration(step.finishedAt - step.startedAt) : '',
    stepResult(step),
    step.detail ?? '',
  ]);
  return ['## Steps', '', mdTable(['#', 'Step', 'Started', 'Duration', 'Result', 'Detail'], rows)].join('\n');
}

function verificationSection(record: RollbackRecord): string {
  const v = record.verification;
  if (!v) return ['## Verification', '', '_No verification ran._'].join('\n');
  if (v.results.length === 0) return ['## Verification', '', '_No checks are configured for this environment: recovery was not confirmed by checks._'].join('\n');
  const rows = v.results.map((r) => [r.name, r.type, r.status, r.measured, r.threshold, formatDuration(r.durationMs)]);
  const samples = v.results
    .filter((r) => r.samples.length > 0)
    .map((r) => `- ${mdCode(r.name)} samples: ${r.samples.slice(0, 12).map((s) => `${time(s.at)} ${s.outcome}${s.value ? ` ${s.value}` : ''}`).join('; ')}${r.samples.length > 12 ? `; … ${r.samples.length - 12} more` : ''}`);
  const accepted = v.acceptedBy ? [`Inconclusive result accepted by ${actorLabel(v.acceptedBy.actor)} at ${time(v.acceptedBy.at)} UTC.`] : [];
  return [
    `## Verification: ${v.status} (${time(v.startedAt)}–${time(v.finishedAt)} UTC)`,
    '',
    mdTable(['Check', 'Type', 'Result', 'Measured', 'Threshold', 'Took'], rows),
    ...(samples.length > 0 ? ['', ...samples] : []),
    ...(accepted.length > 0 ? ['', ...accepted] : []),
  ].join('\n');
}

function evidenceSection(record: RollbackRecord): string | undefined {
  if (record.trigger.evidence.length === 0) return undefined;
  return [`## Trigger evidence (${triggerLabel(record)})`, '', ...record.trigger.evidence.map((line) => `- ${mdParagraph(line).replace(/\n/g, ' ')}`)].join('\n');
}

function platformSection(record: RollbackRecord): string | undefined {
  const result = record.providerResult;
  const lines: string[] = [];
  for (const note of result?.notes ?? []) lines.push(`- ${note}`);
  if (result?.hold) lines.push(`- Held: ${result.hold.description}. \`/rollback unlock ${record.service} ${record.environment}\` will ${result.hold.undo}.`);
  for (const restore of record.restores) {
    const approvers = restore.approvals.map((d) => actorLabel(d.actor)).join(', ');
    lines.push(
      `- Database restore #${restore.number} (${restore.title}): ${restore.state}; asked by ${actorLabel(restore.requested.actor)} at ${time(restore.requested.at)} UTC` +
        `${approvers ? `, approved by ${approvers}` : ''}${restore.rejection ? `, rejected by ${actorLabel(restore.rejection.actor)}` : ''}${restore.detail ? ` — ${restore.detail}` : ''}`,
    );
  }
  return lines.length > 0 ? ['## Holds and restores', '', ...lines].join('\n') : undefined;
}

/** The action an event records, as a verb phrase for "who did what". */
function actionOf(record: RollbackRecord, event: AuditEvent): string | undefined {
  switch (event.type) {
    case 'requested':
      return 'requested the rollback';
    case 'approval.granted':
      return 'approved it';
    case 'approval.refused':
      return 'was refused an action';
    case 'transition':
      if (event.to === 'rejected') return 'rejected it';
      if (event.to === 'cancelled') return 'cancelled it';
      return undefined;
    case 'abort.requested':
      return 'asked to abort';
    case 'verification.decided':
      return event.reason === 'accepted' ? 'accepted the inconclusive verification' : event.reason === 'failed' ? 'failed the verification' : 'asked to retry verification';
    case 'postmortem.updated':
      return 'filled in the post-mortem';
    case 'review.done':
      return 'reviewed the break-glass rollback';
    case 'review.noted':
      return 'added a review note';
    case 'review.refused':
      return 'was refused a review action';
    default:
      return event.type.startsWith('restore.') ? describeEvent(record, event)?.replace(/^Database/, 'database').replace(/:.*$/, '') : undefined;
  }
}

function whoSection(record: RollbackRecord, audit: readonly AuditEvent[]): string {
  const people: { actor: Actor; actions: string[] }[] = [];
  for (const event of audit) {
    if (event.actor.platform === 'rewind') continue;
    const action = actionOf(record, event);
    if (!action) continue;
    let entry = people.find((p) => sameActor(p.actor, event.actor));
    if (!entry) people.push((entry = { actor: event.actor, actions: [] }));
    entry.actions.push(`${action} (${time(event.at)})`);
  }
  const lines = people.map(({ actor, actions }) => `- **${mdCell(actorLabel(actor))}** (${actor.platform} ${mdCode(actor.id)}): ${actions.join(', ')}`);
  const automatic = record.trigger.kind === 'auto' || record.trigger.kind === 'alert' ? [`- **Rewind** started it automatically (${triggerLabel(record)}).`] : [];
  const ran = audit.some((e) => e.actor.platform === 'rewind' && e.type.startsWith('step.')) ? ['- **Rewind** ran the steps and checks.'] : [];
  return ['## Who did what', '', ...(lines.length + automatic.length + ran.length > 0 ? [...automatic, ...lines, ...ran] : ['_Nobody acted on this rollback._'])].join('\n');
}

function teamSection(heading: string, value: string | undefined, prompt: string): string {
  return [`## ${heading}`, '', value?.trim() ? mdParagraph(value) : prompt].join('\n');
}

function linksSection(record: RollbackRecord, threads: readonly ThreadLink[]): string {
  const lines: string[] = [];
  const known = new Set(threads.map((t) => `${t.platform}:${t.channel}`));
  for (const thread of threads) lines.push(`- ${capitalize(thread.platform)} thread in ${mdCode(thread.channel)}${thread.url ? `: ${thread.url}` : ''}`);
  for (const platform of ['slack', 'discord'] as const) {
    for (const channel of record.channels[platform]) {
      if (!known.has(`${platform}:${channel}`)) lines.push(`- ${capitalize(platform)} thread under the rollback's header in channel ${mdCode(channel)}`);
    }
  }
  if (record.providerResult?.link) lines.push(`- On the platform: ${record.providerResult.link}`);
  if (record.to?.link) lines.push(`- Target release ${releaseLabel(record.to)}: ${record.to.link}`);
  if (record.from?.link) lines.push(`- Rolled-back release ${releaseLabel(record.from)}: ${record.from.link}`);
  lines.push(`- Record and audit trail: ${mdCode(`GET /api/rollbacks/${record.id}`)}; this draft: ${mdCode(`GET /api/rollbacks/${record.id}/postmortem.md`)}`);
  return ['## Links', '', ...lines].join('\n');
}

export function postmortemDraft({ record, audit, threads = [] }: PostmortemInput): string {
  const pm = record.postmortem;
  const filled = pm ? ` Impact, root cause and prevention as recorded by ${actorLabel(pm.by)} at ${formatUtc(pm.at)}.` : '';
  const sections = [
    `# Post-mortem draft: ${record.service} (${record.environment}) rollback ${releaseArrow(record.from, record.to, record.requestedRelease)}`,
    `_Drafted by Rewind from rollback ${mdCode(record.id)} and its audit trail (${audit.length === 1 ? '1 event' : `${audit.length} events`}). Facts below come from the record; edit the prose freely.${filled}_`,
    record.trigger.kind === 'drill' ? '> **Drill:** a practice rollback run on purpose, not an incident. Its timing is held against the RTO in the drill report; it is left out of the history and RTO report unless drills are asked for.' : undefined,
    summarySection(record),
    ['## Recovery time', '', ...recoveryLines(record)].join('\n'),
    evidenceSection(record),
    timelineSection(record, audit),
    stepsSection(record),
    verificationSection(record),
    platformSection(record),
    reviewSection(record),
    whoSection(record, audit),
    teamSection('Impact', pm?.impact, TO_BE_WRITTEN.impact),
    teamSection('Root cause', pm?.rootCause, TO_BE_WRITTEN.rootCause),
    teamSection('Prevention', pm?.prevention, TO_BE_WRITTEN.prevention),
    linksSection(record, threads),
  ];
  return `${sections.filter((s): s is string => s !== undefined).join('\n\n')}\n`;
}

/** `postmortem-checkout-api-production-rb_….md`: a name that sorts by service and says what it is. */
export function postmortemFileName(record: Pick<RollbackRecord, 'id' | 'service' | 'environment'>): string {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
  return `postmortem-${safe(record.service).slice(0, 30)}-${safe(record.environment).slice(0, 20)}-${record.id}.md`;
}
