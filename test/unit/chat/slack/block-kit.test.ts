/** Block Kit rendering: every template on normal and hostile inputs stays inside Slack's hard limits, escaped. */
import type { KnownBlock } from '@slack/types';
import { escapeMrkdwn, parseActionId, renderMessage } from '../../../../src/chat/slack/block-kit';
import { Message, type MessageInput } from '../../../../src/domain/message';
import { ROLLBACK_STATES } from '../../../../src/domain/rollback-state';
import type { RollbackRecord } from '../../../../src/domain/rollback-record';
import { ACTORS, T0, checkResult, makeRecord, verificationOf } from '../../../support/record-factory';
import { everyMessage } from '../../../support/every-message';
import { notificationHeader } from '../../../../src/messages/templates/notification-header';
import { previewMessage } from '../../../../src/messages/templates/preview';
import { verificationChecklist } from '../../../../src/messages/templates/verification-checklist';

const now = T0 + 60_000;
const ID = 'rb_01KAQ4J3Z8M2N5P7R9T1V3X5Y7';
const POINTER = `… (truncated — full details: \`/rollback status ${ID}\`)`;

interface TextObject {
  type: string;
  text: string;
}

/** Every text object a block holds, so escaping can be checked on all of them. */
function textsOf(block: KnownBlock): TextObject[] {
  switch (block.type) {
    case 'header':
      return [block.text];
    case 'section':
      return [...(block.text ? [block.text] : []), ...(block.fields ?? [])];
    case 'context':
      return block.elements.filter((e): e is TextObject & typeof e => e.type === 'mrkdwn' || e.type === 'plain_text');
    case 'actions':
      return block.elements.flatMap((e) => (e.type === 'button' ? [e.text] : []));
    default:
      return [];
  }
}

/** Slack's hard limits (FACTS.md), each asserted on every block; lengths in UTF-16 units, never fewer than Slack counts. */
function checkBlockKitLimits(blocks: readonly KnownBlock[]): void {
  expect(blocks.length).toBeGreaterThan(0);
  expect(blocks.length).toBeLessThanOrEqual(50);
  const blockIds = blocks.map((b) => b.block_id);
  const actionIds: string[] = [];
  for (const block of blocks) {
    expect(block.block_id).toBeDefined();
    expect(block.block_id!.length).toBeLessThanOrEqual(255);
    switch (block.type) {
      case 'header':
        expect(block.text.type).toBe('plain_text');
        expect(block.text.text.length).toBeGreaterThan(0);
        expect(block.text.text.length).toBeLessThanOrEqual(150);
        break;
      case 'section':
        expect(block.text !== undefined || (block.fields ?? []).length > 0).toBe(true);
        if (block.text) expect(block.text.text.length).toBeGreaterThan(0);
        if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
        expect((block.fields ?? []).length).toBeLessThanOrEqual(10);
        for (const field of block.fields ?? []) {
          expect(field.text.length).toBeGreaterThan(0);
          expect(field.text.length).toBeLessThanOrEqual(2000);
        }
        break;
      case 'context':
        expect(block.elements.length).toBeGreaterThan(0);
        expect(block.elements.length).toBeLessThanOrEqual(10);
        for (const element of textsOf(block)) expect(element.text.length).toBeLessThanOrEqual(3000);
        break;
      case 'actions':
        expect(block.elements.length).toBeGreaterThan(0);
        expect(block.elements.length).toBeLessThanOrEqual(25);
        for (const element of block.elements) {
          if (element.type !== 'button') throw new Error(`unexpected element ${element.type}`);
          expect(element.text.text.length).toBeLessThanOrEqual(75);
          expect((element.value ?? '').length).toBeLessThanOrEqual(2000);
          expect(element.action_id).toBeDefined();
          expect(element.action_id!.length).toBeLessThanOrEqual(255);
          actionIds.push(element.action_id!);
        }
        break;
      default:
        throw new Error(`unexpected block type ${block.type}`);
    }
    // Escaped mrkdwn: no raw angle brackets, and every `&` starts one of Slack's three entities.
    for (const text of textsOf(block).filter((t) => t.type === 'mrkdwn')) {
      expect(text.text).not.toMatch(/[<>]/);
      expect(text.text).not.toMatch(/&(?!amp;|lt;|gt;)/);
    }
  }
  expect(new Set(blockIds).size).toBe(blockIds.length);
  expect(new Set(actionIds).size).toBe(actionIds.length);
}

