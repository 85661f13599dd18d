/**
 * The Grafana dashboard and the Prometheus alert rules shipped in manifests/ only name series that
 * Rewind exports (a renamed metric would leave a panel empty and an alert silent), the rules pass
 * `promtool check rules`, and their unit tests (`promtool test rules`) pass.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { Metrics } from '../../../src/observability/metrics';
import { prometheusAvailable } from '../../support/prometheus-server';

const ROOT = resolve(__dirname, '../../..');
const RULES = join(ROOT, 'manifests/prometheus/rewind-alerts.yml');
const RULE_TESTS = join(ROOT, 'manifests/prometheus/rewind-alerts.test.yml');
const DASHBOARD = join(ROOT, 'manifests/grafana/rewind-dashboard.json');
/** Series Prometheus makes itself for every target. */
const FROM_PROMETHEUS = new Set(['up']);
const NAME = /\b((?:rewind|process|nodejs)_[a-z0-9_]+)\b/g;

async function exportedNames(): Promise<Set<string>> {
  const metrics = new Metrics({ role: 'all' });
  const { body } = await metrics.exposition();
  const names = new Set<string>();
  for (const line of body.split('\n')) {
    const match = /^# TYPE (\S+) (\S+)/.exec(line);
    if (!match) continue;
    const [, name, type] = match;
    names.add(name!);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name! + suffix);
  }
  return names;
}

function namesIn(exprs: readonly string[]): Set<string> {
  const found = new Set<string>();
  for (const expr of exprs) for (const m of expr.matchAll(NAME)) found.add(m[1]!);
  return found;
}

interface Panel {
  id: number;
  title: string;
  targets: { expr: string; refId: string }[];
}

describe('observability manifests', () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { uid: string; panels: Panel[]; templating: { list: { name: string; query?: string }[] } };
  const rules = parse(readFileSync(RULES, 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };
  const dashboardExprs = [...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)), ...dashboard.templating.list.flatMap((v) => (v.query ? [v.query] : []))];
  const ruleExprs = rules.groups.flatMap((g) => g.rules.map((r) => r.expr));

  it('the dashboard and the rules name only series Rewind exports', async () => {
    const exported = await exportedNames();
    for (const [what, exprs] of [['dashboard', dashboardExprs], ['alert rules', ruleExprs]] as const) {
      const unknown = [...namesIn(exprs)].filter((name) => !exported.has(name) && !FROM_PROMETHEUS.has(name));
      expect({ what, unknown }).toEqual({ what, unknown: [] });
    }
    // And they cover what an SRE watches: outcomes, RTO, approvals, queues, chat, providers.
    for (const name of ['rewind_rollbacks_total', 'rewind_rto_missed_total', 'rewind_recovery_seconds_bucket', 'rewind_approval_wait_seconds_bucket', 'rewind_queue_oldest_waiting_seconds', 'rewind_chat_deliveries_total', 'rewind_outbound_requests_total']) {
      expect(namesIn(dashboardExprs)).toContain(name);
    }
  });

  it('the dashboard is a well-formed Grafana dashboard: unique panel ids, a target per panel, a datasource variable', () => {
    expect(dashboard.uid).toBe('rewind-overview');
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels) expect({ title: panel.title, targets: panel.targets.length > 0 }).toEqual({ title: panel.title, targets: true });
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(expect.arrayContaining(['datasource', 'service', 'environment']));
  });

  const describePromtool = prometheusAvailable() ? describe : describe.skip;
  describePromtool('promtool', () => {
    it('checks the rules', () => {
      const run = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
      expect(run.stdout + run.stderr).toContain(`SUCCESS: ${ruleExprs.length} rules found`);
      expect(run.status).toBe(0);
    });

    it('fires the alerts on the series Rewind exports, in its unit tests', () => {
      const run = spawnSync('promtool', ['test', 'rules', RULE_TESTS], { encoding: 'utf8' });
      expect(run.stdout + run.stderr).toContain('SUCCESS');
      expect(run.status).toBe(0);
    });
  });
});
