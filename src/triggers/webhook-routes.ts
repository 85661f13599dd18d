/**
 * Alert and deploy webhooks. Ingress only authenticates, validates, maps labels to a known
 * service, claims the firing's dedupe key and queues it; the safety rails run on a worker.
 * Statuses: 202 queued, 200 nothing to start (resolved, duplicate), 400 malformed, 401 not
 * authenticated, 404 hook not configured, 422 unknown service.
 */
import type { HooksConfig, WebhookSourceConfig } from '../config/catalog-schema';
import type { AutomationState } from '../domain/automation';
import { isRewindError } from '../domain/errors';
import type { Clock, ServiceCatalog } from '../domain/ports';
import type { CommandInput } from '../engine/commands';
import type { HttpRequest, HttpResponse, Route } from '../inbound/route';
import type { Logger } from '../observability/logger';
import { AlertmanagerPayload, deployPayloadSchema, GenericPayload, GrafanaPayload, parsePayload } from './alert-payloads';
import { alertmanagerSignals, genericSignals, grafanaSignals, type SignalBatch } from './alert-signals';
import { emitSignal } from './emit-signal';
import { verifyWebhook } from './webhook-auth';

export interface WebhookDeps {
  catalog: ServiceCatalog;
  hooks: HooksConfig;
  automation: AutomationState;
  enqueue: (command: CommandInput, dedupeId?: string) => Promise<void>;
  clock: Clock;
  logger: Logger;
}

type Result = { service?: string; environment?: string; outcome: 'queued' | 'duplicate' | 'resolved' | 'unknown_service' | 'skipped'; reason?: string };

type Source = keyof HooksConfig;

/** Authenticates and parses JSON; returns the body or the response to send instead. */
function admit(deps: WebhookDeps, source: Source, request: HttpRequest): { config: WebhookSourceConfig; body: unknown } | HttpResponse {
  const config = deps.hooks[source];
  if (!config) return { status: 404, body: { error: `the ${source} hook is not configured; add hooks.${source} to the catalog` } };
  const verdict = verifyWebhook(config.auth, request.headers, request.rawBody);
  if (!verdict.ok) {
    deps.logger.warn({ source, reason: verdict.reason }, 'rejected an unauthenticated webhook');
    return { status: 401, body: { error: verdict.reason } };
  }
  try {
    return { config, body: JSON.parse(request.rawBody.toString('utf8')) as unknown };
  } catch {
    return { status: 400, body: { error: 'the body is not JSON' } };
  }
}

const isResponse = (value: unknown): value is HttpResponse => typeof value === 'object' && value !== null && 'status' in value;

async function queueBatch(deps: WebhookDeps, batch: SignalBatch): Promise<HttpResponse> {
  const results: Result[] = batch.skipped.map((s) => ({ outcome: 'skipped', reason: s.reason }));
  for (const signal of batch.signals) {
    if (!signal.firing) {
      results.push({ service: signal.service, ...(signal.environment ? { environment: signal.environment } : {}), outcome: 'resolved', reason: 'resolved alerts never start anything' });
      continue;
    }
    let target;
    try {
      target = deps.catalog.resolve(signal.service, signal.environment);
    } catch (error) {
      if (!isRewindError(error)) throw error;
      results.push({ service: signal.service, outcome: 'unknown_service', reason: error.userMessage });
      continue;
    }
    const outcome = await emitSignal(
      {
        source: signal.source,
        service: target.service,
        environment: target.environment,
        ...(signal.severity ? { severity: signal.severity } : {}),
        firing: true,
        dedupeKey: signal.dedupeKey,
        title: signal.title,
        evidence: signal.evidence,
        links: signal.links,
        at: deps.clock.now(),
      },
      deps,
    );
    results.push({ service: target.service, environment: target.environment, outcome });
  }
  const queued = results.filter((r) => r.outcome === 'queued').length;
  const unknownOnly = results.length > 0 && results.every((r) => r.outcome === 'unknown_service');
  return { status: queued > 0 ? 202 : unknownOnly ? 422 : 200, body: { queued, results } };
}

function alertRoute(deps: WebhookDeps, source: 'alertmanager' | 'grafana' | 'generic'): Route {
  return {
    method: 'POST',
    path: `/hooks/${source}`,
    handler: async (request) => {
      const admitted = admit(deps, source, request);
      if (isResponse(admitted)) return admitted;
      const { config, body } = admitted;
      const labels = config.labels;
      let batch: SignalBatch;
      if (source === 'alertmanager') {
        const parsed = parsePayload(AlertmanagerPayload, body);
        if (!parsed.ok) return { status: 400, body: { error: parsed.reason } };
        batch = alertmanagerSignals(parsed.value, labels);
      } else if (source === 'grafana') {
        const parsed = parsePayload(GrafanaPayload, body);
        if (!parsed.ok) return { status: 400, body: { error: parsed.reason } };
        batch = grafanaSignals(parsed.value, labels);
      } else {
        const parsed = parsePayload(GenericPayload, body);
        if (!parsed.ok) return { status: 400, body: { error: parsed.reason } };
        batch = genericSignals(parsed.value);
      }
      return queueBatch(deps, batch);
    },
  };
}

function deployRoute(deps: WebhookDeps): Route {
  const schema = deployPayloadSchema(() => deps.clock.now());
  return {
    method: 'POST',
    path: '/hooks/deploy',
    handler: async (request) => {
      const admitted = admit(deps, 'deploy', request);
      if (isResponse(admitted)) return admitted;
      const parsed = parsePayload(schema, admitted.body);
      if (!parsed.ok) return { status: 400, body: { error: parsed.reason } };
      const deploy = parsed.value;
      let target;
      try {
        target = deps.catalog.resolve(deploy.service, deploy.environment);
      } catch (error) {
        if (!isRewindError(error)) throw error;
        return { status: 422, body: { error: error.userMessage } };
      }
      const event = { version: deploy.version, at: Date.parse(deploy.at), by: deploy.by, url: deploy.url, source: 'deploy-hook' };
      await deps.automation.recordDeploy(target.service, target.environment, event);
      return { status: 200, body: { recorded: { service: target.service, environment: target.environment, ...event } } };
    },
  };
}

export function webhookRoutes(deps: WebhookDeps): Route[] {
  return [alertRoute(deps, 'alertmanager'), alertRoute(deps, 'grafana'), alertRoute(deps, 'generic'), deployRoute(deps)];
}
