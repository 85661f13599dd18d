/**
 * The git provider end to end: a signed `/rollback` at Slack's endpoint reverts the bad commit on a
 * real local repository, a platform that deploys on push reports the revert commit live, the
 * version check passes on it, and the summary names and links the revert. In `reset` mode even a
 * critical rollback waits for an approver before anything is force-pushed.
 */
import { FakeSlack, FAKE_SLACK_TOKEN } from '../../fakes/slack-api';
import { HttpFakeServer } from '../../fakes/http-fake-base';
import { GitRepo } from '../../support/git-repo';
import { LEAD, ONCALL, platformCatalog, startHarness, type Harness } from '../../support/harness';
import { postToSlackEndpoint, SIGNING_SECRET, slashCommandForm } from '../../support/slack-signing';
import { waitFor } from '../../support/wait-for';

describe('git rollback through Slack, the queues and the worker', () => {
  let slack: FakeSlack;
  let repo: GitRepo;
  let platform: HttpFakeServer;
  let h: Harness;
  let good: string;
  let bad: string;

  async function start(mode: 'revert' | 'reset'): Promise<void> {
    h = await startHarness(
      platformCatalog(
        [
          `        provider: { type: git, git: { repo: "${repo.url}", branch: main, mode: ${mode} }, live: { url: "${platform.base}/version", path: version }, timeout: 20s }`,
          '        waitLive: { timeout: 20s, interval: 20ms }',
          '        verify:',
          `          - { type: version, url: "${platform.base}/version", path: version }`,
        ].join('\n'),
      ),
      { http: true, recordReplies: false, slack: { botToken: FAKE_SLACK_TOKEN, signingSecret: SIGNING_SECRET, mode: 'http', apiUrl: slack.apiUrl } },
    );
  }

  beforeEach(async () => {
    slack = await FakeSlack.start();
    repo = GitRepo.create();
    good = repo.commit('add search', { 'app.txt': 'search: on\n' });
    bad = repo.commit('speed up search (breaks it)', { 'app.txt': 'search: broken\n' });
    // The platform deploys whatever main points at, at once (a Render service with auto-deploy, say).
    platform = await HttpFakeServer.listen('deploys on push', () => ({ status: 200, body: { version: repo.head().slice(0, 7) } }));
  });
  afterEach(async () => {
    await h.close();
    await platform.close();
    repo.close();
    await slack.close();
  });

  it('a critical /rollback reverts the bad commit, waits for the platform to deploy it, verifies, and links the revert', async () => {
    await start('revert');
    await postToSlackEndpoint(h.rewind.url!, { body: slashCommandForm({ text: 'web --severity critical', user_id: ONCALL.id, response_url: slack.responseUrl('oncall') }) });
    const [record] = await waitFor(() => h.rewind.store.list({ service: 'web', limit: 1 }), (r) => r.length === 1, { what: 'the rollback' });
    expect(record!.preview?.commits).toEqual([`${bad.slice(0, 7)} speed up search (breaks it)`]);
    const done = await h.waitForState(record!.id, ['succeeded', 'failed']);
    expect(done.outcome?.message).toBeUndefined();
    expect(done.state).toBe('succeeded');

    const revert = repo.head();
    expect(repo.show('app.txt')).toBe('search: on\n');
    expect(repo.message(revert)).toContain(`This reverts commit ${bad}.`);
    expect(done.from?.version).toBe(bad.slice(0, 7));
    expect(done.to).toMatchObject({ id: revert, version: revert.slice(0, 7), description: `same content as ${good.slice(0, 7)}` });
    expect(done.verification?.results).toEqual([expect.objectContaining({ type: 'version', status: 'pass', threshold: revert.slice(0, 7) })]);

    const summary = await waitFor(() => slack.messages('C0INCIDENT').find((m) => m.reply_broadcast), (m) => m !== undefined, { what: 'the summary' });
    const text = JSON.stringify(summary!.blocks);
    expect(text).toContain(`Rollback completed: web (production) is on ${revert.slice(0, 7)}`);
    expect(text).toContain(`Rewind pushed ${revert.slice(0, 7)} to main of ${repo.url}, undoing ${bad.slice(0, 7)}`);
  });

  it('reset mode: a critical rollback waits for an approver, then force-pushes back', async () => {
    await start('reset');
    const result = await h.rewind.service.request({ service: 'web', severity: 'critical', reason: 'emergency', requester: ONCALL, origin: { platform: 'slack', channelId: 'C0INCIDENT' } });
    if (result.kind !== 'created') throw new Error('expected a rollback');
    expect(result.record.state).toBe('pending_approval');
    expect(result.record.preview?.approvalRequired).toMatch(/force-pushes main back to .*rewriting history/);
    expect(repo.head()).toBe(bad);

    await h.rewind.service.approve(result.record.id, LEAD);
    const done = await h.waitForState(result.record.id, ['succeeded', 'failed']);
    expect(done.state).toBe('succeeded');
    expect(repo.head()).toBe(good);
    expect(done.steps.find((s) => s.name === 'rollback')?.detail).toMatch(/HISTORY REWRITTEN, 1 commit\(s\) removed/);
  });
});
