/**
 * The `command` check: a team's own smoke test (seed 003: `npm run test:e2e:smoke`) run from the
 * catalog's argv, without a shell. Exit 0 within the timeout passes; any other exit, a signal or the
 * timeout fails. The evidence is the masked tail of what it printed.
 */
import type { CommandCheckConfig } from '../config/catalog-schema';
import type { Clock, Verifier, VerifyContext } from '../domain/ports';
import type { CheckResult, CheckStatus } from '../domain/verification';
import { describeDuration } from '../outbound/http-errors';
import { commandName } from '../domain/plan';
import { describeEnding, runCommand, type CommandRun } from '../process/run-command';

/** `measured` is one line in a chat message; the whole tail stays in the sample's note. */
const MEASURED_TAIL_CHARS = 1_000;

export class CommandVerifier implements Verifier {
  readonly type = 'command';
  readonly name: string;

  constructor(
    private readonly check: CommandCheckConfig,
    private readonly deps: { clock: Clock },
  ) {
    this.name = check.name ?? commandName(check.run);
  }

  async verify({ signal }: VerifyContext): Promise<CheckResult> {
    const { clock } = this.deps;
    const started = clock.now();
    if (this.check.initialDelay > 0) await clock.sleep(this.check.initialDelay, signal);
    const run = await runCommand({ run: this.check.run, cwd: this.check.cwd, env: this.check.env, timeoutMs: this.check.timeout }, signal);
    if (run.ending.kind === 'aborted') throw run.ending.reason;
    const { status, measured } = this.judge(run);
    return {
      name: this.name,
      type: this.type,
      status,
      measured,
      threshold: `exit 0 within ${describeDuration(this.check.timeout)}`,
      durationMs: clock.now() - started,
      samples: [{ at: clock.now(), outcome: status, value: describeEnding(run.ending), ...(run.tail.length ? { note: run.tail.join('\n') } : {}) }],
    };
  }

  private judge({ ending, elapsedMs, tail }: CommandRun): { status: CheckStatus; measured: string } {
    const last = tail.length ? `: ${shorten(tail.join(' | '))}` : '';
    switch (ending.kind) {
      case 'exit':
        return ending.code === 0
          ? { status: 'pass', measured: `exit 0 in ${seconds(elapsedMs)}` }
          : { status: 'fail', measured: `exit ${ending.code} in ${seconds(elapsedMs)}${last}` };
      case 'signal':
        return { status: 'fail', measured: `killed by ${ending.signal} after ${seconds(elapsedMs)}${last}` };
      case 'timeout':
        return { status: 'fail', measured: `timed out after ${describeDuration(this.check.timeout)}${last}` };
      case 'unstartable':
        // The command never ran, so nothing was learned about the release: a person decides.
        return { status: 'inconclusive', measured: `could not start ${this.check.run[0] ?? 'the command'} (${ending.code}); check run and cwd` };
      case 'aborted':
        throw ending.reason;
    }
  }

}

/** The end of `text`, where a failing run says why. */
function shorten(text: string): string {
  return text.length > MEASURED_TAIL_CHARS ? `…${text.slice(text.length - MEASURED_TAIL_CHARS)}` : text;
}

/** `1.2 s`: a test run is read in seconds. */
function seconds(ms: number): string {
  return `${(ms / 1_000).toFixed(1)} s`;
}

