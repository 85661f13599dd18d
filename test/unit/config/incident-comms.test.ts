/** Issue 15's catalog fields: inherited from defaults, replaced whole by a more specific layer, checked with clear messages. */
import { ConfigError } from '../../../src/config/config-error';
import { parseCatalog } from '../../../src/config/load-catalog';
import { isProductionEnvironment } from '../../../src/domain/incident-comms';

const KEY = 'abcdefABCDEF0123456789abcdef0123';

function catalog(defaults: string, production: string, staging = ''): string {
  return `
defaults:
  approvals: { high: { required: 0 }, medium: { required: 0 } }
${defaults}
services:
  checkout-api:
    environments:
      production:
        provider: { type: bluegreen, baseUrl: "http://127.0.0.1:1" }
${production}
      staging:
        provider: { type: bluegreen, baseUrl: "http://127.0.0.1:1" }
${staging}
`;
}

function problems(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseCatalog(text, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  throw new Error('expected the catalog to be invalid');
}

describe('incident communication settings', () => {
  it('inherits from defaults and lets an environment replace a setting whole', () => {
    const text = catalog(
      `  paging: { pagerduty: { routingKey: "\${PD_KEY}" } }
  mention: { slack: S0ONCALL, discord: "role:123456789012345678" }
  review: { after: 12h }
  drills: { every: 30d }`,
      `        paging: { opsgenie: { apiKey: "\${OG_KEY}", apiUrl: "http://127.0.0.1:9/og" } }
        announce: { slack: C0STAKE, discord: ["222333444555666777"] }
        drills: { every: 7d, allowProduction: true }`,
    );
    const { catalog: c, secrets } = parseCatalog(text, { PD_KEY: KEY, OG_KEY: 'opsgenie-key-0123456789' });
    const prod = c.resolve('checkout-api', 'production').comms;
    expect(prod).toEqual({
      paging: { opsgenie: { apiKey: 'opsgenie-key-0123456789', apiUrl: 'http://127.0.0.1:9/og' } },
      mention: { slack: 'S0ONCALL', discord: { kind: 'role', id: '123456789012345678' } },
      announce: { slack: ['C0STAKE'], discord: ['222333444555666777'] },
      reviewAfterMs: 12 * 3_600_000,
      drills: { everyMs: 7 * 86_400_000, allowProduction: true },
    });
    const staging = c.resolve('checkout-api', 'staging').comms;
    expect(staging.paging).toEqual({ pagerduty: { routingKey: KEY, apiUrl: 'https://events.pagerduty.com' } });
    expect(staging.announce).toEqual({ slack: [], discord: [] });
    expect(staging.drills).toEqual({ everyMs: 30 * 86_400_000, allowProduction: false });
    // Keys from the environment are secrets: scrubbed from logs and chat.
    expect(secrets).toEqual(expect.arrayContaining([KEY, 'opsgenie-key-0123456789']));
  });

  it('has nothing configured by default', () => {
    const comms = parseCatalog(catalog('  severity: high', ''), {}).catalog.resolve('checkout-api', 'production').comms;
    expect(comms).toEqual({ paging: {}, mention: {}, announce: { slack: [], discord: [] } });
  });

  it('says what a key, a mention or a duration should look like', () => {
    const found = problems(
      catalog(
        '  severity: high',
        `        paging: { pagerduty: { routingKey: short } }
        mention: { slack: "@oncall", discord: "123456789012345678" }
        review: { after: soon }`,
      ),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/paging\.pagerduty\.routingKey: expected a PagerDuty Events API v2 integration key/),
        expect.stringMatching(/mention\.slack: expected a Slack user group id/),
        expect.stringMatching(/mention\.discord: expected "role:<id>" or "user:<id>"/),
        expect.stringMatching(/review\.after: /),
      ]),
    );
  });

  it.each([
    ['production', true],
    ['prod', true],
    ['prod-eu', true],
    ['Production', true],
    ['staging', false],
    ['preprod', false],
    ['products', false],
  ])('%s is production: %s', (name, expected) => {
    expect(isProductionEnvironment(name)).toBe(expected);
  });
});
