/**
 * The web console's server side: commands and clicks go through the same validation and queue as
 * Slack and Discord, the channel arrives live over Server-Sent Events, and private answers reach
 * only the person they are for.
 */
import type { BlueGreenService } from '../../../src/demo/bluegreen-service';
import { startTarget } from '../../support/bluegreen-target';
import type { ConsoleEvent } from '../../../src/chat/console/console-event';
import { startHarness, bluegreenCatalog, type Harness } from '../../support/harness';
import { openSse, type SseClient } from '../../support/sse-client';
import { waitFor } from '../../support/wait-for';

const CATALOG = (url: string) =>
  bluegreenCatalog(url)
    .replace('channels: { slack: C0INCIDENT }', 'channels: { console: incidents }')
    .replace('high: { required: 1, approvers: { slack: [U0LEAD, U0LEAD2] }', 'high: { required: 1, approvers: { console: [lead, lead2] }')
    .replace('medium: { required: 1, approvers: { slack: [U0LEAD] }', 'medium: { required: 1, approvers: { console: [lead] }');

describe('console API', () => {
  let target: BlueGreenService;
  let h: Harness;
  const streams: SseClient<ConsoleEvent>[] = [];

  beforeEach(async () => {
    target = await startTarget({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    h = await startHarness(CATALOG(target.url), { http: true, console: true, recordReplies: false });
  });
  afterEach(async () => {
    for (const s of streams.splice(0)) s.close();
    await h.close();
    await target.close();
  });

  const post = async (path: string, body: object) => {
    const response = await fetch(`${h.rewind.url}/console/api/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as { ok: boolean; reply?: { title: string; text?: string }; form?: { kind: string; rollbackId: string } } };
  };
  const listen = async (user: string) => {
    const stream = await openSse<ConsoleEvent>(`${h.rewind.url}/console/api/events?user=${user}`);
    streams.push(stream);
    return stream;
  };

  it('serves the page, the session and redirects / to the console', async () => {
    const root = await fetch(`${h.rewind.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/console/');
    const page = await fetch(`${h.rewind.url}/console/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('assets/console.js');
    const js = await fetch(`${h.rewind.url}/console/assets/console.js`);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${h.rewind.url}/console/assets/../../package.json`)).status).toBe(404);
    const session = (await (await fetch(`${h.rewind.url}/console/api/session`)).json()) as { users: { id: string; role: string }[]; defaultChannel: string };
    expect(session.users.map((u) => `${u.id}:${u.role}`)).toEqual(['oncall:requester', 'lead:approver', 'lead2:approver', 'guest:viewer']);
    expect(session.defaultChannel).toBe('incidents');
  });

  it('runs a typed /rollback and streams the header, its thread and the summary live', async () => {
    const oncall = await listen('oncall');
    const sent = await post('commands', { user: 'oncall', channel: 'incidents', text: '/rollback checkout-api production --severity critical', interactionId: 'c1' });
    expect(sent).toMatchObject({ status: 200, body: { ok: true, reply: { title: expect.stringContaining('requested') } } });
    await waitFor(() => oncall.events, (e) => e.some((x) => x.message.kind === 'summary'), { what: 'the summary over SSE' });
    const header = oncall.events.find((e) => !e.threadOf && !e.ephemeralTo)!;
    expect(header).toMatchObject({ kind: 'post', channel: 'incidents', message: { kind: 'notification' } });
    expect(oncall.events.filter((e) => e.threadOf).every((e) => e.threadOf === header.id)).toBe(true);
    expect(oncall.events.some((e) => e.kind === 'update' && e.id === header.id)).toBe(true);
    expect(oncall.events.find((e) => e.message.kind === 'summary')!.broadcast).toBe(true);
    expect(target.rollbackRequests).toBe(1);
    // A page opened later gets the same history replayed.
    const late = await listen('guest');
    await waitFor(() => late.events, (e) => e.some((x) => x.message.kind === 'summary'), { what: 'the replay' });
  });

  it('answers mistakes at once and queues nothing', async () => {
    const typo = await post('commands', { user: 'oncall', channel: 'incidents', text: 'chekout-api --severity critical' });
    expect(typo.status).toBe(400);
    expect(typo.body.reply?.text ?? typo.body.reply?.title).toContain('Did you mean `checkout-api`?');
    expect((await post('commands', { user: 'mallory', channel: 'incidents', text: 'help' })).status).toBe(400);
    expect(await h.rewind.store.list({ limit: 5 })).toEqual([]);
  });

  it('refuses a non-approver and the requester privately; another approver’s click runs the rollback', async () => {
    const lead = await listen('lead');
    const guest = await listen('guest');
    await post('commands', { user: 'lead', channel: 'incidents', text: 'checkout-api --severity high' });
    const record = await waitFor(async () => (await h.rewind.store.list({ limit: 1 }))[0], (r) => r !== undefined, { what: 'the rollback' });
    expect(record!.state).toBe('pending_approval');

    await post('actions', { user: 'guest', channel: 'incidents', action: 'approve', value: record!.id });
    await post('actions', { user: 'lead', channel: 'incidents', action: 'approve', value: record!.id });
    await waitFor(() => guest.events, (e) => e.some((x) => x.ephemeralTo === 'guest' && JSON.stringify(x.message).includes('not an approver')), { what: 'the guest’s refusal' });
    await waitFor(() => lead.events, (e) => e.some((x) => x.ephemeralTo === 'lead' && JSON.stringify(x.message).includes('cannot approve')), { what: 'the requester’s refusal' });
    // Private answers stay private.
    expect(guest.events.some((e) => e.ephemeralTo === 'lead')).toBe(false);
    expect(lead.events.some((e) => e.ephemeralTo === 'guest')).toBe(false);
    expect((await h.rewind.store.get(record!.id))!.state).toBe('pending_approval');

    await post('actions', { user: 'lead2', channel: 'incidents', action: 'approve', value: record!.id });
    await h.waitForState(record!.id, 'succeeded');
    expect(target.rollbackRequests).toBe(1);
  });

  it('opens the root-cause form and stores what is submitted', async () => {
    await post('commands', { user: 'oncall', channel: 'incidents', text: 'checkout-api --severity critical' });
    const record = await waitFor(async () => (await h.rewind.store.list({ limit: 1 }))[0], (r) => r !== undefined, { what: 'the rollback' });
    await h.waitForState(record!.id, 'succeeded');
    const form = await post('actions', { user: 'oncall', channel: 'incidents', action: 'root_cause', value: record!.id });
    expect(form.body.form).toMatchObject({ kind: 'root_cause', rollbackId: record!.id });
    await post('root-cause', { user: 'oncall', rollbackId: record!.id, impact: 'checkout down 9 min', rootCause: 'bad tax rule', prevention: 'contract test' });
    const updated = await waitFor(() => h.rewind.store.get(record!.id), (r) => r?.postmortem?.rootCause === 'bad tax rule', { what: 'the root cause' });
    expect(updated!.postmortem?.prevention).toBe('contract test');
  });
});
