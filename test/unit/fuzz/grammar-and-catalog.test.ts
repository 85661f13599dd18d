/**
 * Property-based fuzzing (fast-check) of what people type and what teams write: the `/rollback`
 * grammar and the catalog loader. Whatever the input, the answer is a result or a refusal that says
 * what was wrong; never a crash, a TypeError or an empty message.
 */
import fc from 'fast-check';
import { parseCommandText } from '../../../src/chat/command-grammar';
import { textCommandToOutcome } from '../../../src/chat/text-command';
import { ConfigError } from '../../../src/config/config-error';
import { parseCatalog } from '../../../src/config/load-catalog';
import { isRewindError } from '../../../src/domain/errors';
import { Command } from '../../../src/engine/commands';
import { stringify } from 'yaml';

/** Words of the grammar and its neighbours, so generated commands reach deep into the parser. */
const WORDS = [
  'rollback', 'status', 'history', 'releases', 'help', 'cancel', 'unlock', 'pause', 'resume', 'start', 'checkout-api', 'production', 'staging', 'prod',
  '--severity', '--to', '--reason', '--dry-run', '--limit', '-s', 'critical', 'high', 'medium', 'low', 'crit', '2.4.0', 'blue', 'rb_01KAQ4J3Z8M2N5P7R9T1V3X5Y7',
  '"', "'", '“', '”', '=', '--', '—', '<@U1>', '<!channel>', '@everyone', '\u0000', '\u202e', '🚀', '',
];
const word = fc.oneof(fc.constantFrom(...WORDS), fc.string({ maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 6 }));
const commandText = fc.oneof(fc.string({ maxLength: 200 }), fc.array(word, { maxLength: 12 }).map((words) => words.join(' ')));

const CATALOG = `
defaults:
  approvals:
    critical: { required: 0 }
    high: { required: 1, approvers: { slack: [U0LEAD] } }
    medium: { required: 0 }
services:
  checkout-api:
    environments:
      production:
        channels: { slack: C0INCIDENT }
        provider: { type: bluegreen, baseUrl: http://127.0.0.1:9 }
`;
const catalog = parseCatalog(CATALOG, {}).catalog;

/** A refusal a person can act on: a RewindError with a message that says something. */
function expectRefusal(error: unknown): void {
  if (!isRewindError(error)) throw error;
  expect(error.userMessage.trim().length).toBeGreaterThan(10);
}

export const fuzzed = { inputs: 0, refusals: 0 };

afterAll(() => console.info(`fuzzing (grammar, catalog): ${fuzzed.inputs} inputs, ${fuzzed.refusals} refused with a message, 0 crashes`));

describe('fuzzing the /rollback grammar', () => {
  it('parses or refuses with a message, whatever is typed', () => {
    fc.assert(
      fc.property(commandText, (text) => {
        fuzzed.inputs++;
        try {
          parseCommandText(text);
        } catch (error) {
          fuzzed.refusals++;
          expectRefusal(error);
        }
      }),
      { numRuns: 3_000 },
    );
  });

  it('turns what parses into a command for a real catalog, or refuses it with what is valid', () => {
    const context = { platform: 'slack' as const, actor: { platform: 'slack' as const, id: 'U0ONCALL', name: 'oncall' }, reply: { platform: 'slack', data: {} }, channelId: 'C0INCIDENT', interactionId: 'i-1' };
    fc.assert(
      fc.property(commandText, (text) => {
        fuzzed.inputs++;
        try {
          const outcome = textCommandToOutcome(text, context, catalog);
          // What reaches the queue is a command the worker accepts: nothing half-parsed is enqueued.
          if (outcome.kind === 'enqueue') expect(Command.safeParse(outcome.command).success).toBe(true);
        } catch (error) {
          fuzzed.refusals++;
          expectRefusal(error);
        }
      }),
      { numRuns: 3_000 },
    );
  });
});

/** A catalog value a team might write by mistake: any JSON, or the valid catalog with one part replaced. */
const catalogDocument = fc.oneof(
  fc.anything({ maxDepth: 4 }).map((value) => String(stringify(value) ?? '')),
  fc
    .tuple(fc.constantFrom('defaults', 'services', 'hooks', 'version', 'services.checkout-api', 'services.checkout-api.environments.production', 'services.checkout-api.environments.production.provider'), fc.jsonValue({ maxDepth: 3 }))
    .map(([path, value]) => {
      const doc = parseCatalogObject();
      let node: Record<string, unknown> = doc;
      const keys = path.split('.');
      for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
      node[keys.at(-1)!] = value;
      return stringify(doc);
    }),
  fc.string({ maxLength: 300 }),
);

function parseCatalogObject(): Record<string, unknown> {
  return JSON.parse(JSON.stringify({
    defaults: { approvals: { critical: { required: 0 }, high: { required: 1, approvers: { slack: ['U0LEAD'] } }, medium: { required: 0 } } },
    services: { 'checkout-api': { environments: { production: { channels: { slack: 'C0INCIDENT' }, provider: { type: 'bluegreen', baseUrl: 'http://127.0.0.1:9' } } } } },
  })) as Record<string, unknown>;
}

describe('fuzzing the catalog loader', () => {
  it('loads or names the path of every problem, whatever the file holds', () => {
    fc.assert(
      fc.property(catalogDocument, (text) => {
        fuzzed.inputs++;
        try {
          parseCatalog(text, {});
        } catch (error) {
          fuzzed.refusals++;
          if (!(error instanceof ConfigError)) throw error;
          expect(error.issues.length).toBeGreaterThan(0);
          for (const issue of error.issues) {
            expect(issue.path.length).toBeGreaterThan(0);
            expect(issue.message.trim().length).toBeGreaterThan(3);
          }
        }
      }),
      { numRuns: 1_500 },
    );
  });
});
