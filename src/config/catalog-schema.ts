/**
 * The service catalog's schema (SPEC §2). Field names are part of the contract. Durations are
 * parsed to milliseconds; defaults that need parsing use `.prefault()` so they go through the transform.
 */
import { z } from 'zod';
import { SEVERITIES, Severity } from '../domain/severity';
import { pathProblem } from '../json/json-path';
import { Duration } from './duration';

/** A strict object whose unknown-key error names the valid fields. */
function strict<T extends z.ZodRawShape>(shape: T) {
  const valid = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}; valid fields: ${valid}` : undefined),
  });
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const NAME_HINT = 'names use lowercase letters, digits, ".", "_" and "-" (at most 63, starting with a letter or digit)';
const HttpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });

const OneOrMany = z.union([z.string().min(1), z.array(z.string().min(1))]).transform((v) => (Array.isArray(v) ? v : [v]));

export const ChannelsConfig = strict({
  slack: OneOrMany.optional(),
  discord: OneOrMany.optional(),
  console: OneOrMany.optional(),
});

export const ApproversConfig = strict({
  slack: z.array(z.string().min(1)).optional(),
  discord: z.array(z.string().min(1)).optional(),
  console: z.array(z.string().min(1)).optional(),
});

export const ApprovalRuleConfig = strict({
  /** 0 runs at once; N waits for N distinct approvers. */
  required: z.number().int().min(0).max(5).optional(),
  approvers: ApproversConfig.optional(),
  timeout: Duration.optional(),
  /** Refuse requests of this severity with this message. */
  refuse: z.string().min(1).max(500).optional(),
}).superRefine((rule, ctx) => {
  if (rule.refuse !== undefined && rule.required !== undefined) {
    ctx.addIssue({ code: 'custom', message: 'use either "refuse" or "required", not both' });
  }
  if (rule.refuse === undefined && rule.required === undefined) {
    ctx.addIssue({ code: 'custom', message: 'set "required" (0 runs at once, N waits for N approvals) or "refuse" (a message)' });
  }
});

const severityShape = <T extends z.ZodType>(value: T) =>
  Object.fromEntries(SEVERITIES.map((s) => [s, value.optional()])) as Record<Severity, z.ZodOptional<T>>;

export const ApprovalsConfig = strict(severityShape(ApprovalRuleConfig));
export const RtoConfig = strict(severityShape(Duration));

export const WaitLiveConfig = strict({
  timeout: Duration.prefault('5m'),
  interval: Duration.prefault('2s'),
});

const Headers = z.record(z.string(), z.string());

/** A dot path into a JSON answer (`currentVersion`, `deploy.history`, `items[0].id`), checked for syntax. */
export const JsonPath = z.string().superRefine((path, ctx) => {
  const problem = pathProblem(path);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** A request path on the provider's base URL. */
const UrlPath = z.string().regex(/^\/[^\s?#]*$/, 'expected a path starting with "/", such as "/deployment/status"');

/**
 * Where a blue/green service keeps each fact, as JSON paths. The defaults are seed 004's names;
 * a team whose service names things differently maps them here.
 */
export const BlueGreenStatusFields = strict({
  /** The environment serving traffic (required in every answer). */
  currentEnvironment: JsonPath.default('currentEnvironment'),
  /** The release serving traffic; when absent, the newest history entry of the live environment. */
  currentVersion: JsonPath.default('currentVersion'),
  /** A switch in progress (`switching`); when absent, read from the newest history entry. */
  state: JsonPath.default('state'),
  /** Optional map of environment name → { version, deployedAt, health }. */
  environments: JsonPath.default('environments'),
  /** The deployment history, oldest first (seed 004's `deploymentHistory[-5:]` are the newest). */
  history: JsonPath.default('deploymentHistory'),
  /** Paths inside one history entry. */
  entry: strict({
    version: JsonPath.default('version'),
    environment: JsonPath.default('environment'),
    deployedAt: JsonPath.default('deployedAt'),
    action: JsonPath.default('action'),
    status: JsonPath.default('status'),
    commit: JsonPath.default('commit'),
  }).prefault({}),
}).prefault({});
export type BlueGreenStatusFields = z.output<typeof BlueGreenStatusFields>;

export const BlueGreenProviderConfig = strict({
  type: z.literal('bluegreen'),
  baseUrl: HttpUrl,
  /** Sent as `Authorization: Bearer …`; use `${ENV}`. */
  token: z.string().min(1).optional(),
  headers: Headers.optional(),
  timeout: Duration.prefault('10s'),
  retries: z.number().int().min(0).max(10).default(3),
  /** How long to watch the status for a switch whose call got no answer (or a 5xx) before saying "outcome unknown". */
  confirmWithin: Duration.prefault('30s'),
  /** The service's three endpoints, when they are not seed 004's. */
  endpoints: strict({
    status: UrlPath.default('/deployment/status'),
    rollback: UrlPath.default('/deployment/rollback'),
    health: UrlPath.default('/health'),
  }).prefault({}),
  status: BlueGreenStatusFields,
  /** Where GET health's answer names the live version; read only when the status cannot tell. */
  health: strict({ version: JsonPath.default('version') }).prefault({}),
});

/** What every hosted platform's provider takes besides its own ids. */
const platformFields = {
  /** The platform's API token; use `${ENV}`. */
  token: z.string().min(1),
  /** The platform's API base URL, for a proxy or a test fake; defaults to the public API. */
  apiUrl: HttpUrl.optional(),
  /** Per request. */
  timeout: Duration.prefault('10s'),
  /** Extra attempts for reads, 5xx and 429 (changes are never repeated blindly). */
  retries: z.number().int().min(0).max(10).default(3),
  /** How long to look for the effect of a rollback call that got no answer before saying "outcome unknown". */
  confirmWithin: Duration.prefault('30s'),
};

const PlatformId = (what: string, pattern: RegExp, example: string) =>
  z.string().regex(pattern, `expected ${what} such as "${example}"`);

export const RenderProviderConfig = strict({
  type: z.literal('render'),
  ...platformFields,
  render: strict({ serviceId: PlatformId('a Render service id', /^srv-[a-z0-9]+$/, 'srv-d2abc3lm0') }),
  /**
   * Turn the service's auto-deploy off when rolling back (an API rollback leaves it on, so the next
   * push would redeploy the bad commit); `/rollback unlock` turns it back on. Defaults to the
   * environment's `auto.lockAfterRollback` (on unless turned off).
   */
  pauseAutoDeploy: z.boolean().optional(),
});

export const FlyProviderConfig = strict({
  type: z.literal('fly'),
  ...platformFields,
  /** Fly's GraphQL endpoint, where releases are listed; defaults to https://api.fly.io/graphql. */
  graphqlUrl: HttpUrl.optional(),
  fly: strict({
    app: PlatformId('a Fly.io app name', /^[a-z0-9][a-z0-9-]{0,62}$/, 'checkout-api'),
    /** Only machines of these process groups are rolled back (default: every Fly Launch machine). */
    processGroups: z.array(z.string().min(1)).min(1).optional(),
  }),
});

export const HerokuProviderConfig = strict({
  type: z.literal('heroku'),
  ...platformFields,
  heroku: strict({ app: PlatformId('a Heroku app name or id', /^[a-z0-9][a-z0-9-]{1,99}$|^[0-9a-f-]{36}$/, 'checkout-api') }),
});

export const VercelProviderConfig = strict({
  type: z.literal('vercel'),
  ...platformFields,
  vercel: strict({
    projectId: PlatformId('a Vercel project id or name', /^[A-Za-z0-9_.-]{1,100}$/, 'prj_12HKQaOmR5t5Uy6vdcQsNIiZgHGB'),
    /** For team projects: sent as `?teamId=` on every call. */
    teamId: PlatformId('a Vercel team id', /^[A-Za-z0-9_-]{1,100}$/, 'team_1a2b3c').optional(),
  }),
});

const RepoName = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'expected a GitHub owner or repository name such as "acme" or "checkout-api"');

export const GithubProviderConfig = strict({
  type: z.literal('github'),
  ...platformFields,
  github: strict({
    owner: RepoName,
    repo: RepoName,
    /** The deploy workflow: its file name (`deploy.yml`) or numeric id; it must declare `on: workflow_dispatch`. */
    workflow: z.union([z.string().regex(/^[A-Za-z0-9_.-]+\.ya?ml$/, 'expected a workflow file name such as "deploy.yml" or its numeric id'), z.number().int().positive()]),
    /** The branch or tag whose workflow file runs (GitHub refuses a SHA here). */
    ref: z.string().min(1).default('main'),
    /** Workflow inputs; `{sha}`, `{version}` and `{rollback}` are replaced by the target's commit, its version and the rollback id. */
    inputs: z.record(z.string().min(1), z.string()).default({ sha: '{sha}' }),
    /** The Deployments API environment whose history says what was live (default: the catalog environment's name). */
    environment: z.string().min(1).optional(),
  }),
});

export const ArgoCdProviderConfig = strict({
  type: z.literal('argocd'),
  ...platformFields,
  /** The Argo CD server, e.g. https://argocd.internal (there is no public default). */
  apiUrl: HttpUrl,
  argocd: strict({
    app: z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'expected an Argo CD application name such as "guestbook"'),
    project: z.string().min(1).optional(),
    appNamespace: z.string().min(1).optional(),
  }),
});

export const KubernetesProviderConfig = strict({
  type: z.literal('kubernetes'),
  kubernetes: strict({
    namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'expected a namespace such as "web"'),
    deployment: z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'expected a Deployment name such as "checkout-api"'),
    /** A kubeconfig file; without it, the pod's service account (in-cluster). */
    kubeconfig: z.string().min(1).optional(),
    /** The kubeconfig context (default: its current context). */
    context: z.string().min(1).optional(),
  }),
  timeout: Duration.prefault('10s'),
  retries: z.number().int().min(0).max(10).default(3),
  confirmWithin: Duration.prefault('30s'),
});

/** A hosted platform that deploys what is pushed, read to see a git rollback go live. */
export const DeployedByConfig = z.discriminatedUnion('type', [RenderProviderConfig, FlyProviderConfig, HerokuProviderConfig, VercelProviderConfig], {
  error: (issue) => (issue.code === 'invalid_union' ? 'expected "type" to be one of render, fly, heroku, vercel' : undefined),
});

export const GitProviderConfig = strict({
  type: z.literal('git'),
  git: strict({
    /** Any URL git accepts: https://…, ssh, a local path or file:// (tests). */
    repo: z.string().min(1),
    branch: z.string().regex(/^(?!-)[A-Za-z0-9._/-]+$/, 'expected a branch name such as "main"').default('main'),
    /**
     * revert: revert commits (a restore commit when they conflict); restore: one commit whose tree is
     * the stable commit's; reset: force-push the branch back (rewrites history; always needs approval).
     */
    mode: z.enum(['revert', 'restore', 'reset']).default('revert'),
    /** For https remotes: sent as an HTTP header through git's environment, never in a URL or an argument. */
    token: z.string().min(1).optional(),
    author: z.string().regex(/^[^<>]+ <[^<>]+>$/, 'expected "Name <email>"').default('Rewind <rewind@localhost>'),
  }),
  /** How Rewind sees a pushed commit go live: a JSON endpoint naming the deployed commit, or the platform that deploys on push. */
  live: z
    .union([
      strict({ url: HttpUrl, path: JsonPath.default('version'), headers: Headers.optional() }),
      strict({ provider: DeployedByConfig }),
    ])
    .optional(),
  /** Per git command. */
  timeout: Duration.prefault('60s'),
  confirmWithin: Duration.prefault('30s'),
});

export const PROVIDER_TYPES = ['bluegreen', 'render', 'fly', 'heroku', 'vercel', 'git', 'github', 'argocd', 'kubernetes'] as const;
export const ProviderConfig = z.discriminatedUnion('type', [BlueGreenProviderConfig, RenderProviderConfig, FlyProviderConfig, HerokuProviderConfig, VercelProviderConfig, GitProviderConfig, GithubProviderConfig, ArgoCdProviderConfig, KubernetesProviderConfig], {
  error: (issue) =>
    issue.code === 'invalid_union' ? `expected "type" to be one of ${PROVIDER_TYPES.join(', ')}` : undefined,
});
export type ProviderConfig = z.output<typeof ProviderConfig>;
export type RenderProviderConfig = z.output<typeof RenderProviderConfig>;
export type FlyProviderConfig = z.output<typeof FlyProviderConfig>;
export type HerokuProviderConfig = z.output<typeof HerokuProviderConfig>;
export type VercelProviderConfig = z.output<typeof VercelProviderConfig>;
export type GithubProviderConfig = z.output<typeof GithubProviderConfig>;
export type ArgoCdProviderConfig = z.output<typeof ArgoCdProviderConfig>;
export type KubernetesProviderConfig = z.output<typeof KubernetesProviderConfig>;
export type GitProviderConfig = z.output<typeof GitProviderConfig>;

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** What every check takes: a name for the thread, and a wait before it measures. */
const checkFields = {
  name: z.string().min(1).max(80).optional(),
  initialDelay: Duration.prefault(0),
};

export const HttpCheckConfig = strict({
  type: z.literal('http'),
  ...checkFields,
  url: HttpUrl,
  method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
  headers: Headers.optional(),
  expect: strict({
    status: z.union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)]).default(200),
    /** Dot paths into the JSON body and the value each must have. */
    json: z.record(JsonPath, Scalar).optional(),
    bodyContains: z.string().optional(),
  }).prefault({}),
  /** Each response must arrive within this budget. */
  latencyBudget: Duration.optional(),
  repeat: z.number().int().min(1).max(100).default(1),
  interval: Duration.prefault('1s'),
  timeout: Duration.prefault('5s'),
});

export const VersionCheckConfig = strict({
  type: z.literal('version'),
  ...checkFields,
  url: HttpUrl,
  /** Dot path to the version in the JSON body. */
  path: JsonPath.default('version'),
  /** Defaults to the rollback's target version. */
  expect: z.string().min(1).optional(),
  headers: Headers.optional(),
  /** Tries until the version matches, for caches and slow switches. */
  attempts: z.number().int().min(1).max(100).default(1),
  interval: Duration.prefault('2s'),
  timeout: Duration.prefault('5s'),
});

export const PrometheusCheckConfig = strict({
  type: z.literal('prometheus'),
  ...checkFields,
  /** Prometheus base URL; the check calls `/api/v1/query`. */
  url: HttpUrl,
  query: z.string().min(1),
  below: z.number().optional(),
  above: z.number().optional(),
  interval: Duration.prefault('15s'),
  /** Number of measurements; defaults to `for / interval`, or 1. */
  count: z.number().int().min(1).max(1000).optional(),
  for: Duration.optional(),
  /** Breaching measurements tolerated in total; one more fails the check. */
  failureLimit: z.number().int().min(0).default(0),
  headers: Headers.optional(),
  timeout: Duration.prefault('5s'),
}).superRefine((check, ctx) => {
  if ((check.below === undefined) === (check.above === undefined)) {
    ctx.addIssue({ code: 'custom', message: 'set exactly one of "below" or "above" (the healthy side of the threshold)' });
  }
});

/** An argv from the catalog (never text from chat); `${ENV}` values are resolved at load. */
const Argv = z.array(z.string().min(1)).min(1);

/** A command as the catalog names it, for a check or a plan step: argv, working directory, environment. */
const commandFields = {
  run: Argv,
  cwd: z.string().min(1).optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name'), z.string()).optional(),
};

export const CommandCheckConfig = strict({
  type: z.literal('command'),
  ...checkFields,
  /** Passes on exit 0: a team's smoke tests, e.g. run: ["npm", "run", "test:e2e:smoke"]. */
  ...commandFields,
  timeout: Duration.prefault('5m'),
});

export const SentryCheckConfig = strict({
  type: z.literal('sentry'),
  ...checkFields,
  org: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected a Sentry organization slug such as "acme"'),
  /** The numeric project id (Sentry's events API expects ids, not slugs). */
  project: z.union([z.number().int().positive(), z.string().regex(/^\d+$/, 'expected the numeric Sentry project id')]).transform(String),
  environment: z.string().min(1).optional(),
  /** Count only errors of the release rolled back to (Sentry's `release:` must match the SDK's exactly). */
  release: z.boolean().default(false),
  /** Passes while fewer errors than this arrived in the window. */
  below: z.number().int().min(1),
  /** How far back to count, never before the rollback went live (seed 003: the last 15 minutes). */
  window: Duration.prefault('15m'),
  /** An auth token with org:read; use `${ENV}`. */
  token: z.string().min(1),
  apiUrl: HttpUrl.default('https://sentry.io'),
  timeout: Duration.prefault('10s'),
});

export const LighthouseCheckConfig = strict({
  type: z.literal('lighthouse'),
  ...checkFields,
  url: HttpUrl,
  /** Passes when every category scores at least this (0–100; seed 003: above 90). */
  min: z.number().min(0).max(100).default(90),
  /** Fails below this (seed 003: "rollback if score < 70"); between it and `min` asks a person. Default: `min`. */
  failBelow: z.number().min(0).max(100).optional(),
  categories: z.array(z.enum(['performance', 'accessibility', 'best-practices', 'seo'])).min(1).default(['performance']),
  timeout: Duration.prefault('2m'),
});

export const CHECK_TYPES = ['http', 'version', 'prometheus', 'command', 'sentry', 'lighthouse'] as const;
export const CheckConfig = z.discriminatedUnion('type', [HttpCheckConfig, VersionCheckConfig, PrometheusCheckConfig, CommandCheckConfig, SentryCheckConfig, LighthouseCheckConfig], {
  error: (issue) => (issue.code === 'invalid_union' ? `expected "type" to be one of ${CHECK_TYPES.join(', ')}` : undefined),
});
export type CheckConfig = z.output<typeof CheckConfig>;
export type HttpCheckConfig = z.output<typeof HttpCheckConfig>;
export type VersionCheckConfig = z.output<typeof VersionCheckConfig>;
export type PrometheusCheckConfig = z.output<typeof PrometheusCheckConfig>;
export type CommandCheckConfig = z.output<typeof CommandCheckConfig>;
export type SentryCheckConfig = z.output<typeof SentryCheckConfig>;
export type LighthouseCheckConfig = z.output<typeof LighthouseCheckConfig>;

export const HealthProbeConfig = strict({
  url: HttpUrl,
  interval: Duration.prefault('10s'),
  failures: z.number().int().min(1).max(100).default(3),
  timeout: Duration.prefault('5s'),
  expect: strict({
    status: z.union([z.number().int(), z.array(z.number().int()).min(1)]).default(200),
    json: z.record(JsonPath, Scalar).optional(),
  }).prefault({}),
});

export type HealthProbeConfig = z.output<typeof HealthProbeConfig>;

/** The runbooks' default triggers: what each preset means unless the rule says otherwise. */
export const RULE_PRESETS = {
  'error-rate': { above: 0.05, for: 2 * 60_000, description: 'error rate above 5% for 2 min' },
  latency: { above: 3, for: 5 * 60_000, description: 'mean latency above 3 s for 5 min' },
  memory: { above: 0.9, for: 10 * 60_000, description: 'memory above 90% for 10 min' },
  cpu: { above: 0.95, for: 5 * 60_000, description: 'CPU above 95% for 5 min' },
} as const;
export type RulePreset = keyof typeof RULE_PRESETS;

export const MetricRuleConfig = strict({
  name: z.string().min(1).max(80).optional(),
  /** Threshold and duration from the runbooks; `above`/`below`/`for` override them. */
  preset: z.enum(Object.keys(RULE_PRESETS) as [RulePreset, ...RulePreset[]]).optional(),
  /** PromQL returning the value to compare (metric names differ per team, so it is always yours). */
  query: z.string().min(1),
  /** Unhealthy above this value. */
  above: z.number().optional(),
  /** Unhealthy below this value. */
  below: z.number().optional(),
  /** How long the value must stay unhealthy before the rule fires. */
  for: Duration.optional(),
  interval: Duration.prefault('15s'),
  severity: Severity.optional(),
}).superRefine((rule, ctx) => {
  const preset = rule.preset ? RULE_PRESETS[rule.preset] : undefined;
  const above = rule.above ?? (rule.below === undefined ? preset?.above : undefined);
  if ((above === undefined) === (rule.below === undefined)) ctx.addIssue({ code: 'custom', message: 'set exactly one of "above" or "below" (the unhealthy side), or a preset' });
  if (rule.for === undefined && !preset) ctx.addIssue({ code: 'custom', message: 'set "for" (how long the value must be unhealthy), or a preset' });
});
export type MetricRuleConfig = z.output<typeof MetricRuleConfig>;

/** Automatic rollback (SPEC §5): sources and the safety rails that keep them from doing harm. */
export const AutoConfig = strict({
  health: HealthProbeConfig.optional(),
  /** Prometheus for `rules`. */
  prometheus: strict({ url: HttpUrl, headers: Headers.optional(), timeout: Duration.prefault('5s') }).optional(),
  rules: z.array(MetricRuleConfig).max(20).default([]),
  /** Post "would have rolled back" with the evidence, and do nothing else. */
  shadow: z.boolean().default(false),
  /** Only roll back automatically this long after the latest deploy; later, alert only. */
  window: Duration.prefault('60m'),
  /** No automatic rollback this long after any rollback of the environment. */
  cooldown: Duration.prefault('30m'),
  /** Automatic rollbacks per service per hour, at most. */
  maxPerHour: z.number().int().min(1).max(20).default(2),
  /** Severity of health-probe and rule triggers (alerts bring their own). */
  severity: Severity.default('critical'),
  /** After any rollback, hold automatic rollbacks of the environment until someone unlocks it. */
  lockAfterRollback: z.boolean().default(true),
}).superRefine((auto, ctx) => {
  if (auto.rules.length > 0 && !auto.prometheus) ctx.addIssue({ code: 'custom', path: ['prometheus'], message: 'metric rules need auto.prometheus.url' });
});
export type AutoConfig = z.output<typeof AutoConfig>;

const WebhookAuthConfig = z.discriminatedUnion(
  'type',
  [
    strict({ type: z.literal('bearer'), token: z.string().min(16, 'use a token of at least 16 characters (from ${ENV})') }),
    strict({
      type: z.literal('hmac'),
      secret: z.string().min(16, 'use a secret of at least 16 characters (from ${ENV})'),
      header: z.string().min(1).default('x-rewind-signature').transform((h) => h.toLowerCase()),
      prefix: z.string().default('sha256='),
    }),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? 'expected "type" to be one of bearer, hmac' : undefined) },
);

export const WebhookSourceConfig = strict({
  auth: WebhookAuthConfig,
  /** Label names that carry service, environment and severity, tried in order. */
  labels: strict({
    service: z.array(z.string().min(1)).min(1).default(['service', 'app', 'job']),
    environment: z.array(z.string().min(1)).min(1).default(['environment', 'env']),
    severity: z.array(z.string().min(1)).min(1).default(['severity']),
  }).prefault({}),
});
export type WebhookSourceConfig = z.output<typeof WebhookSourceConfig>;

export const HooksConfig = strict({
  alertmanager: WebhookSourceConfig.optional(),
  grafana: WebhookSourceConfig.optional(),
  generic: WebhookSourceConfig.optional(),
  deploy: WebhookSourceConfig.optional(),
});
export type HooksConfig = z.output<typeof HooksConfig>;

/** Paging (issue 15): keys come from `${ENV}`; `apiUrl` replaces the public endpoint (tests use local fakes). */
export const PagingConfig = strict({
  pagerduty: strict({
    /** The Events API v2 integration key of a PagerDuty service. */
    routingKey: z.string().regex(/^[A-Za-z0-9]{32}$/, 'expected a PagerDuty Events API v2 integration key: 32 letters and digits (use "${PAGERDUTY_ROUTING_KEY}")'),
    apiUrl: HttpUrl.default('https://events.pagerduty.com'),
  }).optional(),
  opsgenie: strict({
    /** An API integration's key (GenieKey). */
    apiKey: z.string().min(16, 'expected an Opsgenie API integration key (use "${OPSGENIE_API_KEY}")'),
    /** https://api.eu.opsgenie.com for EU accounts. */
    apiUrl: HttpUrl.default('https://api.opsgenie.com'),
  }).optional(),
});
export type PagingConfig = z.output<typeof PagingConfig>;

/** Whom the header mentions on a critical start and on failure. */
export const MentionConfig = strict({
  /** A user group id (S…) or a user id (U… or W…). */
  slack: z.string().regex(/^[SUW][A-Z0-9]{2,}$/, 'expected a Slack user group id (S…) or user id (U… or W…)').optional(),
  /** "role:<id>" or "user:<id>" (Discord ids alone cannot tell a role from a user). */
  discord: z
    .string()
    .regex(/^(role|user):\d{15,22}$/, 'expected "role:<id>" or "user:<id>" with a Discord snowflake id')
    .transform((v) => ({ kind: v.slice(0, v.indexOf(':')) as 'role' | 'user', id: v.slice(v.indexOf(':') + 1) }))
    .optional(),
});

export const AnnounceConfig = strict({
  slack: OneOrMany.optional(),
  discord: OneOrMany.optional(),
});

export const ReviewConfig = strict({
  /** Remind the incident channel once when a break-glass rollback is still unreviewed this long after it ended. */
  after: Duration.prefault('24h'),
});

export const DrillsConfig = strict({
  /** Remind the channel when the environment has gone this long without a drill (seed 003: monthly). */
  every: Duration.prefault('30d'),
  /** Drills are refused in production unless this is set. */
  allowProduction: z.boolean().default(false),
});

/** Settings that defaults, services and environments may each set; the most specific wins. */
const policyFields = {
  severity: Severity.optional(),
  approvals: ApprovalsConfig.optional(),
  selfApproval: z.boolean().optional(),
  rto: RtoConfig.optional(),
  /** Who may request rollbacks; absent means anyone in the channel. */
  requesters: ApproversConfig.optional(),
  /** Who to call when a rollback fails, e.g. "@sre-oncall (PagerDuty: checkout)". */
  escalation: z.string().min(1).max(300).optional(),
  waitLive: WaitLiveConfig.optional(),
  paging: PagingConfig.optional(),
  mention: MentionConfig.optional(),
  /** Stakeholder channels (channel ids), told when a rollback starts and ends. */
  announce: AnnounceConfig.optional(),
  review: ReviewConfig.optional(),
  drills: DrillsConfig.optional(),
};

/** What every plan step takes: a title for the thread, and whether its failure may be passed over. */
const planStepFields = {
  name: z.string().min(1).max(80).optional(),
  /** A failure is reported and the rollback goes on (default: a failure stops it). */
  optional: z.boolean().default(false),
};

export const CommandStepConfig = strict({
  type: z.literal('command'),
  ...planStepFields,
  /** From the catalog only, never from chat: e.g. run: ["npm", "run", "migrate:down"]. */
  ...commandFields,
  timeout: Duration.prefault('10m'),
});

export const PostgresBackupStepConfig = strict({
  type: z.literal('postgres-backup'),
  ...planStepFields,
  /** The database URL; use `${ENV}`. */
  database: z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL (use "${DATABASE_URL}")'),
  /** Only these schemas (Supabase: your app's, not auth or storage); all when absent. */
  schemas: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]*$/, 'expected a schema name')).min(1).optional(),
  /** Where the dump file goes, on the worker's filesystem (a mounted volume). */
  dir: z.string().min(1),
  timeout: Duration.prefault('30m'),
});

export const SupabasePitrStepConfig = strict({
  type: z.literal('supabase-pitr'),
  ...planStepFields,
  /** The project ref (the subdomain of <ref>.supabase.co). */
  project: z.string().regex(/^[a-z]{20}$/, 'expected a Supabase project ref: the 20 lower-case letters of <ref>.supabase.co'),
  /** A Management API token (personal access token, or OAuth with database:read, database:write and projects:read); use `${ENV}`. */
  token: z.string().min(1),
  apiUrl: HttpUrl.default('https://api.supabase.com'),
  /** How long a restore may take before Rewind stops waiting for the project to come back. */
  timeout: Duration.prefault('30m'),
});

export const PLAN_STEP_TYPES = ['command', 'postgres-backup', 'supabase-pitr'] as const;
export const PlanStepConfig = z.discriminatedUnion('type', [CommandStepConfig, PostgresBackupStepConfig, SupabasePitrStepConfig], {
  error: (issue) => (issue.code === 'invalid_union' ? `expected "type" to be one of ${PLAN_STEP_TYPES.join(', ')}` : undefined),
});
export type PlanStepConfig = z.output<typeof PlanStepConfig>;
export type CommandStepConfig = z.output<typeof CommandStepConfig>;
export type PostgresBackupStepConfig = z.output<typeof PostgresBackupStepConfig>;
export type SupabasePitrStepConfig = z.output<typeof SupabasePitrStepConfig>;

/**
 * How the preview learns which migrations ran since the target release: Supabase's history table
 * (`supabase_migrations.schema_migrations`), or a team's command printing one migration per line.
 */
export const SupabaseMigrationsConfig = strict({
  type: z.literal('supabase'),
  /** The database URL; use `${ENV}`. */
  database: z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL (use "${DATABASE_URL}")'),
  timeout: Duration.prefault('30s'),
});

export const CommandMigrationsConfig = strict({
  type: z.literal('command'),
  /** Gets REWIND_TARGET_VERSION, REWIND_TARGET_COMMIT and REWIND_TARGET_DEPLOYED_AT; prints one migration per line. */
  ...commandFields,
  /** Whether these migrations lack a down (the preview then warns the way it does for Supabase). */
  upOnly: z.boolean().default(false),
  timeout: Duration.prefault('30s'),
});

export const MIGRATION_SOURCE_TYPES = ['supabase', 'command'] as const;
export const MigrationsConfig = z.discriminatedUnion('type', [SupabaseMigrationsConfig, CommandMigrationsConfig], {
  error: (issue) => (issue.code === 'invalid_union' ? `expected "type" to be one of ${MIGRATION_SOURCE_TYPES.join(', ')}` : undefined),
});
export type MigrationsConfig = z.output<typeof MigrationsConfig>;
export type SupabaseMigrationsConfig = z.output<typeof SupabaseMigrationsConfig>;
export type CommandMigrationsConfig = z.output<typeof CommandMigrationsConfig>;

export const EnvironmentConfig = strict({
  ...policyFields,
  channels: ChannelsConfig.prefault({}),
  provider: ProviderConfig,
  /** Steps of the environment's own around the provider's rollback, each checkpointed like the built-in ones. */
  steps: strict({
    before: z.array(PlanStepConfig).max(10).default([]),
    after: z
      .array(PlanStepConfig)
      .max(10)
      .default([])
      // A recovery point taken after the rollback would return the database to the state being escaped.
      .refine((steps) => !steps.some((step) => step.type === 'supabase-pitr'), 'a supabase-pitr step marks the point to return to, so it belongs under steps.before'),
  }).prefault({}),
  /** Lists the migrations since the target release in the preview. */
  migrations: MigrationsConfig.optional(),
  verify: z.array(CheckConfig).max(20).default([]),
  auto: AutoConfig.optional(),
});
export type EnvironmentConfig = z.output<typeof EnvironmentConfig>;

export const ServiceConfig = strict({
  description: z.string().max(300).optional(),
  ...policyFields,
  environments: z
    .record(z.string().regex(NAME, NAME_HINT), EnvironmentConfig)
    .refine((envs) => Object.keys(envs).length > 0, 'a service needs at least one environment'),
});
export type ServiceConfig = z.output<typeof ServiceConfig>;

export const DefaultsConfig = strict(policyFields);

export const CatalogConfig = strict({
  version: z.literal(1).optional(),
  defaults: DefaultsConfig.prefault({}),
  /** Alert and deploy webhooks; each is off until configured. */
  hooks: HooksConfig.prefault({}),
  services: z
    .record(z.string().regex(NAME, NAME_HINT), ServiceConfig)
    .refine((services) => Object.keys(services).length > 0, 'the catalog needs at least one service'),
});
export type CatalogConfig = z.output<typeof CatalogConfig>;
export type CatalogInput = z.input<typeof CatalogConfig>;
