/**
 * The `command` plan step: a command from the catalog (never text from chat) run around the
 * provider's rollback, e.g. `npm run migrate:down`. Exit 0 is success; anything else fails the step
 * with the masked tail of its output.
 */
import type { CommandStepConfig } from '../config/catalog-schema';
import type { PlanStepContext, PlanStepRunner } from '../domain/ports';
import { describeDuration } from '../outbound/http-errors';
import { commandName } from '../domain/plan';
import { runCommand } from '../process/run-command';

export class CommandStep implements PlanStepRunner {
  constructor(private readonly step: CommandStepConfig) {}

  async run({ signal }: PlanStepContext): Promise<{ detail: string }> {
    const run = await runCommand({ run: this.step.run, cwd: this.step.cwd, env: this.step.env, timeoutMs: this.step.timeout }, signal);
    const what = commandName(this.step.run);
    const took = describeDuration(run.elapsedMs);
    const tail = run.tail.length ? `: ${run.tail.slice(-5).join(' | ')}` : '';
    switch (run.ending.kind) {
      case 'exit':
        if (run.ending.code === 0) return { detail: `${what} exited 0 in ${took}${tail}` };
        throw new Error(`${what} exited ${run.ending.code} after ${took}${tail}`);
      case 'signal':
        throw new Error(`${what} was killed by ${run.ending.signal} after ${took}${tail}`);
      case 'timeout':
        throw new Error(`${what} did not finish within ${describeDuration(this.step.timeout)}${tail}`);
      case 'unstartable':
        throw new Error(`could not start ${what} (${run.ending.code}); check run and cwd in the catalog`);
      case 'aborted':
        throw run.ending.reason;
    }
  }
}
