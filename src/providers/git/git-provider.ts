/**
 * Rollback by Git (seeds 000 and 003): revert the commits since the last stable one on the deploy
 * branch (a restore commit when reverts conflict), push without force, and let the platform
 * redeploy; `reset` mode force-pushes the branch back, only when the catalog says so and a person
 * approves. Uses the real git binary; the token never leaves git's environment.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GitProviderConfig } from '../../config/catalog-schema';
import { ProviderError, TargetUnavailableError } from '../../domain/errors';
import type { DeployProvider, LiveContext, LiveState, RollbackContext, RollbackReceipt } from '../../domain/ports';
import type { ChangePreview, Release } from '../../domain/release';
import { readPath } from '../../json/json-path';
import { redactUrl } from '../../outbound/http-errors';
import { lookForEffect } from '../look-for-effect';
import type { ProviderDeps } from '../provider-site';
import { shortSha } from '../../domain/release';
import { logArgs, parseLog, stableBefore, type GitCommit } from './git-history';
import { GitRunner, lastLines } from './git-runner';

const HISTORY_LIMIT = 300;

type Plan = { kind: 'revert'; commits: GitCommit[] } | { kind: 'restore'; why?: string } | { kind: 'reset' };

function parseAuthor(author: string): { name: string; email: string } {
  const match = /^([^<>]+) <([^<>]+)>$/.exec(author);
  return { name: match?.[1]?.trim() ?? 'Rewind', email: match?.[2] ?? 'rewind@localhost' };
}

export class GitProvider implements DeployProvider {
  readonly type = 'git';
  private readonly git: GitRunner;
  private readonly branch: string;
  /** The repository as people may see it: no credentials in it. */
  private readonly shownRepo: string;
  private mirror: Promise<string> | undefined;

  constructor(
    private readonly config: GitProviderConfig,
    private readonly deps: ProviderDeps,
    /** The platform that deploys what is pushed, when the catalog names one. */
    private readonly deployedBy?: DeployProvider,
  ) {
    this.branch = config.git.branch;
    this.shownRepo = /^[a-z]+:\/\//.test(config.git.repo) ? redactUrl(config.git.repo) : config.git.repo;
    this.git = new GitRunner({ timeoutMs: config.timeout, token: config.git.token, author: parseAuthor(config.git.author) });
  }

  async currentRelease(signal?: AbortSignal): Promise<Release> {
    const { live } = await this.read(signal);
    return this.toRelease(live, 'live');
  }

  async recentReleases(limit: number, signal?: AbortSignal): Promise<Release[]> {
    const { history, live } = await this.read(signal);
    return history.slice(0, limit).map((c) => this.toRelease(c, c.sha === live.sha ? 'live' : undefined));
  }

  async lastStable(signal?: AbortSignal): Promise<Release | undefined> {
    const { history, live } = await this.read(signal);
    const stable = stableBefore(history, live);
    return stable ? this.toRelease(stable) : undefined;
  }

  async findRelease(ref: string, signal?: AbortSignal): Promise<Release | undefined> {
    const wanted = ref.trim().toLowerCase();
    if (!/^[0-9a-f]{4,40}$/.test(wanted)) return undefined;
    const { history } = await this.read(signal);
    const found = history.find((c) => c.sha.startsWith(wanted));
    return found ? this.toRelease(found) : undefined;
  }

  async describeChange(from: Release, to: Release, signal?: AbortSignal): Promise<ChangePreview> {
    const { history, head } = await this.read(signal);
    const deployed = this.between(history, to.id, from.id);
    const ahead = this.between(history, from.id, head.sha);
    const plan = await this.plan(deployed);
    const undone = plan.kind === 'revert' ? deployed : [...ahead, ...deployed];
    const notes = [this.planNote(plan, to, undone.length), ...this.liveNote()];
    if (ahead.length > 0) {
      notes.push(
        plan.kind === 'revert'
          ? `${this.branch} is ${ahead.length} commit(s) ahead of the live ${from.version} (${ahead.map((c) => shortSha(c.sha)).join(', ')}): the revert keeps them, and they deploy with it.`
          : `${this.branch} is ${ahead.length} commit(s) ahead of the live ${from.version} (${ahead.map((c) => shortSha(c.sha)).join(', ')}): they are undone too.`,
      );
    }
    return {
      commits: undone.map((c) => `${shortSha(c.sha)} ${c.subject}`),
      config: [],
      migrations: [],
      notes,
      ...(plan.kind === 'reset'
        ? { approvalRequired: `reset mode force-pushes ${this.branch} back to ${to.version}, rewriting history: ${undone.length} commit(s) disappear from the branch. A person must approve this even for a critical rollback.` }
        : {}),
    };
  }

  async captureState(signal?: AbortSignal): Promise<Record<string, unknown>> {
    const { head, live } = await this.read(signal);
    return { repo: this.shownRepo, branch: this.branch, head: head.sha, live: live.sha };
  }

  async rollbackTo(target: Release, context: RollbackContext): Promise<RollbackReceipt> {
    const { history, head, live } = await this.read(context.signal);
    const done = history.find((c) => c.rollbackId === context.idempotencyKey);
    if (done) return this.receipt(done.sha, `${shortSha(done.sha)} from an earlier attempt of this rollback is already on ${this.branch}`, []);
    const stable = history.find((c) => c.sha === target.id);
    if (!stable) throw new TargetUnavailableError(`${target.version} is not on ${this.branch} of ${this.shownRepo} any more.`);
    if (head.tree === stable.tree) return { alreadyAtTarget: true, detail: `${this.branch} at ${shortSha(head.sha)} already has the content of ${target.version}` };

    // A revert undoes what was deployed since the stable commit and keeps commits pushed after it;
    // a restore or a reset undoes everything since the stable commit.
    const deployed = this.between(history, stable.sha, live.sha);
    const sinceStable = this.between(history, stable.sha, head.sha);
    const intent = this.intent(deployed);
    if (intent.kind === 'reset') return this.reset(stable, head, sinceStable, context);
    let undone = deployed;
    try {
      let why = intent.kind === 'restore' ? intent.why : undefined;
      if (intent.kind === 'try-revert') {
        // Tried and pushed in one clone: a conflict found here falls back to a restore commit.
        const reverted = await this.pushRevert(deployed, stable, context.idempotencyKey);
        if (typeof reverted === 'string') return this.receipt(reverted, `Pushed ${shortSha(reverted)} to ${this.branch}: a revert of ${deployed.length} commit(s)`, deployed);
        why = `reverting ${shortSha(reverted.sha)} conflicts`;
      }
      undone = sinceStable;
      const sha = await this.pushRestore(stable, head, context.idempotencyKey);
      return this.receipt(sha, `Pushed ${shortSha(sha)} to ${this.branch}: a restore commit with the content of ${shortSha(stable.sha)}${why ? ` (${why})` : ''}`, undone);
    } catch (error) {
      if (!(error instanceof ProviderError) || !error.details['timeout']) throw error;
      // The push may have landed before git was stopped: look for the commit that names this rollback.
      const sha = await lookForEffect(() => this.lookFor(context.idempotencyKey), {
        clock: this.deps.clock,
        withinMs: this.config.confirmWithin,
        platform: 'git',
        call: `git push to ${this.branch} (${error.userMessage})`,
        effect: `commit for rollback ${context.idempotencyKey}`,
      });
      return this.receipt(sha, `The push timed out, yet ${shortSha(sha)} is on ${this.branch}`, undone);
    }
  }

  async liveState(target: Release, context: LiveContext = {}): Promise<LiveState> {
    const expected = context.handle ?? target.id;
    if ('url' in (this.config.live ?? {}) || this.deployedBy) {
      const deployed = await this.deployedCommit(context.signal);
      const matches = deployed.length >= 7 && (expected.startsWith(deployed) || deployed.startsWith(expected));
      if (!matches) return { live: false, detail: `the deployed commit is ${shortSha(deployed)}, waiting for ${shortSha(expected)}` };
      return { live: true, detail: `${shortSha(expected)} is deployed`, ...(context.handle && context.handle !== target.id ? { serving: await this.servingRelease(context.handle, target) } : {}) };
    }
    const { history } = await this.read(context.signal);
    const pushed = history.some((c) => c.sha === expected);
    if (!pushed) return { live: false, detail: `${shortSha(expected)} is not on ${this.branch} yet` };
    return {
      live: true,
      detail: `${shortSha(expected)} is on ${this.branch}; no live check is configured (\`live\`), so verification decides whether it is deployed`,
      ...(context.handle && context.handle !== target.id ? { serving: await this.servingRelease(context.handle, target) } : {}),
    };
  }

  // ---- reading ----

  /** A bare copy of the branch, fetched again on every read: the remote is the truth. */
  private async sync(): Promise<string> {
    this.mirror ??= (async () => {
      const dir = await mkdtemp(join(tmpdir(), 'rewind-git-'));
      await this.git.ok(['clone', '--quiet', '--bare', '--single-branch', '--branch', this.branch, this.config.git.repo, dir]).catch((error: unknown) => {
        this.mirror = undefined;
        throw this.explain(error, 'clone');
      });
      return dir;
    })();
    const dir = await this.mirror;
    await this.git.ok(['fetch', '--quiet', '--force', 'origin', `+refs/heads/${this.branch}:refs/heads/${this.branch}`], dir).catch((error: unknown) => {
      throw this.explain(error, 'fetch');
    });
    return dir;
  }

  private async read(_signal?: AbortSignal): Promise<{ dir: string; history: GitCommit[]; head: GitCommit; live: GitCommit }> {
    const dir = await this.sync();
    const history = parseLog(await this.git.ok(logArgs(`refs/heads/${this.branch}`, HISTORY_LIMIT), dir));
    const head = history[0];
    if (!head) throw new ProviderError(`${this.branch} of ${this.shownRepo} has no commits.`, false);
    const deployed = this.config.live || this.deployedBy ? await this.deployedCommit().catch(() => undefined) : undefined;
    const live = (deployed ? history.find((c) => c.sha.startsWith(deployed)) : undefined) ?? head;
    return { dir, history, head, live };
  }

  /** The commit the platform reports deployed: from the `live` endpoint, or the platform that deploys on push. */
  private async deployedCommit(signal?: AbortSignal): Promise<string> {
    if (this.deployedBy) {
      const current = await this.deployedBy.currentRelease(signal);
      return (current.commit ?? current.version).toLowerCase();
    }
    const live = this.config.live as { url: string; path: string; headers?: Record<string, string> };
    const response = await this.deps.http.request({ method: 'GET', url: live.url, headers: { accept: 'application/json', ...live.headers }, label: 'git:live', ...(signal ? { signal } : {}) });
    if (response.status < 200 || response.status >= 300) throw new ProviderError(`${redactUrl(live.url)} answered ${response.status} when asked which commit is deployed.`, true);
    const found = readPath(response.json(), live.path);
    if (!found.found || (typeof found.value !== 'string' && typeof found.value !== 'number')) throw new ProviderError(`${redactUrl(live.url)} names no ${live.path}.`, false);
    return String(found.value).toLowerCase();
  }

  private async lookFor(rollbackId: string): Promise<{ found: string } | { seen: string }> {
    const dir = await this.sync();
    const history = parseLog(await this.git.ok(logArgs(`refs/heads/${this.branch}`, 50), dir));
    const mine = history.find((c) => c.rollbackId === rollbackId);
    return mine ? { found: mine.sha } : { seen: `${this.branch} at ${shortSha(history[0]?.sha ?? 'unknown')}` };
  }

  /** First-parent commits after `from` up to `to`, newest first: what going back to `from` undoes. */
  private between(history: readonly GitCommit[], from: string, to: string): GitCommit[] {
    const end = history.findIndex((c) => c.sha === from);
    const start = history.findIndex((c) => c.sha === to);
    return history.slice(Math.max(0, start), end < 0 ? undefined : end);
  }

  // ---- acting ----

  /** revert unless it conflicts (tried in a scratch clone) or a merge commit is in the way; reset only when configured. */
  /** What the mode and the history decide before trying anything: reset, a restore (and why), or a revert to try. */
  private intent(undone: readonly GitCommit[]): Exclude<Plan, { kind: 'revert' }> | { kind: 'try-revert' } {
    const mode = this.config.git.mode;
    if (mode === 'reset') return { kind: 'reset' };
    if (mode === 'restore') return { kind: 'restore' };
    const merge = undone.find((c) => c.parents.length > 1);
    if (merge) return { kind: 'restore', why: `reverting merge ${shortSha(merge.sha)} is ambiguous` };
    return { kind: 'try-revert' };
  }

  /** For the preview: the intent, with a revert tried in a scratch clone to see whether it conflicts. */
  private async plan(undone: readonly GitCommit[]): Promise<Plan> {
    const intent = this.intent(undone);
    if (intent.kind !== 'try-revert') return intent;
    const conflict = await this.withClone((dir) => this.revertIn(dir, undone));
    return conflict ? { kind: 'restore', why: `reverting ${shortSha(conflict.sha)} conflicts` } : { kind: 'revert', commits: [...undone] };
  }

  /** Reverts the commits into the work tree, newest first; the commit that conflicts, if one does. */
  private async revertIn(dir: string, commits: readonly GitCommit[]): Promise<RevertConflict | undefined> {
    for (const commit of commits) {
      const result = await this.git.run(['revert', '--no-commit', commit.sha], dir);
      if (result.code !== 0) {
        await this.git.run(['revert', '--abort'], dir);
        return { sha: commit.sha };
      }
    }
    return undefined;
  }

  /** Reverts, commits and pushes in one clone; a conflict is returned (nothing pushed), not thrown. */
  private async pushRevert(commits: readonly GitCommit[], stable: GitCommit, rollbackId: string): Promise<string | RevertConflict> {
    return this.withClone(async (dir) => {
      const conflict = await this.revertIn(dir, commits);
      if (conflict) return conflict;
      const reverted = commits.map((c) => `This reverts commit ${c.sha}.`).join('\n');
      const message = `Rewind: revert ${commits.length} commit(s) to return to ${shortSha(stable.sha)}\n\n${reverted}\n\nRewind-Rollback: ${rollbackId}\nRewind-Restores: ${stable.sha}\n`;
      await this.git.ok(['commit', '--quiet', '--no-verify', '-m', message], dir);
      const sha = (await this.git.ok(['rev-parse', 'HEAD'], dir)).trim();
      await this.push(dir, `${sha}:refs/heads/${this.branch}`);
      return sha;
    });
  }

  /** One commit whose tree is the stable commit's, on top of the branch: undoes everything since, in one step. */
  private async pushRestore(stable: GitCommit, head: GitCommit, rollbackId: string): Promise<string> {
    const dir = await this.sync();
    const message = `Rewind: restore the content of ${shortSha(stable.sha)}\n\nRewind-Rollback: ${rollbackId}\nRewind-Restores: ${stable.sha}\n`;
    const sha = (await this.git.ok(['commit-tree', stable.tree, '-p', head.sha, '-m', message], dir)).trim();
    await this.push(dir, `${sha}:refs/heads/${this.branch}`);
    return sha;
  }

  /** Never a force-push: a branch that moved is read again and the rollback tried again. */
  private async push(dir: string, refspec: string): Promise<void> {
    const result = await this.git.run(['push', '--quiet', '--porcelain', this.config.git.repo, refspec], dir);
    if (result.code === 0) return;
    const said = `${result.stdout}\n${result.stderr}`;
    if (/non-fast-forward|fetch first|\[rejected\]|stale info|failed to update ref|cannot lock ref/.test(said)) {
      throw new ProviderError(`${this.branch} moved while Rewind was rolling back (push rejected, never forced); Rewind reads it again and retries.`, true, { rejected: true });
    }
    throw new ProviderError(`git push to ${this.branch} of ${this.shownRepo} failed: ${lastLines(said)}`, false);
  }

  private async reset(stable: GitCommit, head: GitCommit, undone: readonly GitCommit[], context: RollbackContext): Promise<RollbackReceipt> {
    if (!context.approvedBy?.length) {
      throw new TargetUnavailableError(`reset mode rewrites ${this.branch}'s history and needs an approver's approval, which this rollback does not have; request it again so it is approved.`);
    }
    const dir = await this.sync();
    const result = await this.git.run(['push', '--quiet', '--porcelain', `--force-with-lease=refs/heads/${this.branch}:${head.sha}`, this.config.git.repo, `${stable.sha}:refs/heads/${this.branch}`], dir);
    if (result.code !== 0) {
      const said = `${result.stdout}\n${result.stderr}`;
      if (/stale info|\[rejected\]/.test(said)) throw new ProviderError(`${this.branch} moved while Rewind was resetting it; Rewind reads it again and retries.`, true);
      throw new ProviderError(`git push --force-with-lease to ${this.branch} failed: ${lastLines(said)}`, false);
    }
    const removed = undone.map((c) => `${shortSha(c.sha)} ${c.subject}`).join('; ');
    return {
      alreadyAtTarget: false,
      detail: `Force-pushed ${this.branch} back to ${shortSha(stable.sha)}: HISTORY REWRITTEN, ${undone.length} commit(s) removed`,
      handle: stable.sha,
      ...this.linkOf(stable.sha),
      notes: [`History rewritten on ${this.branch}: removed ${removed}. Anyone who has those commits must reset to the branch; they are still in reflogs and clones.`],
    };
  }

  private async withClone<T>(work: (dir: string) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(join(tmpdir(), `rewind-work-${randomBytes(3).toString('hex')}-`));
    try {
      await this.git.ok(['clone', '--quiet', '--single-branch', '--branch', this.branch, this.config.git.repo, dir]).catch((error: unknown) => {
        throw this.explain(error, 'clone');
      });
      return await work(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  // ---- telling ----

  private receipt(sha: string, detail: string, undone: readonly GitCommit[]): RollbackReceipt {
    return {
      alreadyAtTarget: false,
      detail,
      handle: sha,
      ...this.linkOf(sha),
      notes: [
        `Rewind pushed ${shortSha(sha)} to ${this.branch} of ${this.shownRepo}${undone.length ? `, undoing ${undone.map((c) => shortSha(c.sha)).join(', ')}` : ''}. The bad commits stay in history: a fix should build on this commit (or revert it).`,
        ...this.liveNote(),
      ],
    };
  }

  private planNote(plan: Plan, to: Release, count: number): string {
    if (plan.kind === 'revert') return `Rewind reverts ${count} commit(s) in one new commit on ${this.branch} and pushes it (no force-push); the platform redeploys from the push.`;
    if (plan.kind === 'restore') return `Rewind pushes one restore commit whose content is ${to.version}'s${plan.why ? ` (${plan.why}, so a revert would not apply)` : ''}; no force-push.`;
    return `Warning: reset mode force-pushes ${this.branch} back to ${to.version}: ${count} commit(s) disappear from the branch's history.`;
  }

  private liveNote(): string[] {
    if (this.deployedBy) return [`Live when ${this.deployedBy.type} reports the pushed commit deployed.`];
    if (this.config.live && 'url' in this.config.live) return [`Live when ${redactUrl(this.config.live.url)} reports the pushed commit.`];
    return ['No live check is configured (`live`): Rewind cannot see the deploy happen; verification decides.'];
  }

  private async servingRelease(sha: string, target: Release): Promise<Release> {
    return { id: sha, version: shortSha(sha), commit: sha, description: `same content as ${target.version}`, ...this.linkOf(sha) };
  }

  private toRelease(commit: GitCommit, status?: string): Release {
    return {
      id: commit.sha,
      version: shortSha(commit.sha),
      commit: commit.sha,
      author: commit.author,
      deployedAt: commit.committedAt,
      description: commit.subject,
      ...(status ? { status } : {}),
      ...this.linkOf(commit.sha),
    };
  }

  /** A web link for hosted https remotes (GitHub, GitLab and alike); none for paths and ssh. */
  private linkOf(sha: string): { link?: string } {
    const match = /^https:\/\/(?:[^@/]+@)?([^/]+)\/(.+?)(?:\.git)?\/?$/.exec(this.config.git.repo);
    return match ? { link: `https://${match[1]}/${match[2]}/commit/${sha}` } : {};
  }

  private explain(error: unknown, what: string): ProviderError {
    const why = error instanceof ProviderError ? error.userMessage : String(error);
    return new ProviderError(`could not ${what} ${this.branch} of ${this.shownRepo}: ${why}${this.config.git.token ? '' : ' (no git.token is configured)'}`, error instanceof ProviderError ? error.retryable : false);
  }
}

/** The commit whose revert did not apply. */
interface RevertConflict {
  sha: string;
}
