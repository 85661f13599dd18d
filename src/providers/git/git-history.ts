/**
 * A deploy branch's first-parent history as Rewind reads it: each commit with the commits it
 * reverts (git's "This reverts commit …") and the Rewind trailers that mark its own rollbacks.
 */

export interface GitCommit {
  sha: string;
  author: string;
  committedAt: string;
  subject: string;
  tree: string;
  parents: string[];
  /** Commits this one reverts, from git's revert message. */
  reverts: string[];
  /** `Rewind-Rollback: <id>`: the rollback that made this commit. */
  rollbackId?: string;
  /** `Rewind-Restores: <sha>`: the commit whose tree this one restores. */
  restores?: string;
}

const FIELD = '\x1f';
const RECORD = '\x1e';

/** `git log` arguments whose output `parseLog` reads. */
export function logArgs(ref: string, limit: number): string[] {
  return ['log', '--first-parent', `--format=%H${FIELD}%an <%ae>${FIELD}%cI${FIELD}%s${FIELD}%T${FIELD}%P${FIELD}%b${RECORD}`, '-n', String(limit), ref];
}

export function parseLog(output: string): GitCommit[] {
  return output
    .split(RECORD)
    .map((record) => record.replace(/^\n+/, ''))
    .filter((record) => record.includes(FIELD))
    .map((record) => {
      const [sha = '', author = '', committedAt = '', subject = '', tree = '', parents = '', body = ''] = record.split(FIELD);
      const rollbackId = /^Rewind-Rollback: (\S+)$/m.exec(body)?.[1];
      const restores = /^Rewind-Restores: ([0-9a-f]{7,40})$/m.exec(body)?.[1];
      return {
        sha,
        author,
        committedAt,
        subject,
        tree,
        parents: parents.split(' ').filter(Boolean),
        reverts: [...body.matchAll(/This reverts commit ([0-9a-f]{7,40})/g)].map((m) => m[1]!),
        ...(rollbackId ? { rollbackId } : {}),
        ...(restores ? { restores } : {}),
      };
    });
}

/**
 * The newest commit older than `live` that Rewind could return to: not one reverted since, not a
 * revert or restore itself, and with other content than what is live.
 */
export function stableBefore(history: readonly GitCommit[], live: GitCommit): GitCommit | undefined {
  const at = history.findIndex((c) => c.sha === live.sha);
  if (at < 0) return undefined;
  const undone = new Set<string>();
  history.slice(0, at + 1).forEach((commit, i) => {
    for (const sha of commit.reverts) undone.add(sha);
    if (!commit.restores) return;
    // A restore commit undoes everything between it and the commit it restores.
    for (const older of history.slice(i + 1)) {
      if (older.sha.startsWith(commit.restores)) break;
      undone.add(older.sha);
    }
  });
  return history.slice(at + 1).find((c) => {
    if (c.tree === live.tree || c.reverts.length > 0 || c.restores) return false;
    return ![...undone].some((sha) => c.sha.startsWith(sha));
  });
}
