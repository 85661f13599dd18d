/** Discord embeds: every template on normal and hostile inputs stays inside Discord's hard limits, escaped, never pinging. */
import { escapeMarkdown, parseCustomId, renderDiscordMessage, type DiscordMessageBody } from '../../../../src/chat/discord/embed-renderer';
import { BUTTON_ACTIONS, Message, type MessageInput } from '../../../../src/domain/message';
import { ROLLBACK_STATES } from '../../../../src/domain/rollback-state';
import type { RollbackRecord } from '../../../../src/domain/rollback-record';
import { ACTORS, RELEASES, T0, checkResult, makeRecord, verificationOf } from '../../../support/record-factory';
import { everyMessage } from '../../../support/every-message';
import { failureSummary } from '../../../../src/messages/templates/failure-summary';
import { helpMessage } from '../../../../src/messages/templates/help';
import { historyMessage } from '../../../../src/messages/templates/history';
import { notificationHeader } from '../../../../src/messages/templates/notification-header';
import { previewMessage } from '../../../../src/messages/templates/preview';
import { releasesMessage } from '../../../../src/messages/templates/releases';
import { verificationChecklist } from '../../../../src/messages/templates/verification-checklist';

const now = T0 + 60_000;
const ID = 'rb_01KAQ4J3Z8M2N5P7R9T1V3X5Y7';
const POINTER = `… (truncated — full details: \`/rollback status ${ID}\`)`;
const ZWSP = '\u200b';
/** `data.custom_id` of shared/fixtures/discord-interaction-component.json, copied so the repo tests stand alone: not Rewind's format. */
const FIXTURE_CUSTOM_ID = 'approve:rb_01HZX';

