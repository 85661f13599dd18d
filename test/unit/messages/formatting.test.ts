import { initialSteps } from '../../../src/domain/plan';
import { ACTORS, RELEASES, makeRecord, without } from '../../support/record-factory';
import { code, formatTimestamp, recordArrow, releaseArrow, relative, stateLabel, stepTitle, trimList, triggerLabel, truncate } from '../../../src/messages/formatting';
import { ROLLBACK_STATES } from '../../../src/domain/rollback-state';

describe('formatting', () => {
  it('formats instants in UTC', () => {
    const at = Date.UTC(2026, 10, 23, 9, 45, 12, 640);
    expect(formatTimestamp(at)).toBe('2026-11-23 09:45:12 UTC');
  });

  it('labels every state', () => {
    expect(ROLLBACK_STATES.map(stateLabel)).toEqual(['Waiting for approval', 'Queued', 'Rolling back', 'Verifying', 'Succeeded', 'Failed', 'Rejected', 'Expired', 'Cancelled']);
  });

  it('shows releases as from → to with the target slot', () => {
    expect(releaseArrow(RELEASES.bad, RELEASES.good)).toBe('2.4.1 → 2.4.0 (blue)');
    expect(releaseArrow(undefined, { id: 'x', version: '2.4.0' })).toBe('current → 2.4.0');
    expect(recordArrow(without(makeRecord(), 'to'))).toBe('2.4.1 (green) → to be resolved: last stable');
    expect(recordArrow(without(makeRecord({ requestedRelease: '2.3.9' }), 'to'))).toBe('2.4.1 (green) → 2.3.9 (to be resolved)');
  });

  it('labels triggers in the history format', () => {
    expect(triggerLabel(makeRecord())).toBe('manual (slack: steve)');
    expect(triggerLabel(makeRecord({ trigger: { kind: 'auto', source: 'health-monitor', evidence: [] }, requester: ACTORS.rewind }))).toBe('auto: health probe');
  });

  it('truncates with an ellipsis, never splitting an emoji', () => {
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('a'.repeat(50), 10)).toBe(`${'a'.repeat(9)}…`);
    expect(truncate('🚨🚨🚨🚨', 3)).toBe('🚨🚨…');
  });

  it('trims lists with "… and N more"', () => {
    const items = Array.from({ length: 30 }, (_, i) => `item ${i}`);
    const trimmed = trimList(items, 10);
    expect(trimmed).toHaveLength(10);
    expect(trimmed.at(-1)).toBe('… and 21 more');
    expect(trimList(items.slice(0, 3), 10)).toEqual(['item 0', 'item 1', 'item 2']);
  });

  it('keeps code spans closed', () => {
    expect(code('a`b')).toBe("`a'b`");
  });

  it('names steps with their position in the rollback\'s own plan', () => {
    expect(stepTitle({ steps: initialSteps() }, 'rollback')).toBe('Roll back (step 3 of 6)');
    const planned = { steps: initialSteps({ before: [{ title: 'PostgreSQL backup', optional: false, kind: 'postgres-backup' }], after: [{ title: 'Run npm run migrate:down', optional: false, kind: 'command' }] }) };
    expect(stepTitle(planned, 'before.0')).toBe('PostgreSQL backup (step 3 of 8)');
    expect(stepTitle(planned, 'rollback')).toBe('Roll back (step 4 of 8)');
    expect(stepTitle(planned, 'after.0')).toBe('Run npm run migrate:down (step 6 of 8)');
  });

  it('says relative times against an explicit now', () => {
    expect(relative(10_000, 0)).toBe('in 10 s');
    expect(relative(0, 90_000)).toBe('1 min 30 s ago');
  });
});
