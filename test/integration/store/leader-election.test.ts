/** One leader at a time; a dead leader's place is taken within ttl + renew; a clean stop hands over at once. */
import { silentLogger } from '../../../src/observability/logger';
import { LeaderElection } from '../../../src/store/leader-election';
import { connect, uniquePrefix } from '../../support/redis';
import { waitFor } from '../../support/wait-for';

describe('LeaderElection', () => {
  const redis = connect();
  afterAll(() => redis.quit());

  function contender(key: string, log: string[], name: string) {
    const election = new LeaderElection({ redis, key, ttlMs: 600, renewMs: 100, logger: silentLogger() });
    const callbacks = { onElected: () => void log.push(`${name}:elected`), onDemoted: () => void log.push(`${name}:demoted`) };
    return { election, callbacks, start: () => election.start(callbacks), stop: () => election.stop(callbacks) };
  }

  /** Two contenders on a fresh key, both started (a first), and the log of what happened to them. */
  async function pair() {
    const key = `${uniquePrefix()}:leader`;
    const log: string[] = [];
    const [a, b] = [contender(key, log, 'a'), contender(key, log, 'b')];
    await a.start();
    await b.start();
    return { key, log, a, b };
  }

  it('elects exactly one of two and keeps it while it renews', async () => {
    const { log, a, b } = await pair();
    await new Promise((r) => setTimeout(r, 1_000)); // longer than the ttl: renewal keeps a in charge
    expect([a.election.isLeader, b.election.isLeader]).toEqual([true, false]);
    expect(log).toEqual(['a:elected']);
    await a.stop();
    await b.stop();
  });

  it('lets another take over when the leader dies without releasing', async () => {
    const { log, a, b } = await pair();
    a.election.abandon();
    await waitFor(() => b.election.isLeader, Boolean, { timeoutMs: 2_000, what: 'b to take over' });
    expect(log).toEqual(['a:elected', 'b:elected']);
    await b.stop();
  });

  it('hands over at once on a clean stop, and demotes a leader whose lock was taken', async () => {
    const { key, log, a, b } = await pair();
    await a.stop();
    expect(await redis.get(key)).toBeNull();
    await waitFor(() => b.election.isLeader, Boolean, { timeoutMs: 1_000, what: 'b to take over' });
    await redis.set(key, 'someone-else');
    await waitFor(() => log.includes('b:demoted'), Boolean, { timeoutMs: 1_000, what: 'b to notice it lost the lock' });
    expect(b.election.isLeader).toBe(false);
    await b.stop();
  });
});
