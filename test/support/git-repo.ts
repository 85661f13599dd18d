/** Real Git repositories for the git provider's tests: a bare "remote" and a work clone that commits and pushes to it. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ENV = { ...process.env, GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: 'dev@example.com', GIT_TERMINAL_PROMPT: '0' };

export class GitRepo {
  private constructor(
    private readonly root: string,
    /** The bare repository: what the catalog's `git.repo` names. */
    readonly url: string,
    private readonly work: string,
  ) {}

  static create(): GitRepo {
    const root = mkdtempSync(join(tmpdir(), 'rewind-test-git-'));
    const url = join(root, 'deploy.git');
    const work = join(root, 'work');
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', url], { env: ENV });
    execFileSync('git', ['clone', '--quiet', url, work], { env: ENV, stdio: 'ignore' });
    execFileSync('git', ['checkout', '--quiet', '-b', 'main'], { cwd: work, env: ENV });
    return new GitRepo(root, url, work);
  }

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.work, env: ENV, encoding: 'utf8' }).trim();
  }

  /** Writes the files, commits them and pushes to the remote's main; returns the commit. */
  commit(message: string, files: Record<string, string>): string {
    // Rewind may have pushed since: build on the remote's main when it has one.
    if (this.git('ls-remote', 'origin', 'refs/heads/main')) this.git('pull', '--quiet', '--ff-only', 'origin', 'main');
    for (const [name, content] of Object.entries(files)) writeFileSync(join(this.work, name), content);
    this.git('add', '--all');
    this.git('commit', '--quiet', '-m', message);
    this.git('push', '--quiet', 'origin', 'HEAD:main');
    return this.git('rev-parse', 'HEAD');
  }

  /** The remote's main. */
  head(): string {
    return execFileSync('git', ['rev-parse', 'refs/heads/main'], { cwd: this.url, env: ENV, encoding: 'utf8' }).trim();
  }

  /** A file's content at the remote's main. */
  show(file: string, ref = 'refs/heads/main'): string {
    return execFileSync('git', ['show', `${ref}:${file}`], { cwd: this.url, env: ENV, encoding: 'utf8' });
  }

  /** A commit's whole message, as the remote has it. */
  message(sha: string): string {
    return execFileSync('git', ['log', '-1', '--format=%B', sha], { cwd: this.url, env: ENV, encoding: 'utf8' });
  }

  /** First-parent history of the remote's main, newest first: `sha subject`. */
  log(): string[] {
    return execFileSync('git', ['log', '--first-parent', '--format=%H %s', 'refs/heads/main'], { cwd: this.url, env: ENV, encoding: 'utf8' }).trim().split('\n');
  }

  close(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
