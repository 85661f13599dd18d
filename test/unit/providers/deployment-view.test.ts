/**
 * How the blue/green provider reads a status answer: seed 004's documented fields alone, the richer
 * shape with an `environments` map, other names through the catalog's field map, and what it says
 * when it cannot tell which release an environment runs.
 */
import { BlueGreenStatusFields } from '../../../src/config/catalog-schema';
import { readDeploymentView, type DeploymentView } from '../../../src/providers/bluegreen/deployment-view';

const SEED_FIELDS = BlueGreenStatusFields.parse(undefined);

function view(body: unknown, fields = SEED_FIELDS): DeploymentView {
  const result = readDeploymentView(body, fields);
  if (!result.ok) throw new Error(`expected a view, got: ${result.problem}`);
  return result.view;
}

/** Seed 004's documented fields only: blue 2.4.0 deployed, then green 2.4.1 deployed and live. */
const seed = {
  currentEnvironment: 'green',
  currentVersion: '2.4.1',
  deploymentHistory: [
    { environment: 'blue', version: '2.4.0', status: 'succeeded', deployedAt: '2026-11-30T10:00:00Z', action: 'deploy', commit: 'aaa1111' },
    { environment: 'green', version: '2.4.1', status: 'succeeded', deployedAt: '2026-12-01T09:00:00Z', action: 'deploy', commit: 'bbb2222' },
  ],
};

