/** `/rollback help`: the command grammar (SPEC §3) with a line on each form, and two examples. */
import type { Message } from '../../domain/message';
import { compose } from './compose';

type Usage = readonly [string, string];

const START: readonly Usage[] = [
  ['/rollback <service> [<environment>]', 'Roll back to the last stable release. Environment defaults to the only or first one.'],
  ['  --to <release>', 'Roll back to this release instead of the last stable one.'],
  ['  --severity critical|high|medium|low', 'Sets the approval rule and the RTO target (critical runs at once).'],
  ['  --reason <text...>', 'Why: shown in the notification and kept in the history.'],
  ['  --dry-run', 'Show what would happen and change nothing.'],
];

/** Practice: a real rollback on purpose, timed against the RTO, recorded apart from incidents. */
const DRILLS: readonly Usage[] = [
  ['/rollback drill <service> <environment>', 'A drill: a real rollback marked DRILL, timed end to end against the RTO, ending in a drill report. Refused on production unless the catalog allows it.'],
  ['  --severity critical|high|medium|low --to <release> --reason <text...>', 'Which RTO (and approval rule) it is held to, where it goes, and why.'],
];

const OTHERS: readonly Usage[] = [
  ['/rollback status [<rollback-id>|<service>]', 'A rollback in detail, or everything in progress.'],
  ['/rollback releases <service> [<environment>]', 'Recent releases, with a button to roll back to one.'],
  ['/rollback cancel <rollback-id>', 'Cancel before the rollback step starts (Abort stops a running one).'],
  ['/rollback unlock <service> [<environment>]', 'Allow automatic rollbacks again after a rollback locked the environment.'],
  ['/rollback pause-auto|resume-auto <service> [<environment>]', 'Stop or restart automatic rollbacks for a service.'],
  ['/rollback help', 'This message.'],
];

/** The records a team keeps: history and its exports, post-mortem drafts, the RTO report. */
const RECORDS: readonly Usage[] = [
  ['/rollback history [<service>] [--limit N]', 'Past rollbacks: date, time, trigger, method, duration, root cause.'],
  ['  --env <environment> --outcome <outcome> --trigger manual|auto|alert --since 30d|<date>', 'Only the rollbacks that match.'],
  ['  --drills', 'Only drills (left out of the history, exports and report otherwise).'],
  ['  --format csv|md|json', 'The history as a file in the channel: CSV or JSON for spreadsheets, Markdown for the runbook log.'],
  ['/rollback postmortem <rollback-id>', 'A post-mortem draft (Markdown) from the audit trail, posted in the rollback’s thread.'],
  ['/rollback report [<service>] [--since 30d|<date>] [--drills]', 'RTO report: median and worst time to verified recovery, RTO met %, by severity.'],
];

/** One line per form; options are indented under the command they belong to. */
function describe(usages: readonly Usage[]): string {
  return usages.map(([usage, what]) => `${usage.startsWith(' ') ? '    ' : ''}\`${usage.trim()}\` — ${what}`).join('\n');
}

export function helpMessage(): Message {
  return compose({
    kind: 'help',
    tone: 'info',
    title: 'Rewind: /rollback commands',
    text: '`key=value` works wherever `--key value` does, and quotes group words. On Discord the same commands are subcommands with typed options.',
    sections: [
      { heading: 'Start a rollback', text: describe(START) },
      { heading: 'Drills', text: describe(DRILLS) },
      { heading: 'Follow and manage', text: describe(OTHERS) },
      { heading: 'Records', text: describe(RECORDS) },
      {
        heading: 'Examples',
        text: [
          '`/rollback checkout-api production --severity critical --reason "500s on checkout after 2.4.1"`',
          '`/rollback checkout-api --to 2.3.9 --dry-run`',
        ].join('\n'),
      },
    ],
    fallback: 'Rewind help: /rollback <service> [<environment>] [--to <release>] [--severity …] [--reason …] [--dry-run]; drill, status, history, postmortem, report, releases, cancel, unlock, help',
  });
}
