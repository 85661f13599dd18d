/**
 * Rewind's Prometheus metrics, one registry per process (ingress and worker each expose theirs).
 * Label values come from the catalog (service, environment, step, check) or from fixed sets in code,
 * never from what a user typed, so a series count stays bounded.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { OutboundObserver } from '../outbound/http-client';

/** Seconds; from a quick step to a rollback that overran a one-hour RTO. */
const DURATION_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
/** Seconds; outbound calls and chat deliveries. */
const CALL_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface QueueSample {
  queue: string;
  counts: Record<'waiting' | 'active' | 'delayed' | 'failed' | 'prioritized', number>;
  /** Age of the oldest job waiting to start, 0 when none waits. */
  oldestWaitingSeconds: number;
}

export type QueueSampler = () => Promise<QueueSample[]>;

let processRegistry: Registry | undefined;

/** CPU, memory, event loop and GC: one set per process, however many Rewinds a test process builds. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export class Metrics {
  readonly registry = new Registry();

  readonly commands = new Counter({
    name: 'rewind_commands_total',
    help: 'Commands processed (chat, buttons, API, automatic signals), by kind and outcome (done, refused, error).',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly rollbacksStarted = new Counter({
    name: 'rewind_rollbacks_requested_total',
    help: 'Rollbacks created, by service, environment, trigger kind and severity.',
    labelNames: ['service', 'environment', 'trigger', 'severity'] as const,
    registers: [this.registry],
  });

  readonly rollbacksFinished = new Counter({
    name: 'rewind_rollbacks_total',
    help: 'Rollbacks that reached a final state, by service, environment, trigger kind and outcome (the final state).',
    labelNames: ['service', 'environment', 'trigger', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly stepDuration = new Histogram({
    name: 'rewind_step_duration_seconds',
    help: 'How long each step of a rollback plan took, by step and result.',
    labelNames: ['service', 'environment', 'step', 'result'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  readonly verificationDuration = new Histogram({
    name: 'rewind_verification_duration_seconds',
    help: 'How long post-rollback verification took, by result (passed, failed, inconclusive).',
    labelNames: ['service', 'environment', 'result'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  readonly recovery = new Histogram({
    name: 'rewind_recovery_seconds',
    help: 'From the rollback request to verified recovery, by service, environment and severity.',
    labelNames: ['service', 'environment', 'severity'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  readonly rtoMissed = new Counter({
    name: 'rewind_rto_missed_total',
    help: 'Rollbacks whose verified recovery (or failure) came after the environment\'s RTO for their severity.',
    labelNames: ['service', 'environment', 'severity'] as const,
    registers: [this.registry],
  });

  readonly approvalWait = new Histogram({
    name: 'rewind_approval_wait_seconds',
    help: 'From the request to the approval decision (approved, rejected, expired, cancelled).',
    labelNames: ['service', 'environment', 'decision'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  readonly autoSignals = new Counter({
    name: 'rewind_auto_signals_total',
    help: 'Automatic trigger signals evaluated, by source and what the safety rails decided.',
    labelNames: ['source', 'decision', 'reason'] as const,
    registers: [this.registry],
  });

  readonly chatDeliveries = new Counter({
    name: 'rewind_chat_deliveries_total',
    help: 'Chat messages delivered from the outbox, by platform and result (delivered, retry, error).',
    labelNames: ['platform', 'result'] as const,
    registers: [this.registry],
  });

  readonly outboundRequests = new Counter({
    name: 'rewind_outbound_requests_total',
    help: 'HTTP attempts to deploy platforms and verification targets, by target and result (2xx, 4xx, 5xx, timeout, error).',
    labelNames: ['target', 'result'] as const,
    registers: [this.registry],
  });

  readonly outboundRetries = new Counter({
    name: 'rewind_outbound_retries_total',
    help: 'HTTP attempts that were retried, by target.',
    labelNames: ['target'] as const,
    registers: [this.registry],
  });

  readonly outboundDuration = new Histogram({
    name: 'rewind_outbound_request_duration_seconds',
    help: 'Duration of each HTTP attempt to a deploy platform or verification target.',
    labelNames: ['target'] as const,
    buckets: CALL_BUCKETS,
    registers: [this.registry],
  });

  private readonly queueJobs = new Gauge({
    name: 'rewind_queue_jobs',
    help: 'Jobs in each BullMQ queue, by state, sampled at scrape time.',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });

  private readonly queueOldest = new Gauge({
    name: 'rewind_queue_oldest_waiting_seconds',
    help: 'Age of the oldest job waiting to start in each queue, sampled at scrape time.',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });

  /** Always 1: says a Rewind process of this role is up, for "no worker running" alerts. */
  private readonly info = new Gauge({
    name: 'rewind_info',
    help: 'A Rewind process; the role label says whether it runs the workers (worker, all) or only serves HTTP (ingress).',
    registers: [this.registry],
  });

  private sampler: QueueSampler | undefined;

  constructor(options: { role: string }) {
    this.registry.setDefaultLabels({ role: options.role });
    this.info.set(1);
  }

  /** Queue depth is read from Redis when Prometheus scrapes, not kept up to date between scrapes. */
  sampleQueuesWith(sampler: QueueSampler): void {
    this.sampler = sampler;
  }

  async exposition(): Promise<{ contentType: string; body: string }> {
    if (this.sampler) await this.sampleQueues(this.sampler);
    const [own, process] = await Promise.all([this.registry.metrics(), processMetrics().metrics()]);
    return { contentType: this.registry.contentType, body: `${own}\n${process}` };
  }

  private async sampleQueues(sampler: QueueSampler): Promise<void> {
    // A scrape while Redis is down still answers, with the process metrics; the gauges go stale.
    const samples = await sampler().catch(() => undefined);
    if (!samples) return;
    for (const sample of samples) {
      for (const [state, count] of Object.entries(sample.counts)) this.queueJobs.set({ queue: sample.queue, state }, count);
      this.queueOldest.set({ queue: sample.queue }, sample.oldestWaitingSeconds);
    }
  }
}

/** The `role` label: which half of Rewind this process is. */
export function roleName(roles: { ingress: boolean; worker: boolean }): string {
  if (roles.ingress && roles.worker) return 'all';
  return roles.ingress ? 'ingress' : 'worker';
}

/** Feeds the outbound HTTP client's attempts into the metrics. */
export function outboundObserver(metrics: Metrics): OutboundObserver {
  return {
    attempted(target, result, durationMs, willRetry) {
      metrics.outboundRequests.inc({ target, result });
      metrics.outboundDuration.observe({ target }, durationMs / 1_000);
      if (willRetry) metrics.outboundRetries.inc({ target });
    },
  };
}