function checkRendered(message: Message): { text: string; blocks: KnownBlock[] } {
  const rendered = renderMessage(message);
  checkBlockKitLimits(rendered.blocks);
  expect(rendered.text.length).toBeGreaterThan(0);
  expect(rendered.text.length).toBeLessThanOrEqual(3000);
  expect(rendered.text).not.toMatch(/[<>]/);
  return rendered;
}

const LONG = 'The checkout page returns 500 for every <card> payment & refund since the deploy. '.repeat(30).slice(0, 2400);

/** Hostile sizes everywhere a person or a provider can put text. */
function hugeRecord(state: RollbackRecord['state']): RollbackRecord {
  const checks = Array.from({ length: 30 }, (_, i) =>
    checkResult({ name: `check ${i} ${'n'.repeat(300)}`, status: i % 7 === 0 ? 'fail' : i % 5 === 0 ? 'inconclusive' : 'pass', measured: 'm'.repeat(500), threshold: 't'.repeat(500) }),
  );
  return makeRecord({
    state,
    service: 's'.repeat(63),
    environment: 'e'.repeat(63),
    reason: LONG,
    trigger: { kind: 'alert', source: 'alertmanager', evidence: Array.from({ length: 40 }, (_, i) => `label_${i}=<${'v'.repeat(400)}>`) },
    ...(state === 'pending_approval' ? {} : { verification: verificationOf(checks) }),
    ...(state === 'failed' ? { outcome: { code: 'x', message: LONG, stoppedAt: 'verify' as const, providerChanged: true, nextSteps: Array.from({ length: 30 }, () => LONG) } } : {}),
    escalation: LONG,
    preview: {
      commits: Array.from({ length: 200 }, () => LONG),
      config: [LONG],
      migrations: Array.from({ length: 20 }, (_, i) => ({ id: `m${i}${'x'.repeat(200)}`, irreversible: true })),
      notes: [LONG, LONG],
    },
    previewError: LONG,
    postmortem: { impact: LONG, rootCause: LONG, prevention: LONG, by: ACTORS.lead, at: T0 },
    requester: { platform: 'slack', id: 'U0X', name: 'n'.repeat(200) },
  });
}

function msg(input: Partial<MessageInput>): Message {
  return Message.parse({ kind: 'notice', tone: 'info', title: 'Title', fallback: 'Fallback', ...input });
}

function sectionTexts(blocks: readonly KnownBlock[]): string[] {
  return blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
}

function actionIds(blocks: readonly KnownBlock[]): string[] {
  return blocks.flatMap((b) => (b.type === 'actions' ? b.elements.map((e) => (e.type === 'button' ? e.action_id! : '')) : []));
}

describe('every template within Slack limits', () => {
  it.each(ROLLBACK_STATES)('%s: normal inputs', (state) => {
    for (const message of everyMessage(makeRecord({ state }))) checkRendered(message);
  });

  it.each(ROLLBACK_STATES)('%s: 2,000+ character reasons, long names, 30 checks, 200 commits', (state) => {
    for (const message of everyMessage(hugeRecord(state))) checkRendered(message);
  });

  it('an irreversible migration shows as a danger section in the preview', () => {
    const record = makeRecord({ preview: { commits: [], config: [], migrations: [{ id: '0042_drop_orders', irreversible: true }], notes: [] } });
    const { blocks } = checkRendered(previewMessage(record));
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: expect.stringMatching(/^🚨 Pre-rollback check/) } });
    expect(sectionTexts(blocks)).toContainEqual(expect.stringMatching(/^\*DANGER: 1 irreversible database migration\*\n.*`0042_drop_orders`/));
    expect(sectionTexts(blocks).join('\n')).toContain('❌ Database migrations checked — irreversible: 0042_drop_orders');
  });

  it('a 30-check verification renders one marked line per shown check', () => {
    const checks = Array.from({ length: 30 }, (_, i) => checkResult({ name: `check ${i}`, status: i === 3 ? 'fail' : i === 4 ? 'inconclusive' : 'pass' }));
    const { blocks } = checkRendered(verificationChecklist(makeRecord({ state: 'verifying', verification: verificationOf(checks) })));
    const lines = sectionTexts(blocks).join('\n').split('\n');
    expect(lines).toContain('❌ check 3 — measured 200 in 12 ms, health = healthy · threshold status 200, health = healthy');
    expect(lines).toContain('❔ check 4 — measured 200 in 12 ms, health = healthy · threshold status 200, health = healthy');
    expect(lines.filter((l) => /^(✅|❌|❔) check \d+ — /.test(l))).toHaveLength(24);
  });
});

