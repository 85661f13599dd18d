/**
 * The git provider against real local repositories (no fake): reverting one and several commits,
 * a revert that conflicts falling back to a restore commit, a push rejected because the branch
 * moved (read again, never forced), `reset` mode only with an approval, a resumed rollback that
 * finds its own commit, and a token that never shows.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../../../src/app/system-clock';
import { GitProviderConfig } from '../../../src/config/catalog-schema';
import type { Actor } from '../../../src/domain/actor';
import { ProviderError, TargetUnavailableError } from '../../../src/domain/errors';
import type { DeployProvider } from '../../../src/domain/ports';
import { silentLogger } from '../../../src/observability/logger';
import { HttpClient } from '../../../src/outbound/http-client';
import { createProvider } from '../../../src/providers/create-provider';
import { RenderService } from '../../../src/demo/render-service';
import { HttpFakeServer } from '../../fakes/http-fake-base';
import { GitRepo } from '../../support/git-repo';

const LEAD: Actor = { platform: 'slack', id: 'U0LEAD', name: 'lead' };

function provider(repo: GitRepo, extra: Record<string, unknown> = {}): DeployProvider {
  const config = GitProviderConfig.parse({ type: 'git', git: { repo: repo.url, branch: 'main' }, timeout: '20s', ...extra });
  return createProvider(config, { http: new HttpClient({ logger: silentLogger(), clock: systemClock }), clock: systemClock }, { service: 'web', environment: 'production', holdAfterRollback: true });
}

/** What the platform reports deployed: a commit the test sets. */
async function deployedAt(get: () => string): Promise<HttpFakeServer> {
  return HttpFakeServer.listen('deployed commit', () => ({ status: 200, body: { version: get().slice(0, 7) } }));
}

