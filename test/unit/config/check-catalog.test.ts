/**
 * `rewind validate` without the secrets: an unset `${VAR}` is a note (or, with strictEnv, a problem
 * as at start), the value that uses it is checked with a stand-in, and each problem is reported once.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../../src/config/config-error';
import { checkCatalog, parseCatalog, type CheckOptions } from '../../../src/config/load-catalog';

const MANIFESTS = join(__dirname, '../../../manifests');
const EXAMPLE = readFileSync(join(MANIFESTS, 'rewind.example.yaml'), 'utf8');
const DEMO = readFileSync(join(MANIFESTS, 'demo.yaml'), 'utf8');
const SLACK_APP = readFileSync(join(MANIFESTS, 'slack-app.yaml'), 'utf8');

const NO_APPROVERS_NEEDED = 'defaults: { approvals: { high: { required: 0 }, medium: { required: 0 } } }\n';
const catalogWith = (environment: string) => `${NO_APPROVERS_NEEDED}services:
  checkout-api:
    environments:
      production:
${environment}`;

function problems(text: string, options: CheckOptions = {}): string[] {
  try {
    checkCatalog(text, {}, 'catalog', options);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  throw new Error('expected the catalog to be invalid');
}

describe('checkCatalog without the secrets', () => {
  it('passes the example catalog and lists each variable it needs at run time, once', () => {
    expect(checkCatalog(EXAMPLE, {})).toEqual({
      kind: 'catalog',
      services: 1,
      environments: 2,
      unset: [
        { name: 'AM_WEBHOOK_SECRET', paths: ['hooks.alertmanager.auth.secret'] },
        { name: 'REWIND_WEBHOOK_TOKEN', paths: ['hooks.deploy.auth.token'] },
        { name: 'CHECKOUT_DEPLOY_TOKEN', paths: ['services.checkout-api.environments.production.provider.token'] },
      ],
    });
  });

  it('checks a URL made from an unset variable with a stand-in instead of calling it malformed', () => {
    const result = checkCatalog(DEMO, {});
    expect(result).toMatchObject({ kind: 'catalog', services: 2, environments: 2 });
    expect(result.kind === 'catalog' && result.unset.map((v) => [v.name, v.paths.length])).toEqual([
      ['DEMO_SERVICE_URL', 5],
      ['DEMO_RENDER_URL', 3],
    ]);
  });

  it('notes only the variables that are unset', () => {
    const result = checkCatalog(EXAMPLE, { AM_WEBHOOK_SECRET: 'am-webhook-secret-0123456789', REWIND_WEBHOOK_TOKEN: 'rewind-webhook-token-0123456789' });
    expect(result.kind === 'catalog' && result.unset.map((v) => v.name)).toEqual(['CHECKOUT_DEPLOY_TOKEN']);
  });

  it('tries a name and a postgres URL where a URL does not fit', () => {
    const result = checkCatalog(
      catalogWith(`        provider: { type: fly, token: "\${FLY_API_TOKEN}", fly: { app: "\${FLY_APP}" } }
        steps:
          before: [{ type: postgres-backup, database: "\${DATABASE_URL}", dir: /backups }]
        verify:
          - { type: http, url: "http://\${APP_HOST}:8080/health" }`),
      {},
    );
    expect(result.kind === 'catalog' && result.unset.map((v) => v.name)).toEqual(['FLY_API_TOKEN', 'FLY_APP', 'DATABASE_URL', 'APP_HOST']);
  });

  it('still reports real problems with their paths, each once, next to an unset variable', () => {
    const found = problems(
      catalogWith(`        provider: { type: bluegreen, baseUrl: "\${DEPLOY_URL}", timeout: soon }
        verify:
          - { type: version, url: "\${DEPLOY_URL}/version", path: "build..version" }`),
    );
    expect(found).toEqual([
      expect.stringMatching(/^services\.checkout-api\.environments\.production\.provider\.timeout: expected a duration/),
      expect.stringMatching(/^services\.checkout-api\.environments\.production\.verify\[0\]\.path: "build\.\.version" is not a JSON path/),
    ]);
  });

  it('runs the checks that need the whole catalog with the stand-ins in place', () => {
    const found = problems(`services:
  checkout-api:
    environments:
      production:
        provider: { type: bluegreen, baseUrl: "\${DEPLOY_URL}" }`);
    expect(found).toEqual([expect.stringMatching(/^services\.checkout-api\.environments\.production: high severity needs 1 approval but no approvers are configured/), expect.stringMatching(/medium severity needs 1 approval/)]);
  });

  it('says so when no stand-in fits a value, rather than passing it unchecked', () => {
    const found = problems(
      catalogWith(`        provider: { type: bluegreen, baseUrl: http://deploy.internal }
        steps:
          before: [{ type: supabase-pitr, project: "\${SUPABASE_REF}", token: "\${SUPABASE_TOKEN}" }]`),
    );
    expect(found).toEqual([
      expect.stringMatching(/^services\.checkout-api\.environments\.production\.steps\.before\[0\]\.project: cannot be checked without SUPABASE_REF \(expected a Supabase project ref.*\); set it, a stand-in value will do$/),
    ]);
  });

  it('skips a Slack app manifest and a Kubernetes object, but checks anything with services as a catalog', () => {
    expect(checkCatalog(SLACK_APP, {})).toEqual({ kind: 'not-a-catalog', what: 'a Slack app manifest' });
    expect(checkCatalog('apiVersion: v1\nkind: Namespace\nmetadata: { name: rewind }\n', {})).toEqual({ kind: 'not-a-catalog', what: 'a Kubernetes Namespace' });
    expect(problems('display_information: { name: x }\nservices: {}\n')).toContain('(root): unknown field "display_information"; valid fields: version, defaults, hooks, services');
    expect(problems('servces: {}\n')).toEqual(expect.arrayContaining([expect.stringMatching(/^\(root\): unknown field "servces"/)]));
  });
});

describe('strictEnv, and loading for a run', () => {
  it('makes each unset variable one problem, at its first path, naming the others', () => {
    expect(problems(DEMO, { strictEnv: true })).toEqual([
      'services.demo-api.environments.production.provider.baseUrl: environment variable DEMO_SERVICE_URL is not set (referenced as ${DEMO_SERVICE_URL}; also at services.demo-api.environments.production.verify[0].url, services.demo-api.environments.production.verify[1].url, services.demo-api.environments.production.verify[2].url, services.demo-api.environments.production.auto.health.url)',
      'services.demo-web.environments.production.provider.apiUrl: environment variable DEMO_RENDER_URL is not set (referenced as ${DEMO_RENDER_URL}; also at services.demo-web.environments.production.verify[0].url, services.demo-web.environments.production.verify[1].url)',
    ]);
  });

  it('at start, a missing secret still stops the load, reported once and without a format complaint', () => {
    let error: unknown;
    try {
      parseCatalog(DEMO, { DEMO_SERVICE_URL: 'http://127.0.0.1:4000' }, 'demo.yaml');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      {
        path: 'services.demo-web.environments.production.provider.apiUrl',
        message: 'environment variable DEMO_RENDER_URL is not set (referenced as ${DEMO_RENDER_URL}; also at services.demo-web.environments.production.verify[0].url, services.demo-web.environments.production.verify[1].url)',
      },
    ]);
  });

  it('at start, a value no stand-in fits is reported only as its unset variable', () => {
    const found = problems(
      catalogWith(`        provider: { type: bluegreen, baseUrl: http://deploy.internal }
        steps:
          before: [{ type: supabase-pitr, project: "\${SUPABASE_REF}", token: t }]`),
      { strictEnv: true },
    );
    expect(found).toEqual(['services.checkout-api.environments.production.steps.before[0].project: environment variable SUPABASE_REF is not set (referenced as ${SUPABASE_REF})']);
  });

  it('refuses a file that is not a catalog, saying what it is', () => {
    expect(() => parseCatalog(SLACK_APP, {}, 'slack-app.yaml')).toThrow('(root): this is a Slack app manifest, not a Rewind catalog');
  });

  it('uses the real values when they are set: no stand-in reaches a running catalog', () => {
    const { config, secrets } = parseCatalog(DEMO, { DEMO_SERVICE_URL: 'http://127.0.0.1:4000', DEMO_RENDER_URL: 'http://127.0.0.1:4001' });
    expect(JSON.stringify(config)).not.toContain('rewind-validate.invalid');
    expect(secrets).toContain('http://127.0.0.1:4000');
  });
});
