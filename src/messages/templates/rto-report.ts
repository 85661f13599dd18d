/**
 * `/rollback report`: how fast rollbacks brought services back against their RTO, over a window —
 * count, median and worst time to verified recovery, RTO met %, overall and by severity.
 */
import type { DrillScope } from '../../domain/history-filter';
import type { Message } from '../../domain/message';
import type { RtoGroup, RtoReport } from '../../domain/rto-report';
import { capitalize, formatDuration, plural } from '../formatting';
import { rowSections } from './blocks';
import { compose, field } from './compose';

export interface RtoReportScope {
  /** A service, or every service. */
  service?: string;
  /** `the last 30 days`. */
  window: string;
  /** Drills are left out unless asked for; the title says when they are in. */
  drills?: DrillScope;
}

const COLUMNS = ['Severity', 'Rollbacks', 'Recovered', 'Median', 'Worst', 'RTO met'];

function metText(group: RtoGroup): string {
  return group.metPct === undefined ? '—' : `${group.metPct}% (${group.met}/${group.judged})`;
}

export function rtoRow(group: RtoGroup): string {
  const time = (ms: number | undefined) => (ms === undefined ? '—' : formatDuration(ms));
  return [group.severity === 'all' ? 'All' : capitalize(group.severity), String(group.rollbacks), String(group.recovered), time(group.medianMs), time(group.worstMs), metText(group)].join(' | ');
}

/** `drills of checkout-api`, `checkout-api, drills included`, or just the service. */
function subject(scope: RtoReportScope): string {
  const who = scope.service ?? 'every service';
  if (scope.drills === 'only') return `drills of ${who}`;
  if (scope.drills === 'include') return `${who}, drills included`;
  return who;
}

export function rtoReportMessage(report: RtoReport, scope: RtoReportScope): Message {
  const who = subject(scope);
  const { all } = report;
  if (all.rollbacks === 0) {
    return compose({ kind: 'history', tone: 'info', title: `RTO report: no rollbacks of ${who} in ${scope.window}.` });
  }
  const title = `RTO report: ${who}, ${scope.window}`;
  const notes = [
    all.unchecked > 0 ? `${plural(all.unchecked, 'rollback')} had no checks configured: finished, but recovery was not verified, so not timed.` : undefined,
    all.failed > 0 ? `${plural(all.failed, 'failed rollback')} counted as RTO missed.` : undefined,
  ].filter((line): line is string => line !== undefined);
  return compose({
    kind: 'history',
    tone: all.metPct === undefined || all.metPct === 100 ? 'info' : 'warning',
    title,
    ...(notes.length > 0 ? { text: notes.join(' ') } : {}),
    fields: [
      field('Rollbacks', String(all.rollbacks)),
      field('Recovered (verified)', String(all.recovered)),
      field('Median time to verified recovery', all.medianMs === undefined ? '—' : formatDuration(all.medianMs)),
      field('Worst', all.worstMs === undefined ? '—' : `${formatDuration(all.worstMs)} (${all.worstId})`),
      field('RTO met', metText(all)),
    ],
    sections: rowSections(COLUMNS.join(' | '), [...report.bySeverity.map(rtoRow), rtoRow(all)]),
    footer: [
      'Time to verified recovery runs from the request to passing checks (or an accepted inconclusive result). RTO met % counts recovered and failed rollbacks that have an RTO.',
      scope.drills === 'only' ? 'Drills only.' : scope.drills === 'include' ? 'Drills are counted with the rest.' : 'Drills are left out: add `--drills` for a report on them.',
    ],
    fallback: `${title}: ${all.rollbacks} rollbacks, median ${all.medianMs === undefined ? '—' : formatDuration(all.medianMs)}, RTO met ${metText(all)}`,
  });
}
