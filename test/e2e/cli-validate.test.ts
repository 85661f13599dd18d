/**
 * `rewind validate [--strict-env] FILE...`: exit 0 with a one-line summary per file (and a note per
 * variable needed at run time), exit 1 listing every problem with its path, exit 2 on usage errors.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeCatalog } from '../support/spawn-rewind';

const ROOT = resolve(__dirname, '../..');

/** Only PATH from the test's environment: none of the catalogs' variables, as on a fresh clone or in a pull request's CI. */
function validate(args: string | string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--require', 'tsx/cjs', join(ROOT, 'src/cli.ts'), 'validate', ...(Array.isArray(args) ? args : [args])], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    encoding: 'utf8',
  });
}

describe('rewind validate', () => {
  it('accepts the example catalog', () => {
    const run = validate(join(ROOT, 'manifests/rewind.example.yaml'), { CHECKOUT_DEPLOY_TOKEN: 'deploy-token-123456', AM_WEBHOOK_SECRET: 'am-webhook-secret-0123456789', REWIND_WEBHOOK_TOKEN: 'rewind-webhook-token-0123456789' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/rewind\.example\.yaml: valid — 1 service\(s\), 2 environment\(s\)/);
    expect(run.status).toBe(0);
  });

  it('lists every problem with its path and exits 1', () => {
    const file = writeCatalog(`
services:
  checkout-api:
    environments:
      production:
        provider: { type: kubernetess, baseUrl: http://x }
        verify:
          - { type: version, url: http://x/version, path: "build..version" }
          - { type: prometheus, url: http://prom:9090, query: up, below: 0.1, interval: soon }
`);
    const run = validate(file);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('problems');
    expect(run.stderr).toContain('services.checkout-api.environments.production.provider.type: expected "type" to be one of bluegreen');
    expect(run.stderr).toContain('services.checkout-api.environments.production.verify[0].path: "build..version" is not a JSON path');
    expect(run.stderr).toContain('services.checkout-api.environments.production.verify[1].interval: expected a duration');
  });

  it('checks a bluegreen field map and names the path of each mistake', () => {
    const file = writeCatalog(`
services:
  checkout-api:
    environments:
      production:
        provider:
          type: bluegreen
          baseUrl: http://deploy.internal
          status: { currentEnvironment: "traffic[color]", history: log, entry: { deployedAt: at } }
`);
    const run = validate(file);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('services.checkout-api.environments.production.provider.status.currentEnvironment: "traffic[color]" is not a JSON path');
    expect(run.stderr).not.toContain('status.history');
  });

  it('says when the file is missing, and when no file is named', () => {
    const missing = validate('/nonexistent/rewind.yaml');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('file not found');
    const none = spawnSync(process.execPath, ['--require', 'tsx/cjs', join(ROOT, 'src/cli.ts'), 'validate'], { cwd: ROOT, encoding: 'utf8' });
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('name the catalog file');
    const flag = validate(['--strict', join(ROOT, 'manifests/demo.yaml')]);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain('unknown option "--strict"');
  });
});

describe('rewind validate manifests/*.yaml with no secrets set', () => {
  const manifests = readdirSync(join(ROOT, 'manifests'))
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => join('manifests', name));
  const unset = ['DEMO_SERVICE_URL', 'DEMO_RENDER_URL', 'AM_WEBHOOK_SECRET', 'REWIND_WEBHOOK_TOKEN', 'CHECKOUT_DEPLOY_TOKEN'];
  const count = (text: string, part: string) => text.split(part).length - 1;

  it('passes, listing each variable needed at run time once, and skips the Slack app manifest', () => {
    expect(manifests).toEqual(expect.arrayContaining(['manifests/demo.yaml', 'manifests/rewind.example.yaml', 'manifests/slack-app.yaml']));
    const run = validate(manifests);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('manifests/demo.yaml: valid — 2 service(s), 2 environment(s); 2 variable(s) to set where Rewind runs');
    expect(run.stdout).toContain('manifests/rewind.example.yaml: valid — 1 service(s), 2 environment(s); 3 variable(s) to set where Rewind runs');
    expect(run.stdout).toContain('manifests/slack-app.yaml: skipped — a Slack app manifest, not a Rewind catalog');
    for (const name of unset) expect(count(run.stdout, `needs ${name} at run time`)).toBe(1);
    expect(run.stdout).toContain('  note: needs AM_WEBHOOK_SECRET at run time (hooks.alertmanager.auth.secret)');
    expect(run.stdout).toMatch(/needs DEMO_SERVICE_URL at run time \(services\.demo-api\.environments\.production\.provider\.baseUrl, .*auto\.health\.url\)/);
    expect(run.stdout).not.toContain('expected an http');
  });

  it('--strict-env fails as start would, each unset variable once and no URL complaint beside it', () => {
    const run = validate(['--strict-env', ...manifests]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('manifests/demo.yaml: 2 problems');
    expect(run.stderr).toContain('manifests/rewind.example.yaml: 3 problems');
    expect(run.stderr).toContain('  hooks.alertmanager.auth.secret: environment variable AM_WEBHOOK_SECRET is not set');
    for (const name of unset) expect(count(run.stderr, `environment variable ${name} is not set`)).toBe(1);
    expect(run.stderr).not.toContain('expected an http');
  });

  it('demo.yaml alone: valid, with no "expected an http:// URL" for its unset URLs', () => {
    const run = validate('manifests/demo.yaml');
    expect(run.status).toBe(0);
    expect(run.stdout + run.stderr).not.toContain('expected an http');
    expect(count(run.stdout, 'needs DEMO_RENDER_URL at run time')).toBe(1);
  });

  it('a real mistake still fails with its path, once, while unset variables stay notes; the other files are still checked', () => {
    const file = writeCatalog(`
defaults: { approvals: { high: { required: 0 }, medium: { required: 0 } } }
services:
  checkout-api:
    environments:
      production:
        provider: { type: bluegreen, baseUrl: "\${DEPLOY_URL}", token: "\${DEPLOY_TOKEN}" }
        verify:
          - { type: http, url: "\${DEPLOY_URL}/health", timeout: soon }
`);
    const run = validate([file, 'manifests/rewind.example.yaml']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${file}: 1 problem\n`);
    const problem = 'services.checkout-api.environments.production.verify[0].timeout: expected a duration';
    expect(count(run.stderr, problem)).toBe(1);
    expect(run.stderr).not.toContain('DEPLOY_URL');
    expect(run.stdout).toContain('manifests/rewind.example.yaml: valid');
  });
});