describe('layout', () => {
  it('header buttons of a pending rollback map to rewind:<action> with the rollback id as value', () => {
    const { blocks } = checkRendered(notificationHeader(makeRecord({ state: 'pending_approval' }), { now }));
    const actions = blocks.find((b) => b.type === 'actions');
    expect(actions).toEqual({
      type: 'actions',
      block_id: 'actions',
      elements: [
        { type: 'button', action_id: 'rewind:approve', text: { type: 'plain_text', text: 'Approve', emoji: true }, value: ID, style: 'primary' },
        { type: 'button', action_id: 'rewind:reject', text: { type: 'plain_text', text: 'Reject', emoji: true }, value: ID, style: 'danger' },
        { type: 'button', action_id: 'rewind:cancel', text: { type: 'plain_text', text: 'Cancel', emoji: true }, value: ID },
      ],
    });
  });

  it('orders header, text, fields, sections, buttons, footer', () => {
    const { blocks } = checkRendered(notificationHeader(makeRecord({ state: 'pending_approval' }), { now }));
    expect(blocks.map((b) => b.block_id)).toEqual(['header', 'text', 'fields_1', 'actions', 'footer']);
    expect(blocks[0]).toEqual({ type: 'header', block_id: 'header', text: { type: 'plain_text', text: '⚠️ Rollback of checkout-api (production): waiting for approval', emoji: true } });
    const fields = blocks[2]!.type === 'section' ? blocks[2]!.fields! : [];
    expect(fields[0]).toEqual({ type: 'mrkdwn', text: '*Release*\n2.4.1 → 2.4.0 (blue)', verbatim: true });
    expect(blocks[4]).toMatchObject({ type: 'context', elements: [{ type: 'mrkdwn', text: `Rollback ${ID}` }, { text: 'Requested 2026-11-23 09:45:12 UTC' }, { text: expect.stringMatching(/^Expires /) }] });
  });

  it.each([
    ['danger', '🚨'],
    ['warning', '⚠️'],
    ['success', '✅'],
    ['progress', '🔄'],
    ['info', 'ℹ️'],
  ] as const)('tone %s puts %s in front of the title', (tone, mark) => {
    expect(renderMessage(msg({ tone })).blocks[0]).toMatchObject({ type: 'header', text: { text: `${mark} Title` } });
  });

  it('renders a section as bold heading, text and marked checklist lines', () => {
    const statuses = ['pass', 'fail', 'inconclusive', 'pending', 'running', 'skipped', 'warning'] as const;
    const message = msg({ sections: [{ heading: 'Checks', text: 'Measured now.', checklist: statuses.map((status) => ({ label: status, status, ...(status === 'fail' ? { detail: '503' } : {}) })) }] });
    expect(sectionTexts(checkRendered(message).blocks)).toEqual(['*Checks*\nMeasured now.\n✅ pass\n❌ fail — 503\n❔ inconclusive\n⏳ pending\n▶️ running\n⏭️ skipped\n⚠️ warning']);
  });

  it('splits 23 fields into sections of 10, 10 and 3', () => {
    const fields = Array.from({ length: 23 }, (_, i) => ({ label: `F${i}`, value: `v${i}` }));
    const { blocks } = checkRendered(msg({ fields }));
    expect(blocks.flatMap((b) => (b.type === 'section' && b.fields ? [b.fields.length] : []))).toEqual([10, 10, 3]);
    expect(blocks.map((b) => b.block_id)).toEqual(['header', 'fields_1', 'fields_2', 'fields_3']);
  });

  it('joins footer lines past the ninth into the tenth context element', () => {
    const footer = Array.from({ length: 14 }, (_, i) => `line ${i}`);
    const context = checkRendered(msg({ footer })).blocks.find((b) => b.type === 'context');
    if (context?.type !== 'context') throw new Error('no footer');
    expect(context.elements).toHaveLength(10);
    expect(context.elements[9]).toMatchObject({ text: 'line 9 · line 10 · line 11 · line 12 · line 13' });
  });

  it('repeated actions get :2, :3 suffixes and parse back to their action', () => {
    const buttons = ['2.3.0', '2.2.0', '2.1.0'].map((v) => ({ action: 'rollback_to' as const, label: `Roll back to ${v}`, style: 'secondary' as const, value: `svc|prod|${v}` }));
    const ids = actionIds(checkRendered(msg({ buttons })).blocks);
    expect(ids).toEqual(['rewind:rollback_to', 'rewind:rollback_to:2', 'rewind:rollback_to:3']);
    expect(ids.map(parseActionId)).toEqual(['rollback_to', 'rollback_to', 'rollback_to']);
    expect(parseActionId('rewind:nope')).toBeUndefined();
    expect(parseActionId('approve')).toBeUndefined();
  });

  it('keeps at most 25 buttons, cuts long labels and drops a button whose value cannot fit', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ action: 'approve' as const, label: `${'L'.repeat(200)}${i}`, style: 'primary' as const, value: ID }));
    const { blocks } = checkRendered(msg({ buttons: [{ action: 'abort', label: 'Abort', style: 'danger', value: 'v'.repeat(2001) }, ...many] }));
    const ids = actionIds(blocks);
    expect(ids).toHaveLength(25);
    expect(ids).not.toContain('rewind:abort');
    const actions = blocks.find((b) => b.type === 'actions');
    expect(actions?.type === 'actions' && actions.elements[0]?.type === 'button' && actions.elements[0].text.text).toMatch(/^L{74}…$/);
  });
});

