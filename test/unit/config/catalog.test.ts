import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../../src/config/config-error';
import { parseCatalog } from '../../../src/config/load-catalog';
import { UnknownEnvironmentError, UnknownServiceError } from '../../../src/domain/errors';

const EXAMPLE = readFileSync(join(__dirname, '../../../manifests/rewind.example.yaml'), 'utf8');
const EXAMPLE_ENV = { CHECKOUT_DEPLOY_TOKEN: 'deploy-token-123456', AM_WEBHOOK_SECRET: 'am-webhook-secret-0123456789', REWIND_WEBHOOK_TOKEN: 'rewind-webhook-token-0123456789' };

function problems(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseCatalog(text, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  throw new Error('expected the catalog to be invalid');
}

const minimal = (env: string) => `
services:
  checkout-api:
    environments:
${env}`;

describe('the example catalog', () => {
  it('validates and resolves layered policy', () => {
    const { catalog, secrets } = parseCatalog(EXAMPLE, EXAMPLE_ENV);
    expect(catalog.services()).toEqual(['checkout-api']);
    expect(catalog.environments('checkout-api')).toEqual(['production', 'staging']);
    const prod = catalog.resolve('checkout-api', 'production');
    expect(prod.policy.rules.critical).toEqual({ kind: 'immediate' });
    // production overrides `required` and inherits approvers and timeout from defaults
    expect(prod.policy.rules.high).toEqual({
      kind: 'approval',
      required: 2,
      approvers: { slack: ['U0LEAD', 'S0SRE'], discord: ['501', 'role:111'], console: ['lead'] },
      timeoutMs: 15 * 60_000,
    });
    expect(prod.policy.rules.low).toEqual({ kind: 'refuse', message: 'Low severity: fix it in the next release instead of rolling back.' });
    expect(prod.policy.rtoMs.critical).toBe(120_000);
    expect(prod.channels).toEqual({ slack: ['C0INCIDENT'], discord: ['222'], console: ['incidents'] });
    expect(catalog.entry('checkout-api', 'production').config.provider).toMatchObject({ type: 'bluegreen', token: 'deploy-token-123456', timeout: 10_000 });
    expect(secrets).toContain('deploy-token-123456');
    expect(catalog.resolve('checkout-api', 'staging').policy.rules.high).toEqual({ kind: 'immediate' });
  });

  it('defaults the environment to the first one and suggests close names', () => {
    const { catalog } = parseCatalog(EXAMPLE, EXAMPLE_ENV);
    expect(catalog.resolve('checkout-api').environment).toBe('production');
    expect(() => catalog.resolve('chekout-api')).toThrow(UnknownServiceError);
    expect(() => catalog.resolve('chekout-api')).toThrow('Did you mean `checkout-api`?');
    expect(() => catalog.resolve('checkout-api', 'prod')).toThrow(UnknownEnvironmentError);
    expect(() => catalog.resolve('checkout-api', 'prod')).toThrow('Did you mean `production`?');
  });
});

describe('invalid catalogs name the path of each problem', () => {
  it('YAML that parses but cannot resolve: an alias with no anchor, an alias bomb (found by fuzzing)', () => {
    const issues = (text: string) => {
      try {
        parseCatalog(text, {});
      } catch (error) {
        if (error instanceof ConfigError) return error.issues;
        throw error;
      }
      return [];
    };
    expect(issues('*!')).toEqual([{ path: '(yaml)', message: expect.stringContaining('Unresolved alias') }]);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
    expect(issues(bomb)).toEqual([{ path: '(yaml)', message: expect.stringMatching(/alias/i) }]);
  });

  it('unknown provider type', () => {
    expect(problems(minimal('      production:\n        provider: { type: herokuu, baseUrl: http://x }'))).toEqual([
      'services.checkout-api.environments.production.provider.type: expected "type" to be one of bluegreen, render, fly, heroku, vercel, git, github, argocd, kubernetes',
    ]);
  });

  it('bad duration, bad URL and unknown field, all at once', () => {
    const found = problems(
      minimal(`      production:
        provider: { type: bluegreen, baseUrl: "not a url", timeout: 10 minutes }
        verify:
          - { type: http, url: http://x/health, expect: { staus: 200 } }`),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^services\.checkout-api\.environments\.production\.provider\.baseUrl: expected an http/),
        expect.stringMatching(/^services\.checkout-api\.environments\.production\.provider\.timeout: expected a duration such as .* got "10 minutes"/),
        expect.stringMatching(/^services\.checkout-api\.environments\.production\.verify\[0\]\.expect: unknown field "staus"; valid fields: status, json, bodyContains/),
      ]),
    );
    expect(found).toHaveLength(3);
  });

  it('a bluegreen field map with a bad JSON path, a misspelt field and a bad endpoint', () => {
    const found = problems(
      minimal(`      production:
        provider:
          type: bluegreen
          baseUrl: http://deploy.internal
          endpoints: { status: deployment/status }
          status:
            history: deploy..history
            curentVersion: release
            entry: { version: "items[x]" }
        verify:
          - { type: version, url: http://x/version, path: "build[version]" }`),
    );
    const at = 'services.checkout-api.environments.production';
    expect(found).toEqual(
      expect.arrayContaining([
        `${at}.provider.endpoints.status: expected a path starting with "/", such as "/deployment/status"`,
        expect.stringMatching(/^services\.checkout-api\.environments\.production\.provider\.status\.history: "deploy\.\.history" is not a JSON path: "" is not a field name or \[index\]/),
        expect.stringMatching(/^services\.checkout-api\.environments\.production\.provider\.status: unknown field "curentVersion"; valid fields: currentEnvironment, currentVersion, state, environments, history, entry/),
        expect.stringMatching(/^services\.checkout-api\.environments\.production\.provider\.status\.entry\.version: "items\[x\]" is not a JSON path/),
        expect.stringMatching(/^services\.checkout-api\.environments\.production\.verify\[0\]\.path: "build\[version\]" is not a JSON path/),
      ]),
    );
    expect(found).toHaveLength(5);
  });

  it('a bluegreen field map fills in seed 004\'s names for what it leaves out', () => {
    const { catalog } = parseCatalog(
      `defaults: { approvals: { high: { required: 0 }, medium: { required: 0 } } }\n` +
        minimal(`      production:
        provider: { type: bluegreen, baseUrl: http://deploy.internal, status: { currentVersion: build.release, entry: { environment: slot } } }`),
      {},
    );
    expect(catalog.entry('checkout-api', 'production').config.provider).toMatchObject({
      endpoints: { status: '/deployment/status', rollback: '/deployment/rollback', health: '/health' },
      status: {
        currentEnvironment: 'currentEnvironment',
        currentVersion: 'build.release',
        history: 'deploymentHistory',
        entry: { version: 'version', environment: 'slot', deployedAt: 'deployedAt' },
      },
      health: { version: 'version' },
    });
  });

  it('plan steps: an unknown type, a database that is not a postgres URL, a shell string instead of an argv', () => {
    const found = problems(
      minimal(`      production:
        provider: { type: bluegreen, baseUrl: http://deploy.internal }
        steps:
          before:
            - { type: pg-dump, database: x }
            - { type: postgres-backup, database: "mysql://db/app", dir: /backups }
          after:
            - { type: command, run: "npm run migrate:down" }`),
    );
    const at = 'services.checkout-api.environments.production.steps';
    expect(found).toEqual(
      expect.arrayContaining([
        `${at}.before[0].type: expected "type" to be one of command, postgres-backup, supabase-pitr`,
        `${at}.before[1].database: expected a postgres:// URL (use "\${DATABASE_URL}")`,
        expect.stringMatching(/^services\.checkout-api\.environments\.production\.steps\.after\[0\]\.run: /),
      ]),
    );
  });

  it('approval rules that cannot be satisfied', () => {
    const found = problems(`
defaults:
  approvals:
    medium: { required: 3, approvers: { slack: [U1, U2] } }
services:
  api:
    environments:
      production:
        provider: { type: bluegreen, baseUrl: http://x }`);
    expect(found).toEqual([
      'services.api.environments.production: high severity needs 1 approval but no approvers are configured; set approvals.high.approvers (in defaults, the service or the environment) or make it { required: 0 }',
      'services.api.environments.production: medium severity needs 3 approvals but only 2 approvers are listed',
    ]);
  });

  it('prometheus checks need exactly one side of the threshold', () => {
    const found = problems(
      minimal(`      production:
        approvals: { high: { required: 0 }, medium: { required: 0 } }
        provider: { type: bluegreen, baseUrl: http://x }
        verify:
          - { type: prometheus, url: http://prom:9090, query: up }`),
    );
    expect(found).toEqual(['services.checkout-api.environments.production.verify[0]: set exactly one of "below" or "above" (the healthy side of the threshold)']);
  });

  it('missing environment variables and bad names', () => {
    const found = problems(`
services:
  Checkout_API:
    environments:
      production:
        provider: { type: bluegreen, baseUrl: http://x, token: "\${DEPLOY_TOKEN}" }`);
    expect(found).toEqual(
      expect.arrayContaining([
        'services.Checkout_API.environments.production.provider.token: environment variable DEPLOY_TOKEN is not set (referenced as ${DEPLOY_TOKEN})',
        expect.stringMatching(/^services\.Checkout_API: .*names use lowercase letters/),
      ]),
    );
  });

  it('YAML syntax errors give line and column', () => {
    expect(problems('services:\n  api: [unclosed\n')[0]).toMatch(/^line \d+, column \d+: /);
  });

  it('an empty catalog', () => {
    expect(problems('services: {}')).toEqual(['services: the catalog needs at least one service']);
  });
});