describe('readDeploymentView', () => {
  describe('with only the fields seed 004 documents', () => {
    it('finds the live side from currentEnvironment/currentVersion and the idle side from history', () => {
      const v = view(seed);
      expect(v.live).toEqual({ name: 'green', version: '2.4.1', deployedAt: '2026-12-01T09:00:00Z', commit: 'bbb2222' });
      expect(v.idle).toEqual({ name: 'blue', version: '2.4.0', deployedAt: '2026-11-30T10:00:00Z', commit: 'aaa1111' });
      expect(v).toMatchObject({ state: 'stable', switching: false });
    });

    it('takes the live release from the newest history entry of the live environment when currentVersion is absent', () => {
      const { currentVersion: _omitted, ...noVersion } = seed;
      expect(view(noVersion).live.version).toBe('2.4.1');
    });

    it('dates the live release by its deploy, not by a later switch back to it', () => {
      const switchedBack = {
        ...seed,
        currentEnvironment: 'blue',
        currentVersion: '2.4.0',
        deploymentHistory: [...seed.deploymentHistory, { environment: 'blue', version: '2.4.0', status: 'succeeded', deployedAt: '2026-12-01T09:30:00Z', action: 'rollback' }],
      };
      expect(view(switchedBack).live).toMatchObject({ name: 'blue', version: '2.4.0', deployedAt: '2026-11-30T10:00:00Z' });
    });

    it('reads a history kept newest first the same as one kept oldest first', () => {
      const reversed = view({ ...seed, deploymentHistory: [...seed.deploymentHistory].reverse() });
      expect(reversed.history.map((h) => h.version)).toEqual(['2.4.0', '2.4.1']);
      expect(reversed.idle?.version).toBe('2.4.0');
    });

    it('skips history entries that do not parse instead of failing', () => {
      const v = view({ ...seed, deploymentHistory: [{ nonsense: true }, 'x', 42, null, ...seed.deploymentHistory, { environment: 'blue' }] });
      expect(v.history.map((h) => h.version)).toEqual(['2.4.0', '2.4.1']);
      expect(v.idle?.version).toBe('2.4.0');
    });

    it('accepts numeric versions', () => {
      const v = view({ currentEnvironment: 'green', currentVersion: 3, deploymentHistory: [{ environment: 'blue', version: 2 }, { environment: 'green', version: 3 }] });
      expect([v.live.version, v.idle?.version]).toEqual(['3', '2']);
    });

    it('sees a switch under way in the newest history entry of the live side when there is no state field', () => {
      const v = view({ ...seed, deploymentHistory: [...seed.deploymentHistory, { environment: 'green', version: '2.4.1', status: 'switching', action: 'rollback', deployedAt: '2026-12-01T09:40:00Z' }] });
      expect(v).toMatchObject({ state: 'switching', switching: true });
    });
  });

  describe('when the idle release cannot be known', () => {
    it('says so on a first deploy: history names only the live side', () => {
      const v = view({ currentEnvironment: 'green', currentVersion: '1.0.0', deploymentHistory: [seed.deploymentHistory[1]] });
      expect(v.idle).toEqual({ name: 'blue', unknown: 'the status has no deploymentHistory entry for blue' });
    });

    it('does not trust the idle side when its last deploy failed or is still running', () => {
      const failed = view({ ...seed, deploymentHistory: [...seed.deploymentHistory, { environment: 'blue', version: '2.5.0', status: 'failed', deployedAt: '2026-12-01T09:50:00Z' }] });
      expect(failed.idle).toEqual({ name: 'blue', unknown: 'the last deploy to blue (2.5.0) ended failed, so what blue runs now is uncertain' });
      const running = view({ ...seed, deploymentHistory: [...seed.deploymentHistory, { environment: 'blue', version: '2.5.0', status: 'in_progress', deployedAt: '2026-12-01T09:50:00Z' }] });
      expect(running.idle?.unknown).toBe('a deploy of 2.5.0 to blue is still in_progress');
    });

    it('names the other environment from history, else blue ↔ green, else says it cannot', () => {
      expect(view({ currentEnvironment: 'primary', currentVersion: '1', deploymentHistory: [{ environment: 'secondary', version: '0.9' }] }).idle).toMatchObject({ name: 'secondary', version: '0.9' });
      expect(view({ currentEnvironment: 'BLUE', currentVersion: '1' }).idle?.name).toBe('GREEN');
      const lone = view({ currentEnvironment: 'primary', currentVersion: '1' });
      expect(lone.idle).toBeUndefined();
      expect(lone.idleProblem).toBe('neither environments nor any deploymentHistory entry names an environment besides primary, so Rewind cannot tell where a switch would send traffic');
      const crowded = view({ currentEnvironment: 'a', currentVersion: '1', deploymentHistory: [{ environment: 'b', version: '1' }, { environment: 'c', version: '1' }] });
      expect(crowded.idleProblem).toBe('the status names 2 environments besides a (b, c); a blue/green switch needs exactly one other');
    });

    it('leaves the live version open when nothing names it, for the provider to ask /health', () => {
      expect(view({ currentEnvironment: 'green' }).live).toEqual({ name: 'green', unknown: 'the status has no currentVersion, and no deploymentHistory entry for green' });
    });
  });

  describe('with an environments map', () => {
    const full = {
      ...seed,
      state: 'stable',
      environments: {
        blue: { version: '2.4.0', deployedAt: '2026-11-30T10:00:00Z', health: 'unhealthy' },
        green: { version: '2.4.1', deployedAt: '2026-12-01T09:00:00Z', health: 'healthy' },
      },
      deploymentHistory: [],
    };

    it('uses it for versions, deploy times and health', () => {
      const v = view(full);
      expect(v.idle).toMatchObject({ name: 'blue', version: '2.4.0', health: 'unhealthy' });
      expect(v.live).toMatchObject({ name: 'green', version: '2.4.1', deployedAt: '2026-12-01T09:00:00Z', health: 'healthy' });
    });

    it('takes an explicit state over history', () => {
      expect(view({ ...full, state: 'switching' })).toMatchObject({ state: 'switching', switching: true });
    });
  });

  describe('through a field map', () => {
    const fields = BlueGreenStatusFields.parse({
      currentEnvironment: 'traffic.color',
      currentVersion: 'traffic.release',
      history: 'log',
      entry: { version: 'release', environment: 'slot', deployedAt: 'at', status: 'result' },
    });

    it('reads a service that names everything differently', () => {
      const v = view(
        {
          traffic: { color: 'blue', release: 'v7' },
          log: [
            { slot: 'green', release: 'v6', at: '2026-11-30T10:00:00Z', result: 'ok' },
            { slot: 'blue', release: 'v7', at: '2026-12-01T10:00:00Z', result: 'ok' },
          ],
        },
        fields,
      );
      expect(v.live).toMatchObject({ name: 'blue', version: 'v7', deployedAt: '2026-12-01T10:00:00Z' });
      expect(v.idle).toMatchObject({ name: 'green', version: 'v6' });
    });

    it('names the mapped path when the live environment is missing', () => {
      expect(readDeploymentView({ currentEnvironment: 'green' }, fields)).toEqual({ ok: false, problem: 'it has no traffic.color (the environment serving traffic)' });
    });
  });

  it('refuses an answer that is not an object', () => {
    expect(readDeploymentView([seed], SEED_FIELDS)).toEqual({ ok: false, problem: 'the answer is not a JSON object' });
  });
});
