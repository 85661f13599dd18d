/**
 * `npm run lint` enforces scripts/layers.js: an adapter reaching into another adapter, or the core
 * into an adapter or its SDK, fails ESLint with a message saying what is allowed. Linted as text at
 * a path inside src/, so nothing is written to the tree.
 */
import { resolve } from 'node:path';
import { ESLint } from 'eslint';

const ROOT = resolve(__dirname, '../..');

// The project's own config, passed in: ESLint's loader imports it dynamically, which Jest's VM cannot.
const CONFIG = require('../../eslint.config.js') as ESLint.Options['overrideConfig'];

async function lintAt(path: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT, overrideConfigFile: true, overrideConfig: CONFIG });
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, path) });
  return result!.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe('import rules in lint', () => {
  jest.setTimeout(30_000);

  it.each([
    ['src/store/probe.ts', "import { SlackSink } from '../chat/slack/slack-sink';\nexport const x = SlackSink;\n", /src\/store may import only/],
    ['src/chat/slack/probe.ts', "import { RedisRollbackStore } from '../../store/redis-rollback-store';\nexport const x = RedisRollbackStore;\n", /src\/chat may import only/],
    ['src/triggers/probe.ts', "import { HttpVerifier } from '../verifiers/http-verifier';\nexport const x = HttpVerifier;\n", /src\/triggers may import only/],
    ['src/engine/probe.ts', "import { Queue } from 'bullmq';\nexport const x = Queue;\n", /core .* must not import adapters/],
    ['src/domain/probe.ts', "import type { Catalog } from '../config/catalog';\nexport type X = Catalog;\n", /src\/domain may import only domain/],
  ])('%s: a forbidden import fails lint', async (path, code, message) => {
    expect(await lintAt(path, code)).toEqual([expect.stringMatching(message)]);
  });

  it('keeps chat out of the HTTP server: it declares routes with the inbound contract', async () => {
    expect(await lintAt('src/chat/probe.ts', "import { Router } from '../http/router';\nexport const x = Router;\n")).toEqual([expect.stringMatching(/src\/chat may import only/)]);
  });

  it.each([
    ['src/store/probe.ts', "import type { ChatRefs } from '../domain/chat-refs';\nexport type X = ChatRefs;\n"],
    ['src/chat/probe.ts', "import type { Route } from '../inbound/route';\nexport type X = Route;\n"],
    ['src/providers/probe.ts', "import { PlatformApi } from '../outbound/platform-api';\nexport const x = PlatformApi;\n"],
    ['src/app/probe.ts', "import { SlackSink } from '../chat/slack/slack-sink';\nimport { RedisRollbackStore } from '../store/redis-rollback-store';\nexport const x = [SlackSink, RedisRollbackStore];\n"],
  ])('%s: an allowed import passes', async (path, code) => {
    expect(await lintAt(path, code)).toEqual([]);
  });
});
