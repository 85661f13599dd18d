/**
 * The `http` check: the endpoint answers with the expected status, JSON fields and body text within
 * the latency budget, `repeat` times in a row. An unreachable endpoint is a failing sample.
 */
import type { HttpCheckConfig } from '../config/catalog-schema';
import type { Clock, Verifier, VerifyContext } from '../domain/ports';
import type { CheckResult, Sample } from '../domain/verification';
import type { HttpClient } from '../outbound/http-client';
import { describeDuration } from '../outbound/http-errors';
import { measure } from './measure';
import { readPath, showValue, valueMatches } from '../json/json-path';

interface Probe {
  ok: boolean;
  /** `503 in 12 ms, health = unhealthy` or `connection refused`. */
  summary: string;
  problems: string[];
}

export class HttpVerifier implements Verifier {
  readonly type = 'http';
  readonly name: string;
  private readonly expectedStatuses: number[];

  constructor(
    private readonly check: HttpCheckConfig,
    private readonly deps: { http: HttpClient; clock: Clock },
  ) {
    this.name = check.name ?? `http ${pathOf(check.url)}`;
    const status = check.expect.status;
    this.expectedStatuses = Array.isArray(status) ? status : [status];
  }

  async verify({ signal }: VerifyContext): Promise<CheckResult> {
    const { clock } = this.deps;
    const started = clock.now();
    if (this.check.initialDelay > 0) await clock.sleep(this.check.initialDelay, signal);
    const samples: Sample[] = [];
    let last: Probe | undefined;
    for (let attempt = 1; attempt <= this.check.repeat; attempt++) {
      if (attempt > 1) await clock.sleep(this.check.interval, signal);
      last = await this.probe(signal);
      samples.push({ at: clock.now(), outcome: last.ok ? 'pass' : 'fail', value: last.summary, ...(last.problems.length ? { note: last.problems.join('; ') } : {}) });
      // One miss already fails the check; more requests would only delay the verdict.
      if (!last.ok) break;
    }
    const probe = last!;
    const repeat = this.check.repeat;
    const measured = repeat === 1 ? probe.summary : probe.ok ? `${repeat}/${repeat} passed, last ${probe.summary}` : `attempt ${samples.length} of ${repeat}: ${probe.summary}`;
    return {
      name: this.name,
      type: this.type,
      status: probe.ok ? 'pass' : 'fail',
      measured,
      threshold: this.threshold(),
      durationMs: clock.now() - started,
      samples,
    };
  }

  private async probe(signal: AbortSignal | undefined): Promise<Probe> {
    const result = await measure(this.deps.http, { method: this.check.method, url: this.check.url, headers: this.check.headers, timeoutMs: this.check.timeout, checkName: this.name, signal });
    if ('unreachable' in result) return { ok: false, summary: result.unreachable, problems: [result.unreachable] };
    const { response } = result;

    const problems: string[] = [];
    const parts = [`${response.status} in ${describeDuration(response.durationMs)}`];
    if (!this.expectedStatuses.includes(response.status)) problems.push(`status ${response.status}`);

    const expectedJson = Object.entries(this.check.expect.json ?? {});
    if (expectedJson.length) {
      let body: unknown;
      let parsed = true;
      try {
        body = response.json();
      } catch {
        parsed = false;
      }
      if (!parsed) {
        parts.push('body is not JSON');
        problems.push('body is not JSON');
      } else {
        for (const [path, expected] of expectedJson) {
          const found = readPath(body, path);
          if (!found.found) {
            parts.push(`${path} missing`);
            problems.push(`${path} missing`);
          } else {
            parts.push(`${path} = ${showValue(found.value)}`);
            if (!valueMatches(found.value, expected)) problems.push(`${path} is ${showValue(found.value)}, not ${showValue(expected)}`);
          }
        }
      }
    }

    const needle = this.check.expect.bodyContains;
    if (needle !== undefined && !response.text.includes(needle)) {
      parts.push(`body lacks "${showValue(needle, 40)}"`);
      problems.push(`body lacks "${showValue(needle, 40)}"`);
    }

    const budget = this.check.latencyBudget;
    if (budget !== undefined && response.durationMs > budget) problems.push(`${describeDuration(response.durationMs)} is over the ${describeDuration(budget)} budget`);

    return { ok: problems.length === 0, summary: parts.join(', '), problems };
  }

  private threshold(): string {
    const parts = [`status ${this.expectedStatuses.join(' or ')}`];
    for (const [path, expected] of Object.entries(this.check.expect.json ?? {})) parts.push(`${path} = ${showValue(expected)}`);
    if (this.check.expect.bodyContains !== undefined) parts.push(`body contains "${showValue(this.check.expect.bodyContains, 40)}"`);
    if (this.check.latencyBudget !== undefined) parts.push(`within ${describeDuration(this.check.latencyBudget)}`);
    if (this.check.repeat > 1) parts.push(`${this.check.repeat} times in a row`);
    return parts.join(', ');
  }
}

/** `/health` from `http://host:8080/health?x=1`: enough to tell checks apart in a thread. */
function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
