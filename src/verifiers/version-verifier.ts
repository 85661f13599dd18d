/**
 * The `version` check: the version an endpoint reports equals the rollback's target (or `expect`).
 * It tries up to `attempts` times, because caches and slow switches lag; unreachable fails.
 */
import type { VersionCheckConfig } from '../config/catalog-schema';
import type { Clock, Verifier, VerifyContext } from '../domain/ports';
import { sameVersion } from '../domain/release';
import type { CheckResult, Sample } from '../domain/verification';
import type { HttpClient } from '../outbound/http-client';
import { measure } from './measure';
import { readPath, showValue } from '../json/json-path';

interface Reading {
  /** The version seen, when there was one. */
  version?: string;
  /** What a person reads: `live 2.4.1`, `no build.version in the answer`, `connection refused`. */
  summary: string;
}

export class VersionVerifier implements Verifier {
  readonly type = 'version';
  readonly name: string;

  constructor(
    private readonly check: VersionCheckConfig,
    private readonly deps: { http: HttpClient; clock: Clock },
  ) {
    this.name = check.name ?? 'version';
  }

  async verify({ target, signal }: VerifyContext): Promise<CheckResult> {
    const { clock } = this.deps;
    const started = clock.now();
    if (!this.check.expect && target.versionUnknown) return this.nothingToCompare(target.version, started, signal);
    const expected = this.check.expect ?? target.version;
    if (this.check.initialDelay > 0) await clock.sleep(this.check.initialDelay, signal);
    const samples: Sample[] = [];
    let reading: Reading | undefined;
    let matched = false;
    for (let attempt = 1; attempt <= this.check.attempts; attempt++) {
      if (attempt > 1) await clock.sleep(this.check.interval, signal);
      reading = await this.read(signal);
      matched = reading.version !== undefined && sameVersion(reading.version, expected);
      samples.push({ at: clock.now(), outcome: matched ? 'pass' : 'fail', value: reading.version ?? reading.summary });
      if (matched) break;
    }
    const tries = samples.length > 1 ? ` after ${samples.length} attempts` : '';
    return {
      name: this.name,
      type: this.type,
      status: matched ? 'pass' : 'fail',
      measured: `${reading!.summary}${tries}`,
      threshold: expected,
      durationMs: clock.now() - started,
      samples,
    };
  }

  /**
   * The target was named by where it runs and its release is still unknown: show what is live, and
   * leave the judgement to a person rather than pass a check that compared nothing.
   */
  private async nothingToCompare(targetLabel: string, started: number, signal: AbortSignal | undefined): Promise<CheckResult> {
    const { clock } = this.deps;
    if (this.check.initialDelay > 0) await clock.sleep(this.check.initialDelay, signal);
    const reading = await this.read(signal);
    return {
      name: this.name,
      type: this.type,
      status: 'inconclusive',
      measured: `${reading.summary}; the target (${targetLabel}) had no known version to compare with`,
      threshold: 'the target release (unknown)',
      durationMs: clock.now() - started,
      samples: [{ at: clock.now(), outcome: 'inconclusive', value: reading.version ?? reading.summary }],
    };
  }

  private async read(signal: AbortSignal | undefined): Promise<Reading> {
    const result = await measure(this.deps.http, { url: this.check.url, headers: { accept: 'application/json', ...this.check.headers }, timeoutMs: this.check.timeout, checkName: this.name, signal });
    if ('unreachable' in result) return { summary: `unreachable: ${result.unreachable}` };
    const { response } = result;
    if (response.status < 200 || response.status >= 300) return { summary: `answered ${response.status}` };
    let body: unknown;
    try {
      body = response.json();
    } catch {
      return { summary: 'answer is not JSON' };
    }
    const found = readPath(body, this.check.path);
    if (!found.found || found.value === null || found.value === undefined) return { summary: `no ${this.check.path} in the answer` };
    if (typeof found.value === 'object') return { summary: `${this.check.path} is not a version: ${showValue(found.value)}` };
    const version = String(found.value);
    return { version, summary: `live ${showValue(version)}` };
  }
}
