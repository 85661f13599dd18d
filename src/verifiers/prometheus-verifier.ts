/**
 * The `prometheus` check: an instant query measured `count` times, each value on the healthy side
 * of `below`/`above`; breaches beyond `failureLimit` fail. No data, NaN or an unreachable or
 * erroring Prometheus are inconclusive: missing evidence is never a pass, nor proof of a bad release.
 */
import { z } from 'zod';
import type { PrometheusCheckConfig } from '../config/catalog-schema';
import type { Clock, Verifier, VerifyContext } from '../domain/ports';
import { alreadyFailed, judgeSamples, type CheckResult, type CheckStatus, type Sample, type SamplingPlan } from '../domain/verification';
import type { HttpClient } from '../outbound/http-client';
import { measure } from './measure';
import { describeDuration } from '../outbound/http-errors';

// ---- Prometheus' HTTP API answers (values are strings: "0.12", "NaN", "+Inf") ----

const ValuePair = z.tuple([z.union([z.number(), z.string()]), z.string()]);
const VectorResult = z.array(z.object({ metric: z.record(z.string(), z.string()).default({}), value: ValuePair }));
const QuerySuccess = z.object({
  status: z.literal('success'),
  data: z.object({ resultType: z.string(), result: z.unknown() }),
});
const QueryError = z.object({ status: z.literal('error'), errorType: z.string().optional(), error: z.string().optional() });

function describeIssues(error: z.ZodError): string {
  return error.issues.slice(0, 2).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}

interface Series {
  labels: Record<string, string>;
  value: number;
}

interface Reading {
  outcome: CheckStatus;
  /** The value judged: the worst series' value. */
  worst?: number;
  /** What a person reads for this measurement. */
  text: string;
}

/** Prometheus' number strings; undefined when it is not a number at all. */
export function parsePrometheusValue(text: string): number | undefined {
  const t = text.trim();
  if (t === 'NaN') return Number.NaN;
  if (t === '+Inf' || t === 'Inf') return Number.POSITIVE_INFINITY;
  if (t === '-Inf') return Number.NEGATIVE_INFINITY;
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isNaN(n) ? undefined : n;
}

function showNumber(n: number): string {
  if (n === Number.POSITIVE_INFINITY) return '+Inf';
  if (n === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Number.isNaN(n)) return 'NaN';
  return String(Number(n.toPrecision(4)));
}

function showLabels(labels: Record<string, string>): string {
  const text = `{${Object.entries(labels).filter(([k]) => k !== '__name__').map(([k, v]) => `${k}="${v}"`).join(', ')}}`;
  return text.length > 60 ? `${text.slice(0, 59)}…}` : text;
}

export class PrometheusVerifier implements Verifier {
  readonly type = 'prometheus';
  readonly name: string;
  private readonly plan: SamplingPlan;
  private readonly side: { op: '<' | '>'; limit: number };

  constructor(
    private readonly check: PrometheusCheckConfig,
    private readonly deps: { http: HttpClient; clock: Clock },
  ) {
    this.name = check.name ?? 'prometheus';
    const count = check.count ?? (check.for !== undefined ? Math.max(1, Math.ceil(check.for / Math.max(1, check.interval))) : 1);
    this.plan = { count, intervalMs: check.interval, failureLimit: check.failureLimit };
    // The schema demands exactly one of below/above.
    this.side = check.below !== undefined ? { op: '<', limit: check.below } : { op: '>', limit: check.above ?? 0 };
  }

  async verify({ signal }: VerifyContext): Promise<CheckResult> {
    const { clock } = this.deps;
    const started = clock.now();
    if (this.check.initialDelay > 0) await clock.sleep(this.check.initialDelay, signal);
    const samples: Sample[] = [];
    const readings: Reading[] = [];
    for (let i = 0; i < this.plan.count; i++) {
      if (i > 0) await clock.sleep(this.plan.intervalMs, signal);
      const reading = await this.measure(signal);
      readings.push(reading);
      samples.push({
        at: clock.now(),
        outcome: reading.outcome,
        ...(reading.worst !== undefined ? { value: showNumber(reading.worst) } : {}),
        note: reading.text,
      });
      if (alreadyFailed(samples, this.plan)) break;
    }
    const status = judgeSamples(samples, this.plan);
    return {
      name: this.name,
      type: this.type,
      status,
      measured: this.summarize(status, readings),
      threshold: this.threshold(),
      durationMs: clock.now() - started,
      samples,
    };
  }

  private breaches(value: number): boolean {
    return this.side.op === '<' ? !(value < this.side.limit) : !(value > this.side.limit);
  }

  /** The series closest to (or furthest past) the threshold: the max for `below`, the min for `above`. */
  private worstOf<T extends { value: number }>(items: T[]): T | undefined {
    return items.reduce<T | undefined>((worst, item) => {
      if (!worst) return item;
      return this.side.op === '<' ? (item.value > worst.value ? item : worst) : item.value < worst.value ? item : worst;
    }, undefined);
  }

