/** GitHub against its fake: the provider conformance suite, then what only GitHub does. */
import { ProviderError } from '../../src/domain/errors';
import type { LiveState, RollbackReceipt } from '../../src/domain/ports';
import { CI_WORKFLOW } from '../fakes/github-api';
import { waitFor } from '../support/wait-for';
import { providerConformance } from './provider-conformance';
import { githubSubject, startGithub, type GithubFixture, type GithubStartOptions } from './subjects/github';

providerConformance(githubSubject);

describe('github provider', () => {
  const base: GithubStartOptions = { confirmWithinMs: 400, timeoutMs: 300, tokenVariable: 'GITHUB_DEPLOY_TOKEN' };
  let f: GithubFixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  const rollBack = async (fixture: GithubFixture): Promise<RollbackReceipt> => {
    const stable = (await fixture.provider.lastStable())!;
    return fixture.provider.rollbackTo(stable, { idempotencyKey: 'rb_github', startedAt: fixture.clock.now() });
  };
  const settle = (fixture: GithubFixture, receipt: RollbackReceipt): Promise<LiveState> =>
    waitFor(() => fixture.provider.liveState({ id: 'x', version: fixture.seeded.stable.version, commit: fixture.seeded.stable.commit! }, receipt.handle ? { handle: receipt.handle } : {}), (s) => s.live || s.failed !== undefined, { what: 'github to settle' });

  it('follows the Link header past a page of 100, never asking for more than 100 at once', async () => {
    f = await startGithub({ ...base, seedCount: 120 });
    const recent = await f.provider.recentReleases(f.seeded.all.length);
    expect(recent.map((r) => r.id)).toEqual(f.seeded.all.map((r) => r.id));
    const lists = f.fake.requests.filter((r) => r.path === '/repos/acme/web/deployments');
    expect(lists.map((r) => new URLSearchParams(r.query).get('page') ?? '1')).toEqual(['1', '2']);
    expect(lists.every((r) => Number(new URLSearchParams(r.query).get('per_page')) <= 100)).toBe(true);
    expect(lists.every((r) => new URLSearchParams(r.query).get('environment') === 'production')).toBe(true);
  });

  it('dispatches the workflow on the branch with the SHA as an input and the documented headers', async () => {
    f = await startGithub({ ...base, fake: { declaredInputs: ['sha', 'reason'] }, github: { inputs: { sha: '{sha}', reason: 'rewind {rollback} to {version}' } } });
    const receipt = await rollBack(f);
    const dispatch = f.fake.requests.find((r) => r.method === 'POST')!;
    expect(dispatch.path).toBe('/repos/acme/web/actions/workflows/deploy.yml/dispatches');
    expect(JSON.parse(dispatch.body)).toEqual({ ref: 'main', inputs: { sha: f.seeded.stable.commit, reason: `rewind rb_github to ${f.seeded.stable.version}` }, return_run_details: true });
    expect(dispatch.accept).toBe('application/vnd.github+json');
    expect(dispatch.apiVersion).toBe('2022-11-28');
    expect(receipt.link).toMatch(/^https:\/\/github\.com\/acme\/web\/actions\/runs\/\d+$/);
    expect(await settle(f, receipt)).toMatchObject({ live: true });
    expect(await f.provider.currentRelease()).toMatchObject({ version: f.seeded.stable.version, author: 'github-actions[bot]' });
  });

  it('finds the run in the runs list when GitHub answers 204 without run details', async () => {
    f = await startGithub({ ...base, fake: { noRunDetails: true } });
    const receipt = await rollBack(f);
    expect(receipt.handle).toBe(String(f.fake.runs[0]!.id));
    expect(await settle(f, receipt)).toMatchObject({ live: true });
    expect(f.fake.dispatchCalls).toBe(1);
  });

  it('waits out a 403 secondary rate limit on the dispatch by its Retry-After, then dispatches once', async () => {
    f = await startGithub(base);
    f.fake.failDispatches({ status: 403, retryAfterSeconds: 3 });
    const receipt = await rollBack(f);
    expect(f.clock.sleeps).toContain(3_000);
    expect(f.fake.dispatchCalls).toBe(2);
    expect(f.fake.runsStarted).toBe(1);
    expect(await settle(f, receipt)).toMatchObject({ live: true });
  });

  it("a 422 carries GitHub's words and says what to check: a SHA as ref", async () => {
    f = await startGithub({ ...base, github: { ref: 'f00dfeed00000000000000000000000000000000' } });
    const error = (await rollBack(f).catch((e: unknown) => e)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.retryable).toBe(false);
    expect(error.userMessage).toContain('(422 on POST /repos/acme/web/actions/workflows/deploy.yml/dispatches)');
    expect(error.userMessage).toContain('No ref found for');
    expect(error.userMessage).toContain('provider.github.ref');
  });

  it('a 422 carries GitHub\'s words: a workflow without a workflow_dispatch trigger', async () => {
    f = await startGithub({ ...base, github: { workflow: CI_WORKFLOW } });
    const error = (await rollBack(f).catch((e: unknown) => e)) as ProviderError;
    expect(error.userMessage).toMatch(/Workflow does not have 'workflow_dispatch' trigger.*must declare `on: workflow_dispatch`/);
    expect(f.fake.runsStarted).toBe(0);
  });

  it('does nothing when the target is already live', async () => {
    f = await startGithub(base);
    const live = await f.provider.currentRelease();
    const receipt = await f.provider.rollbackTo(live, { idempotencyKey: 'rb_github', startedAt: f.clock.now() });
    expect(receipt.alreadyAtTarget).toBe(true);
    expect(f.fake.dispatchCalls).toBe(0);
  });

  it('reports the releases with author, time, status and a GitHub link', async () => {
    f = await startGithub(base);
    const [live, failed, stable] = await f.provider.recentReleases(3);
    expect(live).toMatchObject({ status: 'success', author: 'dev', commit: f.seeded.live.commit });
    expect(failed).toMatchObject({ status: 'failure' });
    expect(stable).toMatchObject({ status: 'inactive' });
    expect(stable!.link).toMatch(/^https:\/\//);
    expect(live!.deployedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});
