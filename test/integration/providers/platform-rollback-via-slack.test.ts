/**
 * Each hosted platform end to end through the real path: a signed `/rollback` at Slack's endpoint,
 * the commands and rollbacks queues, the provider against the platform's fake, verification, and
 * the summary in Slack's fake thread. Also `--to` by id, version and commit prefix, `/rollback
 * releases` from the platform's history, and `/rollback unlock` undoing the platform's hold.
 */
import { FakeSlack, FAKE_SLACK_TOKEN } from '../../fakes/slack-api';
import type { CatalogSite, ProviderSubject } from '../../contract/provider-conformance';
import { argocdSubject } from '../../contract/subjects/argocd';
import { flySubject } from '../../contract/subjects/fly';
import { githubSubject } from '../../contract/subjects/github';
import { herokuSubject } from '../../contract/subjects/heroku';
import { kubernetesSubject } from '../../contract/subjects/kubernetes';
import { renderSubject } from '../../contract/subjects/render';
import { vercelSubject } from '../../contract/subjects/vercel';
import { platformCatalog, startHarness, type Harness } from '../../support/harness';
import { postToSlackEndpoint, SIGNING_SECRET, slashCommandForm } from '../../support/slack-signing';
import { waitFor } from '../../support/wait-for';

const SUBJECTS: ProviderSubject[] = [renderSubject, flySubject, herokuSubject, vercelSubject, githubSubject, argocdSubject, kubernetesSubject];

describe.each(SUBJECTS.map((s) => [s.name, s] as const))('%s through Slack, the queues and the worker', (_name, subject) => {
  let slack: FakeSlack;
  let site: CatalogSite;
  let h: Harness;

  beforeEach(async () => {
    slack = await FakeSlack.start();
    site = await subject.startSite();
    h = await startHarness(platformCatalog(site.environmentYaml), {
      env: site.env,
      http: true,
      recordReplies: false,
      slack: { botToken: FAKE_SLACK_TOKEN, signingSecret: SIGNING_SECRET, mode: 'http', apiUrl: slack.apiUrl },
    });
  });
  afterEach(async () => {
    await h.close();
    await site.close();
    await slack.close();
  });

  const slash = (text: string, user = 'U0ONCALL', key = 'oncall') =>
    postToSlackEndpoint(h.rewind.url!, { body: slashCommandForm({ text, user_id: user, response_url: slack.responseUrl(key) }) });
  const answerTo = (key: string, contains: string) =>
    waitFor(() => slack.responses(key).map((r) => JSON.stringify(r)), (texts) => texts.some((t) => t.includes(contains)), { what: `an answer containing ${contains}` });

  it('a critical /rollback rolls back to the last stable release, waits until live, verifies and posts the summary', async () => {
    const { live, stable } = site.seeded;
    expect((await slash('web production --severity critical --reason "bad release"')).status).toBe(200);
    const [record] = await waitFor(() => h.rewind.store.list({ service: 'web', limit: 1 }), (r) => r.length === 1, { what: 'the rollback' });
    const done = await h.waitForState(record!.id, ['succeeded', 'failed']);
    expect(done.outcome?.message).toBeUndefined();
    expect(done.state).toBe('succeeded');
    expect(done.from?.version).toBe(live.version);
    expect(done.to?.version).toBe(stable.version);
    expect(site.rollbacksApplied()).toBe(1);
    expect(site.liveVersion()).toBe(stable.version);
    expect(done.verification?.results).toEqual([expect.objectContaining({ type: 'version', status: 'pass' })]);
    // The preview listed what the rollback undoes; the summary links what it started on the platform.
    expect(done.preview?.commits.length).toBeGreaterThan(0);
    expect(done.providerResult?.link).toMatch(/^https?:\/\//);

    const summary = await waitFor(() => slack.messages('C0INCIDENT').find((m) => m.reply_broadcast), (m) => m !== undefined, { what: 'the broadcast summary' });
    const text = JSON.stringify(summary!.blocks);
    expect(text).toContain(`Rollback completed: web (production) is on ${stable.version}`);
    expect(text).toContain('On the platform');
    expect(text).toContain(done.providerResult!.link!);
    if (subject.hold) {
      expect(site.held!()).toBe(true);
      expect(text).toContain('/rollback unlock web production');
      const audit = await h.rewind.store.auditTrail(done.id);
      expect(audit.some((e) => e.type === 'automation.changed' && /until `\/rollback unlock`/.test(e.reason ?? ''))).toBe(true);
    }
  });

  it("a deploy the platform fails ends the rollback as failed, in the platform's words, with a link and next steps", async () => {
    site.failNextDeploy();
    await slash('web production --severity critical');
    const [record] = await waitFor(() => h.rewind.store.list({ service: 'web', limit: 1 }), (r) => r.length === 1, { what: 'the rollback' });
    const done = await h.waitForState(record!.id, ['succeeded', 'failed']);
    expect(done.state).toBe('failed');
    expect(done.outcome).toMatchObject({ code: 'deploy_failed', stoppedAt: 'wait_live', providerChanged: true });
    expect(site.liveVersion()).toBe(site.seeded.live.version);
    const failure = await waitFor(() => slack.messages('C0INCIDENT').find((m) => m.reply_broadcast), (m) => m !== undefined, { what: 'the failure summary' });
    const text = JSON.stringify(failure!.blocks);
    expect(text).toContain('was started and failed on the platform');
    expect(text).toMatch(/See what \w+ says: https:\/\//);
  });

  it('--to takes a release id, a version or a commit prefix', async () => {
    const older = site.seeded.all.at(-1)!;
    const refs = [older.id, older.version, ...(older.commit ? [older.commit.slice(0, 9)] : [])];
    for (const [i, ref] of refs.entries()) {
      await slash(`web --to ${ref} --severity critical --dry-run`, 'U0ONCALL', `dry-${i}`);
      await answerTo(`dry-${i}`, `${site.seeded.live.version} → ${older.version}`);
    }
    expect(site.rollbacksApplied()).toBe(0);
  });

  it("/rollback releases lists the platform's history", async () => {
    await slash('releases web');
    const [answer] = await answerTo('oncall', 'Recent releases of web (production)');
    const listing = answer!.slice(answer!.lastIndexOf('Recent releases of web (production)'));
    const shown = site.seeded.all.slice(0, 5).map((r) => listing.indexOf(r.version));
    expect(shown.every((at) => at >= 0)).toBe(true);
    expect([...shown].sort((a, b) => a - b)).toEqual(shown);
  });

  // Only platforms that keep something held after a rollback (Render's auto-deploy, Vercel's pin).
  if (subject.hold) it('/rollback unlock by an approver undoes what the platform keeps held after the rollback', async () => {
    await slash('web --severity critical');
    const [record] = await waitFor(() => h.rewind.store.list({ service: 'web', limit: 1 }), (r) => r.length === 1, { what: 'the rollback' });
    await h.waitForState(record!.id, 'succeeded');
    expect(site.held!()).toBe(true);
    await slash('unlock web production', 'U0STRANGER', 'stranger');
    await answerTo('stranger', 'Only approvers');
    expect(site.held!()).toBe(true);
    await slash('unlock web production', 'U0LEAD', 'lead');
    await answerTo('lead', 'unlocked by');
    expect(site.held!()).toBe(false);
    const audit = await h.rewind.store.recentAudit(20);
    expect(audit.some((e) => e.type === 'automation.changed' && e.reason?.includes('held since'))).toBe(true);
  });
});
