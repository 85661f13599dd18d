/**
 * One leader at a time on a real Redis; renewal ticks are fired by hand, and a lease running out is
 * a real key expiring, so nothing here waits on a timer or measures one.
 */
import { silentLogger } from '../../../src/observability/logger';
import { LeaderElection } from '../../../src/store/leader-election';
import { ManualTimers } from '../../support/manual-timers';
import { connect, uniquePrefix } from '../../support/redis';
import { waitFor } from '../../support/wait-for';

const TTL_MS = 60_000;

describe('LeaderElection', () => {
  const redis = connect();
  afterAll(() => redis.quit());

  function contender(key: string, log: string[], name: string) {
    const timers = new ManualTimers();
    const election = new LeaderElection({ redis, key, ttlMs: TTL_MS, renewMs: 1_000, logger: silentLogger(), every: timers.every });
    const callbacks = { onElected: () => void log.push(`${name}:elected`), onDemoted: () => void log.push(`${name}:demoted`) };
    return { election, timers, callbacks, start: () => election.start(callbacks), stop: () => election.stop(callbacks) };
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

  it('elects exactly one of two, and each renewal restores the leader’s full lease', async () => {
    const { key, log, a, b } = await pair();
    expect([a.election.isLeader, b.election.isLeader]).toEqual([true, false]);
    await redis.pexpire(key, 5_000); // most of the lease used up
    a.timers.fire();
    b.timers.fire();
    await Promise.all([a.election.idle(), b.election.idle()]);
    expect(await redis.pttl(key)).toBeGreaterThan(5_000);
    expect([a.election.isLeader, b.election.isLeader]).toEqual([true, false]);
    expect(log).toEqual(['a:elected']);
    await a.stop();
    await b.stop();
  });

  it('lets another take over once a dead leader’s lease runs out, and not before', async () => {
    const { key, log, a, b } = await pair();
    a.election.abandon(); // a crash: no release, no more renewals
    expect(a.timers.running).toBe(0);
    b.timers.fire();
    await b.election.idle();
    expect(await redis.get(key)).toBe(a.election.token);
    expect(b.election.isLeader).toBe(false);

    await redis.pexpire(key, 1); // the lease runs out
    await waitFor(() => redis.exists(key), (n) => n === 0, { what: 'the lease to expire' });
    b.timers.fire();
    await b.election.idle();
    expect(b.election.isLeader).toBe(true);
    expect(log).toEqual(['a:elected', 'b:elected']);
    await b.stop();
  });

  it('hands over at once on a clean stop, and demotes a leader whose lock was taken', async () => {
    const { key, log, a, b } = await pair();
    await a.stop();
    expect(await redis.get(key)).toBeNull();
    b.timers.fire();
    await b.election.idle();
    expect(b.election.isLeader).toBe(true);
    await redis.set(key, 'someone-else');
    b.timers.fire();
    await b.election.idle();
    expect(log).toContain('b:demoted');
    expect(b.election.isLeader).toBe(false);
    await b.stop();
  });
});
