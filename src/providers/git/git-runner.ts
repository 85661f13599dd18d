/**
 * Runs the real `git` binary: a timeout per command, output captured, no prompt ever, and the
 * token passed as an HTTP header through git's environment (GIT_CONFIG_*), so it is never in an
 * argument, a URL, a log line or a message; any echo of it is masked.
 */
import { execFile } from 'node:child_process';
import { ProviderError } from '../../domain/errors';

export interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

export class GitRunner {
  constructor(
    private readonly options: {
      timeoutMs: number;
      token?: string | undefined;
      author: { name: string; email: string };
    },
  ) {}

  /** Runs git; resolves with its exit code whatever it is (callers decide what a failure means). */
  run(args: readonly string[], cwd?: string): Promise<GitResult> {
    return new Promise((resolve, reject) => {
      execFile('git', [...args], { cwd, env: this.env(), timeout: this.options.timeoutMs, maxBuffer: 16 * 1024 * 1024, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
        const out = { stdout: this.mask(String(stdout)), stderr: this.mask(String(stderr)) };
        if (!error) return resolve({ ...out, code: 0 });
        const failure = error as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
        if (failure.killed) return reject(new ProviderError(`git ${args[0]} did not finish within ${Math.round(this.options.timeoutMs / 1000)} s`, true, { timeout: true }));
        if (failure.code === 'ENOENT') return reject(new ProviderError('the git binary is not installed where Rewind runs', false));
        resolve({ ...out, code: typeof failure.code === 'number' ? failure.code : 1 });
      });
    });
  }

  /** Runs git and throws a ProviderError with git's own words when it fails. */
  async ok(args: readonly string[], cwd?: string): Promise<string> {
    const result = await this.run(args, cwd);
    if (result.code !== 0) throw new ProviderError(`git ${args[0]} failed: ${lastLines(result.stderr || result.stdout)}`, false, { code: result.code });
    return result.stdout;
  }

  private env(): NodeJS.ProcessEnv {
    const { name, email } = this.options.author;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      LANG: 'C',
      GIT_TERMINAL_PROMPT: '0',
      GIT_ASKPASS: 'true',
      GIT_AUTHOR_NAME: name,
      GIT_AUTHOR_EMAIL: email,
      GIT_COMMITTER_NAME: name,
      GIT_COMMITTER_EMAIL: email,
    };
    if (this.options.token) {
      const basic = Buffer.from(`x-access-token:${this.options.token}`).toString('base64');
      Object.assign(env, { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader', GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}` });
    }
    return env;
  }

  private mask(text: string): string {
    const { token } = this.options;
    return token ? text.split(token).join('[redacted]') : text;
  }
}

/** The last few lines of git's output: where it says what went wrong. */
export function lastLines(text: string, count = 3): string {
  const lines = text.trim().split('\n').filter(Boolean);
  const shown = lines.slice(-count).join(' / ');
  return shown.length > 300 ? `${shown.slice(0, 297)}...` : shown || 'no output';
}
