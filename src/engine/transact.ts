/**
 * Read-modify-write of one rollback with optimistic concurrency: re-reads and re-decides when
 * another worker or a second click committed first, so concurrent actions serialize cleanly.
 */
import { ConflictError, UnknownRollbackError } from '../domain/errors';
import type { RollbackRecord } from '../domain/rollback-record';
import { Change } from './change';
import type { EngineDeps } from './engine-deps';
import { afterRollbackCommit } from './rollback-end';

const MAX_ATTEMPTS = 25;

export type Decide<T> = (record: RollbackRecord, change: Change) => Promise<{ commit: boolean; result: T }> | { commit: boolean; result: T };

/**
 * `known`: the record as this caller last committed it. The first attempt decides on it instead of
 * reading it again; if anyone committed since, the version check refuses the commit and the next
 * attempt reads the record afresh, as always. A decision not to commit is re-made on a fresh read.
 */
export async function transact<T>(deps: Pick<EngineDeps, 'store' | 'scheduler' | 'clock' | 'drills' | 'logger'>, id: string, decide: Decide<T>, known?: RollbackRecord): Promise<{ record: RollbackRecord; result: T }> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const record = attempt === 1 && known ? known : await deps.store.get(id);
    if (!record) throw new UnknownRollbackError(id);
    const change = new Change(record, deps.clock.now());
    const { commit, result } = await decide(record, change);
    // "Nothing to do" is only trusted on a fresh read: the known record may be out of date.
    if (!commit && record === known) continue;
    if (!commit) return { record, result };
    const built = change.build();
    try {
      const saved = await deps.store.commit(record.version, built);
      if (built.outbox.length > 0) await deps.scheduler.deliver(id);
      await afterRollbackCommit(deps, record, saved);
      return { record: saved, result };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  throw new ConflictError(id);
}