describe('escaping', () => {
  it('a reason with <!channel>, <@U1> and & is shown, never acted on', () => {
    const record = makeRecord({ reason: '<!channel> checkout down, ping <@U1> & <https://evil.example|click>' });
    const rendered = checkRendered(notificationHeader(record, { now }));
    const json = JSON.stringify(rendered);
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<@U1>');
    expect(json).toContain('&lt;!channel&gt; checkout down, ping &lt;@U1&gt; &amp; &lt;https://evil.example|click&gt;');
  });

  it('the same text is escaped in the fallback, fields, sections, checklist and footer', () => {
    const evil = '<!here> & <@U1>';
    const message = msg({ text: evil, fallback: evil, fields: [{ label: evil, value: evil }], sections: [{ heading: evil, text: evil, checklist: [{ label: evil, status: 'pass', detail: evil }] }], footer: [evil] });
    const rendered = checkRendered(message);
    expect(rendered.text).toBe('&lt;!here&gt; &amp; &lt;@U1&gt;');
    expect(JSON.stringify(rendered.blocks)).not.toMatch(/<!here>|<@U1>/);
    expect(rendered.blocks[0]).toMatchObject({ text: { type: 'plain_text', text: 'ℹ️ Title' } });
  });

  it('keeps code spans working: backticks stay, their contents are escaped like the rest', () => {
    const { blocks } = checkRendered(msg({ text: 'Details: `/rollback status <rollback-id>`.' }));
    expect(sectionTexts(blocks)).toEqual(['Details: `/rollback status &lt;rollback-id&gt;`.']);
    expect(escapeMrkdwn('a `b` <c> & d')).toBe('a `b` &lt;c&gt; &amp; d');
  });

  it('plain_text headers are not escaped (Slack shows them literally)', () => {
    expect(renderMessage(msg({ title: 'A & B <x>' })).blocks[0]).toMatchObject({ text: { type: 'plain_text', text: 'ℹ️ A & B <x>' } });
  });
});