describe('git provider', () => {
  let repo: GitRepo;
  let a: string;
  let b: string;

  beforeEach(() => {
    repo = GitRepo.create();
    a = repo.commit('release A', { 'app.txt': 'line one\nline two\n', 'README': 'deploy repo\n' });
    b = repo.commit('release B (bad)', { 'app.txt': 'line one\nline two BROKEN\n' });
  });
  afterEach(() => repo.close());

  it('reverts the one bad commit in a new commit, pushed without force, history kept', async () => {
    const git = provider(repo);
    expect(await git.currentRelease()).toMatchObject({ id: b, version: b.slice(0, 7), description: 'release B (bad)' });
    const stable = (await git.lastStable())!;
    expect(stable).toMatchObject({ id: a, version: a.slice(0, 7) });
    const preview = await git.describeChange(await git.currentRelease(), stable);
    expect(preview.commits).toEqual([`${b.slice(0, 7)} release B (bad)`]);
    expect(preview.notes[0]).toMatch(/^Rewind reverts 1 commit\(s\) in one new commit on main and pushes it \(no force-push\)/);
    expect(preview.approvalRequired).toBeUndefined();

    const receipt = await git.rollbackTo(stable, { idempotencyKey: 'rb_revert1' });
    const head = repo.head();
    expect(receipt).toMatchObject({ alreadyAtTarget: false, handle: head });
    expect(receipt.detail).toBe(`Pushed ${head.slice(0, 7)} to main: a revert of 1 commit(s)`);
    expect(repo.show('app.txt')).toBe('line one\nline two\n');
    expect(repo.log().map((l) => l.slice(0, 40))).toEqual([head, b, a]);
    expect(repo.message(head)).toMatch(new RegExp(`This reverts commit ${b}\\.[\\s\\S]*Rewind-Rollback: rb_revert1`));
    const live = await git.liveState(stable, { handle: head });
    expect(live).toMatchObject({ live: true, serving: { id: head, description: `same content as ${a.slice(0, 7)}` } });
  });

  it('reverts several commits at once when the target is further back', async () => {
    const c = repo.commit('release C', { 'other.txt': 'new file\n' });
    const git = provider(repo);
    const target = (await git.findRelease(a.slice(0, 8)))!;
    expect((await git.describeChange(await git.currentRelease(), target)).commits).toEqual([`${c.slice(0, 7)} release C`, `${b.slice(0, 7)} release B (bad)`]);
    await git.rollbackTo(target, { idempotencyKey: 'rb_revert2' });
    expect(repo.show('app.txt')).toBe('line one\nline two\n');
    expect(() => repo.show('other.txt')).toThrow();
    expect(repo.message(repo.head())).toContain(`This reverts commit ${c}.\nThis reverts commit ${b}.`);
  });

  it('falls back to a restore commit when the revert conflicts, and the preview says so', async () => {
    // B is deployed; D, pushed after it and not yet deployed, rewrites the same line, so reverting B conflicts.
    const d = repo.commit('release D (fix in flight)', { 'app.txt': 'line one\nline two FIXED\n' });
    const platform = await deployedAt(() => b);
    try {
      const git = provider(repo, { live: { url: `${platform.base}/version`, path: 'version' } });
      expect((await git.currentRelease()).id).toBe(b);
      const stable = (await git.lastStable())!;
      expect(stable.id).toBe(a);
      const preview = await git.describeChange(await git.currentRelease(), stable);
      expect(preview.notes.join('\n')).toMatch(new RegExp(`restore commit whose content is ${a.slice(0, 7)}'s \\(reverting ${b.slice(0, 7)} conflicts`));
      expect(preview.notes.join('\n')).toContain(`1 commit(s) ahead of the live ${b.slice(0, 7)} (${d.slice(0, 7)}): they are undone too`);
      const receipt = await git.rollbackTo(stable, { idempotencyKey: 'rb_restore' });
      expect(receipt.detail).toMatch(/a restore commit with the content of .* \(reverting .* conflicts\)/);
      expect(repo.show('app.txt')).toBe('line one\nline two\n');
      expect(repo.log()[1]!.startsWith(d)).toBe(true);
    } finally {
      await platform.close();
    }
  });

  it('when the branch moves during the push: rejected, read again, tried again, never forced', async () => {
    // The remote moves main once, just as Rewind's push arrives (another engineer pushed first).
    const hook = join(repo.url, 'hooks', 'pre-receive');
    writeFileSync(
      hook,
      `#!/bin/sh
if [ ! -f moved ]; then
  touch moved
  # Out of the push's quarantine, so the new commit and ref are the remote's own.
  unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
  tree=$(git rev-parse refs/heads/main^{tree})
  moved=$(git commit-tree "$tree" -p refs/heads/main -m "someone else's push")
  git update-ref refs/heads/main "$moved"
fi
exit 0
`,
    );
    chmodSync(hook, 0o755);
    const platform = await deployedAt(() => b);
    try {
      const git = provider(repo, { live: { url: `${platform.base}/version`, path: 'version' } });
      const stable = (await git.lastStable())!;
      const error = await git.rollbackTo(stable, { idempotencyKey: 'rb_moved' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).retryable).toBe(true);
      expect((error as ProviderError).userMessage).toContain('main moved while Rewind was rolling back (push rejected, never forced)');
      const moved = repo.head();
      expect(repo.message(moved).trim()).toBe("someone else's push");
      // The engine's retry: the provider reads the branch again and builds on what is there now.
      await git.rollbackTo(stable, { idempotencyKey: 'rb_moved' });
      expect(repo.log()[1]!.startsWith(moved)).toBe(true);
      expect(repo.show('app.txt')).toBe('line one\nline two\n');
    } finally {
      await platform.close();
    }
  });

  it('reset mode needs an approval, even for critical, then force-pushes and says what it rewrote', async () => {
    const git = provider(repo, { git: { repo: repo.url, mode: 'reset' } });
    const stable = (await git.lastStable())!;
    const preview = await git.describeChange(await git.currentRelease(), stable);
    expect(preview.approvalRequired).toMatch(/force-pushes main back to .*rewriting history: 1 commit\(s\) disappear/);
    await expect(git.rollbackTo(stable, { idempotencyKey: 'rb_reset' })).rejects.toBeInstanceOf(TargetUnavailableError);
    expect(repo.head()).toBe(b);
    const receipt = await git.rollbackTo(stable, { idempotencyKey: 'rb_reset', approvedBy: [LEAD] });
    expect(receipt.detail).toMatch(/HISTORY REWRITTEN, 1 commit\(s\) removed/);
    expect(receipt.notes?.[0]).toContain(`History rewritten on main: removed ${b.slice(0, 7)} release B (bad)`);
    expect(repo.head()).toBe(a);
  });

  it('a worker resuming the rollback finds its own commit and does not push again', async () => {
    const git = provider(repo);
    const stable = (await git.lastStable())!;
    const first = await git.rollbackTo(stable, { idempotencyKey: 'rb_twice' });
    const again = await git.rollbackTo(stable, { idempotencyKey: 'rb_twice' });
    expect(again.handle).toBe(first.handle);
    expect(again.detail).toContain('from an earlier attempt of this rollback is already on main');
    expect(repo.log()).toHaveLength(3);
  });

  it('goes live when the platform that deploys on push reports the pushed commit (live.provider)', async () => {
    // A Render service with auto-deploy: it deploys main's head when told, as its webhook would.
    const render = await RenderService.start({ token: 'rnd_git-test-token', serviceId: 'srv-gitdeploy1' });
    try {
      render.deploy(a, 'release A', { at: new Date(Date.now() - 60_000) });
      render.deploy(b, 'release B (bad)');
      const git = provider(repo, { live: { provider: { type: 'render', token: 'rnd_git-test-token', apiUrl: render.url, render: { serviceId: 'srv-gitdeploy1' } } } });
      expect((await git.currentRelease()).id).toBe(b);
      const stable = (await git.lastStable())!;
      const receipt = await git.rollbackTo(stable, { idempotencyKey: 'rb_render' });
      expect(await git.liveState(stable, { handle: receipt.handle! })).toMatchObject({ live: false, detail: `the deployed commit is ${b.slice(0, 7)}, waiting for ${receipt.handle!.slice(0, 7)}` });
      render.deploy(repo.head(), 'Rewind revert');
      expect(await git.liveState(stable, { handle: receipt.handle! })).toMatchObject({ live: true, serving: { id: repo.head() } });
      expect(receipt.notes?.join(' ')).toContain('Live when render reports the pushed commit deployed.');
    } finally {
      await render.close();
    }
  });

  it('never shows the token, even when git fails', async () => {
    const secret = 'ghp_very-secret-token-0123456789';
    const git = createProvider(
      GitProviderConfig.parse({ type: 'git', git: { repo: 'https://deploy-bot@git.invalid/acme/deploy.git', token: secret }, timeout: '20s' }),
      { http: new HttpClient({ logger: silentLogger(), clock: systemClock }), clock: systemClock },
      { service: 'web', environment: 'production', holdAfterRollback: true },
    );
    const error = await git.currentRelease().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).userMessage).toMatch(/^could not clone main of https:\/\/git\.invalid\/acme\/deploy\.git: git clone failed: /);
    expect(JSON.stringify({ m: (error as Error).message, d: (error as ProviderError).details })).not.toContain(secret);
  });
});