/** Discord markup left over once escapes, code spans and URLs are taken out; a well-formed line has none but paired `**`. */
function strayMarkup(line: string): string {
  const rest = line
    .replace(/\\[\s\S]/g, '')
    .replace(/`[^`\n]+`|https?:\/\/[^\s<>`]+/g, '')
    .replace(/\*\*[^*]*\*\*/g, '');
  const stray = /[*_`]|~~|\|\||\[[^\]]*\]\(/.exec(rest)?.[0] ?? (/^[ \t]*(>|#{1,3}[ \t]|-#[ \t])/.test(rest) ? 'line-start markup' : '');
  return stray;
}

function checkMarkdown(text: string): void {
  for (const line of text.split('\n')) expect({ line, stray: strayMarkup(line) }).toEqual({ line, stray: '' });
}

/** Discord's hard limits (FACTS.md), each asserted; lengths in UTF-16 units, never fewer than Discord counts. */
function checkDiscordLimits(rendered: DiscordMessageBody): void {
  expect(rendered.allowed_mentions).toEqual({ parse: [] });
  if (rendered.content !== undefined) expect(rendered.content.length).toBeLessThanOrEqual(2000);
  expect(rendered.embeds).toHaveLength(1);
  let total = 0;
  for (const embed of rendered.embeds) {
    const title = embed.title ?? '';
    expect(title.length).toBeGreaterThan(0);
    expect(title.length).toBeLessThanOrEqual(256);
    expect(title).not.toContain('\n');
    expect(embed.color).toEqual(expect.any(Number));
    if (embed.description !== undefined) {
      expect(embed.description.length).toBeGreaterThan(0);
      expect(embed.description.length).toBeLessThanOrEqual(4096);
      checkMarkdown(embed.description);
    }
    const fields = embed.fields ?? [];
    expect(fields.length).toBeLessThanOrEqual(25);
    for (const field of fields) {
      expect(field.name.length).toBeGreaterThan(0);
      expect(field.name.length).toBeLessThanOrEqual(256);
      expect(field.value.length).toBeGreaterThan(0);
      expect(field.value.length).toBeLessThanOrEqual(1024);
      checkMarkdown(field.name);
      checkMarkdown(field.value);
    }
    if (embed.footer) {
      expect(embed.footer.text.length).toBeGreaterThan(0);
      expect(embed.footer.text.length).toBeLessThanOrEqual(2048);
    }
    total += title.length + (embed.description ?? '').length + fields.reduce((n, f) => n + f.name.length + f.value.length, 0) + (embed.footer?.text.length ?? 0);
  }
  expect(total).toBeLessThanOrEqual(6000);
  expect(rendered.components.length).toBeLessThanOrEqual(5);
  const ids: string[] = [];
  for (const row of rendered.components) {
    expect(row.type).toBe(1);
    expect(row.components.length).toBeGreaterThan(0);
    expect(row.components.length).toBeLessThanOrEqual(5);
    for (const button of row.components) {
      expect(button.type).toBe(2);
      if (!('custom_id' in button)) throw new Error('only custom_id buttons are expected');
      expect([1, 2, 4]).toContain(button.style);
      expect((button.label ?? '').length).toBeGreaterThan(0);
      expect((button.label ?? '').length).toBeLessThanOrEqual(80);
      expect(button.custom_id.length).toBeGreaterThan(0);
      expect(button.custom_id.length).toBeLessThanOrEqual(100);
      expect(parseCustomId(button.custom_id)).toBeDefined();
      ids.push(button.custom_id);
    }
  }
  expect(new Set(ids).size).toBe(ids.length);
  // Nothing anywhere can ping: a zero-width space follows every @ of @everyone/@here.
  expect(JSON.stringify(rendered)).not.toMatch(/@(everyone|here)/i);
}

function checkRendered(message: Message): DiscordMessageBody {
  const rendered = renderDiscordMessage(message);
  checkDiscordLimits(rendered);
  return rendered;
}

function embedOf(rendered: DiscordMessageBody) {
  const [embed] = rendered.embeds;
  if (!embed) throw new Error('no embed');
  return embed;
}

function customIds(rendered: DiscordMessageBody): string[] {
  return rendered.components.flatMap((row) => row.components.map((b) => ('custom_id' in b ? b.custom_id : '')));
}

const LONG = 'Checkout *500s* for __every__ card_payment ~~refund~~ ||since|| the `deploy @everyone [click](https://evil.example) '.repeat(25).slice(0, 2400);

/** Hostile sizes and markup everywhere a person or a provider can put text. */
function hugeRecord(state: RollbackRecord['state']): RollbackRecord {
  const checks = Array.from({ length: 30 }, (_, i) =>
    checkResult({ name: `check_${i} *${'n'.repeat(300)}`, status: i % 7 === 0 ? 'fail' : i % 5 === 0 ? 'inconclusive' : 'pass', measured: '`m'.repeat(250), threshold: '|'.repeat(500) }),
  );
  return makeRecord({
    state,
    service: 's'.repeat(63),
    environment: 'e'.repeat(63),
    reason: LONG,
    trigger: { kind: 'alert', source: 'alertmanager', evidence: Array.from({ length: 40 }, (_, i) => `> label_${i}=${'~'.repeat(400)}`) },
    ...(state === 'pending_approval' ? {} : { verification: verificationOf(checks) }),
    ...(state === 'failed' ? { outcome: { code: 'x', message: LONG, stoppedAt: 'verify' as const, providerChanged: true, nextSteps: Array.from({ length: 30 }, () => LONG) } } : {}),
    escalation: `# ${LONG}`,
    preview: {
      commits: Array.from({ length: 200 }, () => LONG),
      config: [LONG],
      migrations: Array.from({ length: 20 }, (_, i) => ({ id: `m${i}${'_'.repeat(200)}`, irreversible: true })),
      notes: [LONG, LONG],
    },
    previewError: LONG,
    postmortem: { impact: LONG, rootCause: LONG, prevention: LONG, by: ACTORS.lead, at: T0 },
    requester: { platform: 'discord', id: '501', name: `@here ${'n'.repeat(200)}` },
  });
}

function msg(input: Partial<MessageInput>): Message {
  return Message.parse({ kind: 'notice', tone: 'info', title: 'Title', fallback: 'Fallback', ...input });
}

describe('every template within Discord limits', () => {
  it.each(ROLLBACK_STATES)('%s: normal inputs', (state) => {
    for (const message of everyMessage(makeRecord({ state }))) checkRendered(message);
  });

  it.each(ROLLBACK_STATES)('%s: 2,000+ character reasons full of markup, long names, 30 checks, 200 commits, 50 history rows', (state) => {
    for (const message of everyMessage(hugeRecord(state))) checkRendered(message);
  });

  it('header buttons become rewind:<action>:<id> with Discord styles, in one row', () => {
    const rendered = checkRendered(notificationHeader(makeRecord({ state: 'pending_approval' }), { now }));
    expect(rendered.components).toEqual([
      {
        type: 1,
        components: [
          { type: 2, style: 1, label: 'Approve', custom_id: `rewind:approve:${ID}` },
          { type: 2, style: 4, label: 'Reject', custom_id: `rewind:reject:${ID}` },
          { type: 2, style: 2, label: 'Cancel', custom_id: `rewind:cancel:${ID}` },
        ],
      },
    ]);
    expect(customIds(checkRendered(notificationHeader(makeRecord({ state: 'succeeded' }), { now })))).toEqual([`rewind:root_cause:${ID}`]);
    expect(customIds(checkRendered(failureSummary(makeRecord({ state: 'failed' }))))).toEqual([`rewind:retry_verification:${ID}`, `rewind:root_cause:${ID}`]);
  });

  it('lays the header out as title, lead text, inline fields and a footer', () => {
    const embed = embedOf(checkRendered(notificationHeader(makeRecord({ state: 'pending_approval' }), { now })));
    expect(embed.title).toBe('⚠️ Rollback of checkout-api (production): waiting for approval');
    expect(embed.color).toBe(0xfaa61a);
    expect(embed.description).toBe('Needs 1 approval before anything changes. Approvers: use the buttons below.');
    expect(embed.fields?.[0]).toEqual({ name: 'Release', value: '2.4.1 → 2.4.0 (blue)', inline: true });
    expect(embed.fields?.find((f) => f.name === 'Reason')).toEqual({ name: 'Reason', value: 'checkout 500s since 2.4.1', inline: true });
    expect(embed.footer?.text).toMatch(new RegExp(`^Rollback ${ID} · Requested 2026-11-23 09:45:12 UTC · Expires 2026-11-23 10:00:12 UTC \\(in 14 min\\)$`));
  });

  it('an irreversible migration shows as a danger section, the migration id kept as code', () => {
    const record = makeRecord({ preview: { commits: [], config: [], migrations: [{ id: '0042_drop_orders', irreversible: true }], notes: [] } });
    const embed = embedOf(checkRendered(previewMessage(record)));
    expect(embed.title).toMatch(/^🚨 Pre-rollback check/);
    expect(embed.color).toBe(0xed4245);
    expect(embed.description).toMatch(/\*\*DANGER: 1 irreversible database migration\*\*\nRolling back the code does not undo migration `0042_drop_orders`/);
    // Outside the code span the underscores are escaped, so Discord shows them instead of italics.
    expect(embed.description).toContain('❌ Database migrations checked — irreversible: 0042\\_drop\\_orders');
  });

  it('a 30-check verification renders one marked line per shown check', () => {
    const checks = Array.from({ length: 30 }, (_, i) => checkResult({ name: `check ${i}`, status: i === 3 ? 'fail' : i === 4 ? 'inconclusive' : 'pass' }));
    const rendered = checkRendered(verificationChecklist(makeRecord({ state: 'verifying', verification: verificationOf(checks) })));
    const lines = (embedOf(rendered).description ?? '').split('\n');
    expect(lines).toContain('❌ check 3 — measured 200 in 12 ms, health = healthy · threshold status 200, health = healthy');
    expect(lines).toContain('❔ check 4 — measured 200 in 12 ms, health = healthy · threshold status 200, health = healthy');
    expect(lines.filter((l) => /^(✅|❌|❔) check \d+ — /.test(l))).toHaveLength(24);
  });

  it('50 history rows stay whole rows, the table separators left as they are', () => {
    const history = Array.from({ length: 50 }, (_, i) => makeRecord({ state: 'succeeded', id: `rb_${String(i).padStart(26, '0')}`, timings: { requestedAt: T0 + i, finishedAt: T0 + i + 38_000 } }));
    const embed = embedOf(checkRendered(historyMessage(history, { limit: 50 })));
    const rows = (embed.description ?? '').split('\n').filter((l) => l.startsWith('checkout-api (production) | 2026-11-23 | '));
    expect(rows).toHaveLength(20);
    expect(embed.description).toContain('**Service | Date | Time (UTC) | Trigger | Method | Duration | Root cause | Outcome**');
    expect(embed.description).toContain('… and 30 more');
  });

  it('release buttons carry service|environment|version, and parse back', () => {
    const releases = [RELEASES.bad, RELEASES.good, { ...RELEASES.good, id: 'blue-2.3.9', version: '2.3.9' }];
    const ids = customIds(checkRendered(releasesMessage('checkout-api', 'production', RELEASES.bad, releases)));
    expect(ids).toEqual(['rewind:rollback_to:checkout-api|production|2.4.0', 'rewind:rollback_to:checkout-api|production|2.3.9']);
    expect(parseCustomId(ids[0]!)).toEqual({ action: 'rollback_to', value: 'checkout-api|production|2.4.0' });
  });
});

describe('layout', () => {
  it.each([
    ['danger', '🚨', 0xed4245],
    ['warning', '⚠️', 0xfaa61a],
    ['success', '✅', 0x57f287],
    ['progress', '🔄', 0x5865f2],
    ['info', 'ℹ️', 0x99aab5],
  ] as const)('tone %s puts %s in front of the title and colours the embed', (tone, mark, color) => {
    expect(embedOf(checkRendered(msg({ tone })))).toEqual({ title: `${mark} Title`, color });
  });

  it('renders a section as bold heading, text and marked checklist lines, after the lead text', () => {
    const statuses = ['pass', 'fail', 'inconclusive', 'pending', 'running', 'skipped', 'warning'] as const;
    const message = msg({ text: 'Lead.', sections: [{ heading: 'Checks', text: 'Measured now.', checklist: statuses.map((status) => ({ label: status, status, ...(status === 'fail' ? { detail: '503' } : {}) })) }] });
    expect(embedOf(checkRendered(message)).description).toBe('Lead.\n\n**Checks**\nMeasured now.\n✅ pass\n❌ fail — 503\n❔ inconclusive\n⏳ pending\n▶️ running\n⏭️ skipped\n⚠️ warning');
  });

  it('keeps fields in order with their inline flag, and joins footer lines with ·', () => {
    const embed = embedOf(checkRendered(msg({ fields: [{ label: 'A', value: '1' }, { label: 'B', value: '2', inline: false }, { label: '', value: '' }], footer: ['one', 'two'] })));
    expect(embed.fields).toEqual([
      { name: 'A', value: '1', inline: true },
      { name: 'B', value: '2', inline: false },
      { name: ZWSP, value: '—', inline: true },
    ]);
    expect(embed.footer).toEqual({ text: 'one · two' });
  });

  it('sections that overflow the description become full-width fields, in order', () => {
    const sections = Array.from({ length: 8 }, (_, i) => ({ heading: `Part ${i}`, text: `${i}`.repeat(900) }));
    const embed = embedOf(checkRendered(msg({ sections, fields: [{ label: 'F', value: 'v' }] })));
    const inDescription = (embed.description ?? '').split('\n').filter((l) => l.startsWith('**Part '));
    expect(inDescription).toEqual(['**Part 0**', '**Part 1**', '**Part 2**', '**Part 3**']);
    expect(embed.fields?.[0]).toEqual({ name: 'F', value: 'v', inline: true });
    expect(embed.fields?.slice(1)).toEqual([
      { name: 'Part 4', value: '4'.repeat(900), inline: false },
      { name: 'Part 5', value: '5'.repeat(900), inline: false },
      // 6,000 in total: the last sections do not fit, and the final field says so.
      { name: '2 more parts of this message left out', value: '… (truncated)', inline: false },
    ]);
  });

  it('splits buttons into rows of five, at most five rows, dropping repeats', () => {
    const buttons = Array.from({ length: 32 }, (_, i) => ({ action: 'rollback_to' as const, label: `Roll back to 2.${i}.0`, style: 'secondary' as const, value: `svc|prod|2.${i}.0` }));
    const rendered = checkRendered(msg({ buttons: [...buttons.slice(0, 2), buttons[0]!, ...buttons.slice(2)] }));
    expect(rendered.components.map((row) => row.components.length)).toEqual([5, 5, 5, 5, 5]);
    expect(customIds(rendered)).toEqual(buttons.slice(0, 25).map((b) => `rewind:rollback_to:${b.value}`));
  });

  it('drops, never cuts, a button whose custom_id would pass 100 characters, and cuts labels to 80', () => {
    const fits = `svc|prod|${'v'.repeat(100 - 'rewind:rollback_to:svc|prod|'.length)}`;
    const rendered = checkRendered(
      msg({
        buttons: [
          { action: 'rollback_to', label: 'Too long', style: 'secondary', value: `${fits}x` },
          { action: 'rollback_to', label: 'L'.repeat(200), style: 'primary', value: fits },
        ],
      }),
    );
    expect(rendered.components).toEqual([{ type: 1, components: [{ type: 2, style: 1, label: `${'L'.repeat(79)}…`, custom_id: `rewind:rollback_to:${fits}` }] }]);
    expect(customIds(rendered)[0]).toHaveLength(100);
  });

  it('long service and environment names drop the release buttons rather than point at a cut name', () => {
    const record = hugeRecord('succeeded');
    const releases = [RELEASES.bad, RELEASES.good];
    expect(checkRendered(releasesMessage(record.service, record.environment, RELEASES.bad, releases)).components).toEqual([]);
  });

  it('never sends content, and allowed_mentions is always empty', () => {
    const rendered = checkRendered(msg({}));
    expect(rendered).not.toHaveProperty('content');
    expect(rendered.allowed_mentions).toEqual({ parse: [] });
  });
});

describe('parseCustomId', () => {
  it.each(BUTTON_ACTIONS)('round-trips %s, values with : and | included', (action) => {
    for (const value of [ID, 'checkout-api|production|2.4.0', 'svc|prod|release:2024-01-01T00:00:00Z']) {
      const message = msg({ buttons: [{ action, label: 'Go', style: 'primary', value }] });
      const [customId] = customIds(checkRendered(message));
      expect(customId).toBe(`rewind:${action}:${value}`);
      expect(parseCustomId(customId!)).toEqual({ action, value });
    }
  });

  it("refuses ids that are not Rewind's: the fixture's unprefixed style, unknown actions, the root-cause form, no value", () => {
    for (const id of [FIXTURE_CUSTOM_ID, 'reject:rb_01HZX', 'rewind:nope:rb_1', 'rewind:root_cause_form:rb_1', 'rewind:approve:', 'rewind:approve', 'Rewind:approve:rb_1', '']) {
      expect(parseCustomId(id)).toBeUndefined();
    }
  });
});

describe('escaping', () => {
  it('@everyone and @here in a reason are neutralised, and nothing may ping', () => {
    const record = makeRecord({ reason: '@everyone checkout down, @here help' });
    const rendered = checkRendered(notificationHeader(record, { now }));
    expect(embedOf(rendered).fields?.find((f) => f.name === 'Reason')?.value).toBe(`@${ZWSP}everyone checkout down, @${ZWSP}here help`);
    expect(rendered.allowed_mentions).toEqual({ parse: [] });
  });

  it('neutralises mentions in every part: title, text, fields, sections, footer, labels', () => {
    const evil = '@everyone @HERE';
    const message = msg({ title: evil, text: evil, fields: [{ label: evil, value: evil }], sections: [{ heading: evil, text: evil, checklist: [{ label: evil, status: 'pass', detail: evil }] }], footer: [evil], buttons: [{ action: 'abort', label: evil, style: 'danger', value: ID }] });
    const json = JSON.stringify(checkRendered(message));
    expect(json).not.toMatch(/@(everyone|here)/i);
    expect(json.split(`@${ZWSP}`).length - 1).toBe(20);
  });

  it('escapes *, _, backticks, ~~, ||, masked links and line-start > and #, leaving single ~ | and plain words alone', () => {
    expect(escapeMarkdown('*bold* __under__ ~~strike~~ ||spoiler|| a ~ b | c')).toBe('\\*bold\\* \\_\\_under\\_\\_ \\~\\~strike\\~\\~ \\|\\|spoiler\\|\\| a ~ b | c');
    expect(escapeMarkdown('> quoted\n# heading\n-# small\n#123 is an issue')).toBe('\\> quoted\n\\# heading\n\\-# small\n#123 is an issue');
    expect(escapeMarkdown('see [docs](https://evil.example) or C:\\path')).toBe('see \\[docs](https://evil.example) or C:\\\\path');
  });

  it("keeps the templates' code spans and URLs as they are, and escapes a lone backtick", () => {
    expect(escapeMarkdown('Run `/rollback status rb_1` now')).toBe('Run `/rollback status rb_1` now');
    expect(escapeMarkdown('it`s broken, see https://status.example/a_b*c')).toBe('it\\`s broken, see https://status.example/a_b*c');
    const help = embedOf(checkRendered(helpMessage())).description ?? '';
    expect(help).toContain('`/rollback <service> [<environment>]` — Roll back to the last stable release.');
    expect(help).toContain('    `--severity critical|high|medium|low` — Sets the approval rule');
  });

  it('a reason full of markup cannot restyle the header', () => {
    const record = makeRecord({ reason: '**urgent** `rm -rf _all_ ||now||' });
    const reason = embedOf(checkRendered(notificationHeader(record, { now }))).fields?.find((f) => f.name === 'Reason')?.value;
    expect(reason).toBe('\\*\\*urgent\\*\\* \\`rm -rf \\_all\\_ \\|\\|now\\|\\|');
  });
});

describe('truncation', () => {
  const lines = Array.from({ length: 200 }, (_, i) => `line ${String(i).padStart(3, '0')} ${'x'.repeat(40)}`);

  it('cuts the description at a line boundary and points at /rollback status <id>', () => {
    const embed = embedOf(checkRendered(msg({ text: lines.join('\n'), footer: [`Rollback ${ID}`] })));
    const description = embed.description ?? '';
    expect(description.length).toBeLessThanOrEqual(4096);
    expect(description.endsWith(`\n${POINTER}`)).toBe(true);
    const kept = description.split('\n').slice(0, -1);
    expect(kept.length).toBeGreaterThanOrEqual(80);
    expect(kept).toEqual(lines.slice(0, kept.length));
  });

  it('finds the id in a button value when the footer has none', () => {
    const embed = embedOf(checkRendered(msg({ text: lines.join('\n'), buttons: [{ action: 'root_cause', label: 'Add root cause', style: 'secondary', value: ID }] })));
    expect(embed.description?.endsWith(POINTER)).toBe(true);
  });

  it('says only "(truncated)" when no rollback id is known', () => {
    expect(embedOf(checkRendered(msg({ text: lines.join('\n') }))).description?.endsWith('\n… (truncated)')).toBe(true);
  });

  it('closes a code span a mid-line cut would leave open, and never leaves half an escape', () => {
    expect(embedOf(checkRendered(msg({ text: `\`${'c'.repeat(5000)}\`` }))).description).toMatch(/^`c+`… \(truncated\)$/);
    const stars = embedOf(checkRendered(msg({ text: '*'.repeat(5000) }))).description ?? '';
    expect(stars).toMatch(/^(\\\*)+… \(truncated\)$/);
  });

  it('cuts a field value to 1,024 at a line boundary, and the title to 256', () => {
    const embed = embedOf(checkRendered(msg({ title: 'T'.repeat(400), fields: [{ label: 'Reason', value: lines.join('\n') }], footer: [ID] })));
    expect(embed.title).toMatch(/^ℹ️ T+…$/);
    expect(embed.title!.length).toBeLessThanOrEqual(256);
    const value = embed.fields?.[0]?.value ?? '';
    expect(value.length).toBeLessThanOrEqual(1024);
    expect(value.startsWith('line 000')).toBe(true);
    expect(value.endsWith(`\n${POINTER}`)).toBe(true);
  });

  it('cuts the footer to 2,048', () => {
    const footer = embedOf(checkRendered(msg({ footer: Array.from({ length: 300 }, (_, i) => `line ${i}`) }))).footer?.text ?? '';
    expect(footer).toHaveLength(2048);
    expect(footer).toMatch(/^line 0 · line 1 · .*…$/);
  });

  it('over 6,000 in total: shrinks the description first, keeping every field when that suffices', () => {
    const fields = [1, 2].map((i) => ({ label: `F${i}`, value: `${i}`.repeat(1000) }));
    const embed = embedOf(checkRendered(msg({ text: lines.join('\n'), fields, footer: [`Rollback ${ID}`] })));
    expect(embed.fields?.map((f) => f.name)).toEqual(['F1', 'F2']);
    expect(embed.description?.endsWith(POINTER)).toBe(true);
    expect(embed.description!.length).toBeGreaterThan(3500);
  });

  it('then drops trailing fields, the last one saying how many were left out', () => {
    const fields = Array.from({ length: 10 }, (_, i) => ({ label: `F${i}`, value: `${i}`.repeat(1000) }));
    const embed = embedOf(checkRendered(msg({ text: lines.join('\n'), fields, footer: [`Rollback ${ID}`] })));
    expect(embed.description?.endsWith(POINTER)).toBe(true);
    expect(embed.description!.length).toBeLessThanOrEqual(1500);
    expect(embed.description!.length).toBeGreaterThan(1000);
    const shown = embed.fields!.slice(0, -1);
    expect(shown.map((f) => f.name)).toEqual(fields.slice(0, shown.length).map((f) => f.label));
    expect(shown.length).toBeGreaterThanOrEqual(3);
    expect(embed.fields!.at(-1)).toEqual({ name: `${10 - shown.length} more parts of this message left out`, value: POINTER, inline: false });
  });

  it('keeps 24 of 30 fields and says 6 were left out', () => {
    const fields = Array.from({ length: 30 }, (_, i) => ({ label: `F${i}`, value: `v${i}` }));
    const embed = embedOf(checkRendered(msg({ fields })));
    expect(embed.fields).toHaveLength(25);
    expect(embed.fields![23]).toEqual({ name: 'F23', value: 'v23', inline: true });
    expect(embed.fields![24]).toEqual({ name: '6 more parts of this message left out', value: '… (truncated)', inline: false });
  });
});
