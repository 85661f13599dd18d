/**
 * Reviews and drills in the records a team keeps: drills left out of the history, exports and RTO
 * report unless asked for; the review in the export columns and the post-mortem draft.
 */
import { parseCsv } from '../../support/csv-reader';
import { toExportRow } from '../../../src/domain/export-row';
import { describeFilter, matchesFilter } from '../../../src/domain/history-filter';
import { historyCsv } from '../../../src/messages/history-export';
import { postmortemDraft } from '../../../src/messages/postmortem-draft';
import { rtoReportMessage } from '../../../src/messages/templates/rto-report';
import { rtoReport } from '../../../src/domain/rto-report';
import { ACTORS, IMMEDIATE_POLICY, makeRecord, MINUTE, T0 } from '../../support/record-factory';

const drill = makeRecord({ id: 'rb_01KAQ4J3Z8M2N5P7R9T1V3X5D1', trigger: { kind: 'drill', source: 'slack', evidence: [] } });
const incident = makeRecord({ id: 'rb_01KAQ4J3Z8M2N5P7R9T1V3X5I1' });
const reviewed = makeRecord({
  id: 'rb_01KAQ4J3Z8M2N5P7R9T1V3X5R1',
  severity: 'critical',
  policy: IMMEDIATE_POLICY,
  review: {
    approvers: { slack: ['U0LEAD'] },
    afterMs: 24 * 60 * MINUTE,
    requestedAt: T0 + MINUTE,
    remindAt: T0 + MINUTE + 24 * 60 * MINUTE,
    reviewed: { actor: ACTORS.lead, at: T0 + 30 * MINUTE },
    notes: [
      { actor: ACTORS.steve, at: T0 + 5 * MINUTE, text: 'Nobody could approve at 3 am.' },
      { actor: ACTORS.lead, at: T0 + 30 * MINUTE, text: 'Right call.\nAdd a canary.' },
    ],
  },
});

describe('drills are kept apart', () => {
  it('are left out by default, shown alone with `only` or `trigger: drill`, and alongside with `include`', () => {
    const all = [drill, incident];
    expect(all.filter((r) => matchesFilter(r, {})).map((r) => r.id)).toEqual([incident.id]);
    expect(all.filter((r) => matchesFilter(r, { drills: 'only' })).map((r) => r.id)).toEqual([drill.id]);
    expect(all.filter((r) => matchesFilter(r, { trigger: 'drill' })).map((r) => r.id)).toEqual([drill.id]);
    expect(all.filter((r) => matchesFilter(r, { drills: 'include' })).map((r) => r.id)).toEqual([drill.id, incident.id]);
    expect(describeFilter({ service: 'checkout-api', drills: 'only' })).toBe('checkout-api · drills only');
  });

  it('the RTO report says which it counted', () => {
    const text = (drills?: 'only' | 'include') => JSON.stringify(rtoReportMessage(rtoReport([drill]), { service: 'checkout-api', window: 'the last 30 days', ...(drills ? { drills } : {}) }));
    expect(text('only')).toContain('RTO report: drills of checkout-api, the last 30 days');
    expect(text()).toContain('Drills are left out');
  });
});

describe('the break-glass review in the records', () => {
  it('has its own export columns: status, who reviewed, the notes', () => {
    expect(toExportRow(reviewed)).toMatchObject({ review: 'reviewed', reviewedBy: 'Lead', reviewNotes: 'steve: Nobody could approve at 3 am. | Lead: Right call. Add a canary.' });
    expect(toExportRow(incident)).toMatchObject({ review: null, reviewedBy: null, reviewNotes: null });
    const [header, row] = parseCsv(historyCsv([reviewed]));
    const cells = Object.fromEntries(header!.map((h, i) => [h, row![i]]));
    expect(cells).toMatchObject({ review: 'reviewed', reviewed_by: 'Lead' });
  });

  it('is a section of the post-mortem draft and a line of its summary', () => {
    const audit = [{ seq: 1, rollbackId: reviewed.id, at: T0 + 30 * MINUTE, type: 'review.done' as const, actor: ACTORS.lead }];
    const markdown = postmortemDraft({ record: reviewed, audit });
    expect(markdown).toContain('| Break-glass review | reviewed by Lead at 2026-11-23 10:15:12 UTC |');
    expect(markdown).toContain('## Break-glass review');
    expect(markdown).toContain('- **Reviewed by:** Lead at 2026-11-23 10:15:12 UTC');
    expect(markdown).toContain('- **Note** by steve at 2026-11-23 09:50:12 UTC: Nobody could approve at 3 am.');
    expect(markdown).toMatch(/\| 10:15:12 \| Break-glass rollback marked reviewed \| Lead \|/);
    expect(markdown).toContain('reviewed the break-glass rollback (10:15:12)');
  });

  it('a drill says so at the top of its post-mortem draft', () => {
    expect(postmortemDraft({ record: drill, audit: [] })).toContain('> **Drill:** a practice rollback run on purpose, not an incident.');
  });
});
