import { Message } from '../../../src/domain/message';
import type { RollbackRecord } from '../../../src/domain/rollback-record';
import { renderPlainText } from '../../../src/messages/plain-text';
import { previewMessage } from '../../../src/messages/templates/preview';
import { makeRecord, without } from '../../support/record-factory';

const checklist = (message: Message) => message.sections.find((s) => s.heading === 'Pre-rollback checklist')?.checklist ?? [];
const item = (message: Message, label: string) => checklist(message).find((i) => i.label.startsWith(label));

describe('previewMessage', () => {
  it('shows from → to and what the rollback undoes', () => {
    const message = Message.parse(previewMessage(makeRecord()));
    expect(message.kind).toBe('preview');
    expect(message.title).toContain('2.4.1 → 2.4.0');
    const text = renderPlainText(message);
    expect(text).toContain('a1b2c3d pricing: new engine');
    expect(text).toContain('PRICING_ENGINE=v2');
  });

  it('warns loudly about an irreversible migration', () => {
    const record: RollbackRecord = makeRecord({
      preview: { commits: [], config: [], migrations: [{ id: '20261120_drop_legacy_prices', irreversible: true }, { id: '20261121_add_index', irreversible: false }], notes: [] },
    });
    const message = previewMessage(record);
    expect(message.tone).toBe('danger');
    const danger = message.sections[0]!;
    expect(danger.heading).toMatch(/^DANGER/);
    expect(danger.text).toContain('Rolling back the code does not undo migration `20261120_drop_legacy_prices`');
    expect(danger.text).toMatch(/restore the database or migrate down first/);
    expect(danger.text).not.toContain('20261121_add_index');
    expect(item(message, 'Database migrations')).toMatchObject({ status: 'fail' });
    expect(message.fallback).toContain('irreversible');
  });

  it('ticks the runbook checklist from the record', () => {
    const pending = previewMessage(makeRecord());
    expect(item(pending, 'Issue documented')).toMatchObject({ status: 'pass', detail: 'checkout 500s since 2.4.1' });
    expect(item(pending, 'Last stable release identified')).toMatchObject({ status: 'pass', detail: '2.4.0' });
    expect(item(pending, 'Approval obtained')).toMatchObject({ status: 'pending', detail: '0 of 1' });
    expect(item(pending, 'Current state captured')).toMatchObject({ status: 'pending' });
    expect(item(pending, 'Database migrations')).toMatchObject({ status: 'pass' });

    const critical = previewMessage(without(makeRecord({ state: 'queued' }), 'reason'));
    expect(item(critical, 'Issue documented')).toMatchObject({ status: 'warning' });
    expect(item(critical, 'Approval obtained')).toMatchObject({ status: 'pass', detail: 'not required for critical' });
  });

  it('says the preview is unavailable and will be checked again', () => {
    const record = without(makeRecord({ previewError: 'Could not read bluegreen: connect ECONNREFUSED 127.0.0.1:8080' }), 'preview', 'to');
    const message = previewMessage(record);
    expect(message.tone).toBe('warning');
    const text = renderPlainText(message);
    expect(text).toContain('Preview unavailable');
    expect(text).toContain('ECONNREFUSED');
    expect(text).toContain('checks the provider again before acting');
    expect(item(message, 'Last stable release identified')).toMatchObject({ status: 'pending' });
    expect(item(message, 'Database migrations')).toMatchObject({ status: 'inconclusive' });
  });

  it('a dry run says so, and that nothing was changed', () => {
    const message = previewMessage(makeRecord({ state: 'queued' }), { dryRun: true });
    expect(message.title).toMatch(/^Dry run/);
    expect(message.title).toContain('nothing was changed');
    expect(item(message, 'Current state captured')).toMatchObject({ status: 'skipped' });
    expect(message.buttons).toEqual([]);
  });

  it('trims long change lists', () => {
    const commits = Array.from({ length: 60 }, (_, i) => `c${i} ${'x'.repeat(300)}`);
    const message = Message.parse(previewMessage(makeRecord({ preview: { commits, config: [], migrations: [], notes: [] } })));
    const undoes = message.sections.find((s) => s.heading === 'What this rollback undoes: commits (60)')!;
    expect(undoes.text!.split('\n')).toHaveLength(8);
    expect(undoes.text).toContain('… and 53 more');
    expect(undoes.text!.length).toBeLessThanOrEqual(1000);
  });
});
