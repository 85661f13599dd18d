// Which folder of src/ may import which: the architecture as it is enforced, read by ESLint
// (eslint.config.js) and by test/unit/architecture.test.ts. A folder may always import itself.
'use strict';

/** The core: imports nothing outside it. */
const CORE = {
  domain: [],
  messages: ['domain'],
  engine: ['domain', 'messages'],
};

/** Shared plumbing every adapter may use; none of it knows a chat platform, a provider or a queue. */
const NEUTRAL = {
  json: [],
  auth: [],
  redis: [],
  // The inbound HTTP contract (a route's request and answer), which chat fronts and webhooks declare.
  inbound: [],
  observability: ['domain', 'outbound'],
  outbound: ['domain', 'observability'],
  process: ['observability'],
  // The catalog's schema: providers, checks and steps read their own settings from it.
  config: ['domain', 'json'],
};

const SHARED = ['domain', 'messages', 'engine', 'json', 'auth', 'redis', 'inbound', 'observability', 'outbound', 'process', 'config'];

/** Adapters: the core and the shared plumbing, never each other. */
const ADAPTERS = Object.fromEntries(['chat', 'store', 'providers', 'verifiers', 'triggers', 'queue', 'http', 'paging', 'database', 'plan-steps'].map((name) => [name, SHARED]));

/** The composition root, the demo and the CLI wire everything and may import anything. */
const WIRING = ['app', 'demo'];

const LAYERS = { ...CORE, ...NEUTRAL, ...ADAPTERS };

module.exports = { CORE, NEUTRAL, ADAPTERS, LAYERS, WIRING };
