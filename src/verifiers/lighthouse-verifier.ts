/**
 * The `lighthouse` check: a Lighthouse audit of a page, each requested category's score out of 100.
 * Every category at `min` or above passes; any below `failBelow` fails (seed 003: "> 90" is good,
 * "rollback if score < 70"); in between a person decides. When nothing could be measured (no
 * Chromium, the page does not load, Lighthouse crashes or runs out of time) the check is
 * inconclusive with the reason: a missing score is never a pass.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import type { LighthouseCheckConfig } from '../config/catalog-schema';
import type { Clock, Verifier, VerifyContext } from '../domain/ports';
import type { CheckResult, CheckStatus, Sample } from '../domain/verification';
import { describeDuration } from '../outbound/http-errors';
import { runLighthouse, type LighthouseRun } from './lighthouse-process';

/** Debian's Chromium unless CHROME_PATH names another (the variable chrome-launcher itself reads). */
export function defaultChromePath(): string {
  return process.env['CHROME_PATH'] ?? '/usr/bin/chromium';
}

// ---- The parts of Lighthouse's JSON report (LHR) the check reads ----

export const LighthouseReport = z.object({
  runtimeError: z.object({ code: z.string().optional(), message: z.string().optional() }).optional(),
  categories: z.record(
    z.string(),
    z.object({
      score: z.number().nullable(),
      auditRefs: z.array(z.object({ id: z.string(), weight: z.number() })).default([]),
    }),
  ),
  audits: z.record(
    z.string(),
    z.object({
      score: z.number().nullable().optional(),
      displayValue: z.string().optional(),
      errorMessage: z.string().optional(),
    }),
  ),
});
export type LighthouseReport = z.infer<typeof LighthouseReport>;

export interface Limits {
  min: number;
  failBelow: number;
}

/** What a report says, judged: the status, what a person reads, and one sample per category. */
export interface Judgement {
  status: CheckStatus;
  measured: string;
  samples: Omit<Sample, 'at'>[];
}

export class LighthouseVerifier implements Verifier {
  readonly type = 'lighthouse';
  readonly name: string;
  private readonly limits: Limits;

  constructor(
    private readonly check: LighthouseCheckConfig,
    private readonly deps: { clock: Clock; chromePath?: string; workRoot?: string },
  ) {
    this.name = check.name ?? 'lighthouse';
    this.limits = { min: check.min, failBelow: check.failBelow ?? check.min };
  }

  async verify({ signal }: VerifyContext): Promise<CheckResult> {
    const { clock } = this.deps;
    const started = clock.now();
    if (this.check.initialDelay > 0) await clock.sleep(this.check.initialDelay, signal);
    const judged = await this.measure(signal);
    const at = clock.now();
    return {
      name: this.name,
      type: this.type,
      status: judged.status,
      measured: judged.measured,
      threshold: describeLimits(this.limits),
      durationMs: at - started,
      samples: judged.samples.map((sample) => ({ at, ...sample })),
    };
  }

  private async measure(signal: AbortSignal | undefined): Promise<Judgement> {
    const chromePath = this.deps.chromePath ?? defaultChromePath();
    // chrome-launcher would only fail after ~25 s of retries; say plainly what is missing instead.
    if (!existsSync(chromePath)) return couldNotMeasure(`Chromium not found at ${chromePath}`);
    const run = await runLighthouse({ url: this.check.url, categories: this.check.categories, chromePath, timeoutMs: this.check.timeout, signal, workRoot: this.deps.workRoot });
    return judgeRun(run, this.check.categories, this.limits, this.check.timeout, redactor(this.check.url));
  }
}

/** `≥ 90 (fail below 70)`, or `≥ 90` when the two limits are the same. */
export function describeLimits({ min, failBelow }: Limits): string {
  return failBelow === min ? `≥ ${min}` : `≥ ${min} (fail below ${failBelow})`;
}

function couldNotMeasure(reason: string): Judgement {
  return { status: 'inconclusive', measured: `could not measure: ${reason}`, samples: [{ outcome: 'inconclusive', note: reason }] };
}

/**
 * Removes the page's URL (and its query and password, where catalog `${ENV}` secrets end up)
 * from text Lighthouse wrote, before that text reaches a thread.
 */