  private async measure(signal: AbortSignal | undefined): Promise<Reading> {
    const url = `${this.check.url.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(this.check.query)}`;
    const measured = await measure(this.deps.http, { url, headers: { accept: 'application/json', ...this.check.headers }, timeoutMs: this.check.timeout, checkName: this.name, signal });
    if ('unreachable' in measured) return { outcome: 'inconclusive', text: `Prometheus unreachable: ${measured.unreachable}` };
    const { response } = measured;

    let body: unknown;
    try {
      body = response.json();
    } catch {
      return { outcome: 'inconclusive', text: `Prometheus answered ${response.status} with a body that is not JSON` };
    }
    const failed = QueryError.safeParse(body);
    if (failed.success) {
      const kind = failed.data.errorType ? ` (${failed.data.errorType})` : '';
      return { outcome: 'inconclusive', text: `Prometheus error${kind}: ${(failed.data.error ?? `status ${response.status}`).slice(0, 200)}` };
    }
    if (response.status < 200 || response.status >= 300) return { outcome: 'inconclusive', text: `Prometheus answered ${response.status}` };
    const ok = QuerySuccess.safeParse(body);
    if (!ok.success) return { outcome: 'inconclusive', text: `unexpected answer from Prometheus (${describeIssues(ok.error)})` };

    const { resultType, result } = ok.data.data;
    let series: Series[];
    if (resultType === 'vector') {
      const parsed = VectorResult.safeParse(result);
      if (!parsed.success) return { outcome: 'inconclusive', text: `unexpected vector from Prometheus (${describeIssues(parsed.error)})` };
      series = [];
      for (const s of parsed.data) {
        const value = parsePrometheusValue(s.value[1]);
        if (value === undefined) return { outcome: 'inconclusive', text: `Prometheus returned a value that is not a number: "${s.value[1].slice(0, 40)}"` };
        series.push({ labels: s.metric, value });
      }
    } else if (resultType === 'scalar') {
      const parsed = ValuePair.safeParse(result);
      const value = parsed.success ? parsePrometheusValue(parsed.data[1]) : undefined;
      if (value === undefined) return { outcome: 'inconclusive', text: 'Prometheus returned a scalar that is not a number' };
      series = [{ labels: {}, value }];
    } else {
      return { outcome: 'inconclusive', text: `the query returns a ${resultType}, not a number; use an instant vector or scalar query` };
    }
    return this.judge(series);
  }

  private judge(series: Series[]): Reading {
    if (series.length === 0) return { outcome: 'inconclusive', text: 'no data (empty result)' };
    const numbers = series.filter((s) => !Number.isNaN(s.value));
    const nan = series.length - numbers.length;
    const many = series.length > 1;
    const show = (s: Series) => (many ? `${showNumber(s.value)} ${showLabels(s.labels)}` : showNumber(s.value));
    const breaching = this.worstOf(numbers.filter((s) => this.breaches(s.value)));
    if (breaching) return { outcome: 'fail', worst: breaching.value, text: show(breaching) };
    // A series without a number may be the one that is failing: no pass on partial evidence.
    if (nan > 0) {
      return { outcome: 'inconclusive', text: many ? `NaN in ${nan} of ${series.length} series (no data to compute from)` : 'NaN (no data to compute from)' };
    }
    const worst = this.worstOf(numbers)!;
    return { outcome: 'pass', worst: worst.value, text: show(worst) };
  }

  private summarize(status: CheckStatus, readings: Reading[]): string {
    if (readings.length === 1) return readings[0]!.text;
    const taken = readings.length;
    const worst = this.worstOf(readings.filter((r) => r.worst !== undefined).map((r) => ({ value: r.worst!, text: r.text })));
    if (status === 'fail') {
      const breached = readings.filter((r) => r.outcome === 'fail').length;
      return `${worst?.text ?? 'breached'}; ${breached} of ${taken} samples breached`;
    }
    if (status === 'inconclusive') {
      const unclear = readings.filter((r) => r.outcome === 'inconclusive');
      return `${unclear.length} of ${taken} samples inconclusive: ${unclear[0]!.text}` + (worst ? `; worst measured ${worst.text}` : '');
    }
    return `worst ${worst?.text ?? 'n/a'} over ${taken} samples`;
  }

  private threshold(): string {
    let text = `${this.side.op} ${showNumber(this.side.limit)}`;
    if (this.plan.count > 1) text += ` in ${this.plan.count} samples ${describeDuration(this.plan.intervalMs)} apart`;
    if (this.plan.failureLimit > 0) text += `, ${this.plan.failureLimit} breach${this.plan.failureLimit === 1 ? '' : 'es'} tolerated`;
    return text;
  }
}
