/** README's `paging`, `mention` and `announce` examples are valid settings of an environment. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCatalog } from '../../../src/config/load-catalog';

const README = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
const section = README.slice(README.indexOf('## Paging, mentions and stakeholder announcements'), README.indexOf('## Automatic rollback'));

describe('README incident communication examples', () => {
  const examples = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

  it('show each of paging, mention and announce', () => {
    expect(examples.map((e) => e.split(':')[0])).toEqual(['paging', 'mention', 'announce']);
  });

  it('validate together as one environment', () => {
    const indented = examples.map((e) => e.trimEnd().split('\n').map((line) => `        ${line}`).join('\n')).join('\n');
    const yaml = `defaults: { approvals: { high: { required: 0 }, medium: { required: 0 } } }\nservices:\n  checkout-api:\n    environments:\n      production:\n        provider: { type: bluegreen, baseUrl: "http://127.0.0.1:1" }\n${indented}\n`;
    const env = { PAGERDUTY_ROUTING_KEY: 'e93facc04764012d7bfb002500d5d1a6', OPSGENIE_API_KEY: 'eb243592-faa2-4ba2-a551-1afdf565c889' };
    const comms = parseCatalog(yaml, env).catalog.resolve('checkout-api', 'production').comms;
    expect(comms.paging.pagerduty?.apiUrl).toBe('https://events.pagerduty.com');
    expect(comms.paging.opsgenie?.apiUrl).toBe('https://api.eu.opsgenie.com');
    expect(comms.mention).toEqual({ slack: 'S0SREONCALL', discord: { kind: 'role', id: '123456789012345678' } });
    expect(comms.announce).toEqual({ slack: ['C0STAKEHOLDERS'], discord: ['222333444555666777'] });
  });
});