export function redactor(url: string): (text: string) => string {
  const secrets = new Set<string>([url]);
  try {
    const parsed = new URL(url);
    secrets.add(parsed.href);
    for (const part of [parsed.search, parsed.password]) {
      if (part.length > 1) secrets.add(part).add(decoded(part));
    }
  } catch {
    // Not a URL we can take apart: the whole string is still removed.
  }
  // Longest first, so a URL is replaced whole before its query is.
  const ordered = [...secrets].sort((a, b) => b.length - a.length);
  return (text) => ordered.reduce((out, secret) => out.split(secret).join('[url]'), text);
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The last meaningful line Lighthouse wrote to stderr, which usually says why it stopped. */
function lastLine(text: string): string | undefined {
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line.length > 0);
  return lines.at(-1)?.slice(0, 300);
}

export function judgeRun(run: LighthouseRun, categories: readonly string[], limits: Limits, timeoutMs: number, redact: (text: string) => string): Judgement {
  if (run.kind === 'timed-out') return couldNotMeasure(`Lighthouse did not finish within ${describeDuration(timeoutMs)}; stopped it`);
  if (run.kind === 'not-started') return couldNotMeasure(redact(run.reason));
  let body: unknown;
  try {
    body = JSON.parse(run.stdout);
  } catch {
    const why = lastLine(run.stderrTail);
    return couldNotMeasure(redact(`Lighthouse exited with code ${run.exitCode ?? 'none'} without a report${why ? `: ${why}` : ''}`));
  }
  const report = LighthouseReport.safeParse(body);
  if (!report.success) return couldNotMeasure('Lighthouse wrote a report this check cannot read');
  return judgeReport(report.data, categories, limits, redact);
}

/** Scores each requested category; any category without a score leaves the whole check inconclusive. */
export function judgeReport(report: LighthouseReport, categories: readonly string[], limits: Limits, redact: (text: string) => string): Judgement {
  if (report.runtimeError) {
    const { code, message } = report.runtimeError;
    return couldNotMeasure(redact(`${message ?? 'Lighthouse could not load the page'}${code ? ` (${code})` : ''}`));
  }
  const scores: { category: string; score: number }[] = [];
  for (const category of categories) {
    const score = report.categories[category]?.score;
    if (score === undefined || score === null) return couldNotMeasure(redact(`no ${category} score${firstAuditError(report, category)}`));
    // Rounded as Lighthouse shows it, so the number in the thread is the number judged.
    scores.push({ category, score: Math.round(score * 100) });
  }
  const outcomeOf = (score: number): CheckStatus => (score < limits.failBelow ? 'fail' : score >= limits.min ? 'pass' : 'inconclusive');
  const outcomes = scores.map(({ score }) => outcomeOf(score));
  // A score the catalog calls failing fails, even were `failBelow` set above `min`.
  const status: CheckStatus = outcomes.includes('fail') ? 'fail' : outcomes.includes('inconclusive') ? 'inconclusive' : 'pass';
  const evidence = categories.includes('performance') ? worstAudits(report, 3) : [];
  const measured = scores.map(({ category, score }) => `${category} ${score}`).join(', ') + (evidence.length ? `; worst: ${evidence.join(', ')}` : '');
  const samples = scores.map(({ category, score }, i) => ({
    outcome: outcomes[i]!,
    value: `${category} ${score}`,
    ...(category === 'performance' && evidence.length ? { note: evidence.join(', ') } : {}),
  }));
  return { status, measured, samples };
}

/** Why a category has no score, from the first of its audits that errored. */
function firstAuditError(report: LighthouseReport, category: string): string {
  for (const ref of report.categories[category]?.auditRefs ?? []) {
    const message = report.audits[ref.id]?.errorMessage;
    if (message) return `: ${message.slice(0, 200)}`;
  }
  return '';
}

/**
 * The performance audits that cost the most points, by weight × (1 − score), as
 * `largest-contentful-paint 3.1 s`: where to look first when the score is low.
 */
export function worstAudits(report: LighthouseReport, count: number): string[] {
  const refs = report.categories['performance']?.auditRefs ?? [];
  return refs
    .flatMap((ref) => {
      const audit = report.audits[ref.id];
      if (ref.weight <= 0 || audit?.score === undefined || audit.score === null) return [];
      const lost = ref.weight * (1 - audit.score);
      const shown = audit.displayValue ? `${ref.id} ${plainValue(audit.displayValue)}` : ref.id;
      return lost > 0 ? [{ lost, shown }] : [];
    })
    .sort((a, b) => b.lost - a.lost)
    .slice(0, count)
    .map((audit) => audit.shown);
}

/**
 * `2,010 ms` as `2010 ms`: the audits are listed with commas between them. Lighthouse also puts a
 * no-break space between number and unit, which some chat clients show oddly.
 */
function plainValue(displayValue: string): string {
  return displayValue.replace(/(\d),(?=\d{3}\b)/g, '$1').replace(/\s+/g, ' ');
}