describe('truncation', () => {
  const lines = Array.from({ length: 200 }, (_, i) => `line ${String(i).padStart(3, '0')} ${'x'.repeat(40)}`);

  it('cuts long text at a line boundary and points at /rollback status <id>', () => {
    const { blocks } = checkRendered(msg({ text: lines.join('\n'), footer: [`Rollback ${ID}`] }));
    const text = sectionTexts(blocks)[0]!;
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text.endsWith(`\n${POINTER}`)).toBe(true);
    const kept = text.split('\n').slice(0, -1);
    expect(kept.length).toBeGreaterThan(50);
    expect(kept).toEqual(lines.slice(0, kept.length));
  });

  it('finds the id in a button value when the footer has none', () => {
    const { blocks } = checkRendered(msg({ text: lines.join('\n'), buttons: [{ action: 'root_cause', label: 'Add root cause', style: 'secondary', value: ID }] }));
    expect(sectionTexts(blocks)[0]!.endsWith(POINTER)).toBe(true);
  });

  it('says only "(truncated)" when no rollback id is known', () => {
    const text = sectionTexts(checkRendered(msg({ text: lines.join('\n') })).blocks)[0]!;
    expect(text.endsWith('\n… (truncated)')).toBe(true);
  });

  it('measures after escaping and never splits an entity', () => {
    const text = sectionTexts(checkRendered(msg({ text: '<'.repeat(2000), footer: [ID] })).blocks)[0]!;
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text).toMatch(new RegExp(`^(&lt;)+${POINTER.replace(/[.*+?^${}()|[\]\\`]/g, '\\$&')}$`));
  });

  it('closes a code span the cut would leave open', () => {
    const text = sectionTexts(checkRendered(msg({ text: `\`${'c'.repeat(4000)}\`` })).blocks)[0]!;
    expect(text).toMatch(/^`c+`… \(truncated\)$/);
  });

  it('cuts a field value to 2,000 and a header to 150', () => {
    const { blocks } = checkRendered(msg({ title: 'T'.repeat(400), fields: [{ label: 'Reason', value: lines.join('\n') }], footer: [ID] }));
    expect(blocks[0]).toMatchObject({ text: { text: expect.stringMatching(/^ℹ️ T+…$/) } });
    const field = blocks[1]?.type === 'section' ? blocks[1].fields![0]!.text : '';
    expect(field.startsWith('*Reason*\nline 000')).toBe(true);
    expect(field.endsWith(POINTER)).toBe(true);
  });

  it('cuts the notification fallback to 3,000', () => {
    const { text } = checkRendered(msg({ fallback: 'f'.repeat(5000) }));
    expect(text).toMatch(/^f+… \(truncated\)$/);
  });

  it('over 50 blocks: keeps header, text, fields, buttons and footer, and says how many sections were left out', () => {
    const sections = Array.from({ length: 60 }, (_, i) => ({ heading: `Part ${i}`, text: 'body' }));
    const message = msg({ text: 'lead', fields: [{ label: 'F', value: 'v' }], sections, buttons: [{ action: 'abort', label: 'Abort', style: 'danger', value: ID }], footer: [`Rollback ${ID}`] });
    const { blocks } = checkRendered(message);
    expect(blocks).toHaveLength(50);
    expect(blocks.map((b) => b.block_id).slice(0, 3)).toEqual(['header', 'text', 'fields_1']);
    expect(blocks.slice(-3).map((b) => b.block_id)).toEqual(['omitted', 'actions', 'footer']);
    const shown = sectionTexts(blocks).filter((t) => t.startsWith('*Part '));
    expect(shown).toHaveLength(44);
    expect(sectionTexts(blocks).at(-1)).toBe(`*16 more parts of this message left out*\n${POINTER}`);
  });
});
