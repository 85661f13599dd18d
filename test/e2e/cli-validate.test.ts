/** `rewind validate FILE`: exit 0 with a one-line summary, or exit 1 listing every problem with its path. */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { writeCatalog } from '../support/spawn-rewind';

const ROOT = resolve(__dirname, '../..');

function validate(file: string, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--require', 'tsx/cjs', join(ROOT, 'src/cli.ts'), 'validate', file], {
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
  });
});
