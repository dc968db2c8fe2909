import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { ApiMetrics } from '../../api/metrics/api-metrics.js';
import * as workerMetrics from '../../contract/metrics.js';
import { promqlMetricNames } from '../harness/promql-metric-names.js';
import { runCommand } from '../harness/run-command.js';
import { setupTool } from '../harness/setup-tools.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const rulesFile = join(root, 'deploy/prometheus/regatta-rules.yaml');
const dashboardFile = join(root, 'deploy/grafana/regatta-dashboard.json');

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
}
interface Dashboard {
  templating: { list: Array<{ name: string; type: string }> };
  panels: Array<{
    id: number;
    title: string;
    datasource: { uid: string };
    targets: Array<{ refId: string; expr: string; datasource: { uid: string } }>;
  }>;
}

const histogramSeries = (name: string) => [name, `${name}_bucket`, `${name}_sum`, `${name}_count`];

/**
 * Every series name Regatta exports: the worker's replication metrics (contract/metrics.ts), the
 * API's own and Node's process metrics (read from a real ApiMetrics registry), and `up`, which
 * Prometheus itself records for each target it scrapes.
 */
async function exportedNames(): Promise<Set<string>> {
  const names = new Set(['up']);
  for (const definition of Object.values(workerMetrics)) {
    if (!('name' in definition) || typeof definition.name !== 'string') continue;
    const histogram = definition.name in workerMetrics.histogramBuckets;
    for (const name of histogram ? histogramSeries(definition.name) : [definition.name]) names.add(name);
  }
  for (const metric of await new ApiMetrics().registry.getMetricsAsJSON()) {
    // prom-client declares the type a numeric enum but reports it as a word.
    const type = String(metric.type);
    const series = type === 'histogram' || type === 'summary' ? histogramSeries(metric.name) : [metric.name];
    for (const name of series) names.add(name);
  }
  return names;
}

// Grafana's range variable is not PromQL; promtool reads the expressions with a fixed range in its place.
const asPromql = (expression: string) => expression.replaceAll('$__rate_interval', '5m');

/** `promtool check rules` on a rules file; its output when every rule parses. */
async function promtoolCheckRules(file: string): Promise<string> {
  const checked = await runCommand(setupTool('promtool'), ['check', 'rules', file]);
  assert.equal(checked.code, 0, `${checked.stdout}${checked.stderr}`);
  return checked.stdout;
}

describe('alert rules and dashboard', () => {
  let dir: string;
  let exported: Set<string>;
  const rules = (
    parse(readFileSync(rulesFile, 'utf8')) as { groups: Array<{ rules: Rule[] }> }
  ).groups.flatMap((group) => group.rules);
  const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8')) as Dashboard;
  const targets = dashboard.panels.flatMap((panel) => panel.targets.map((target) => ({ panel, target })));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'regatta-alerting-'));
    exported = await exportedNames();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('rules – promtool check rules passes', async () => {
    assert.match(await promtoolCheckRules(rulesFile), new RegExp(`SUCCESS: ${rules.length} rules found`));
  });

  it('rules – an alert for each condition, on the metric that shows it', () => {
    const expected: Record<string, string> = {
      RegattaRunsFailing: 'regatta_run_duration_seconds_count',
      RegattaDriftPersists: 'regatta_drift_artifacts',
      RegattaRecoveryPointHigh: 'regatta_recovery_point_seconds',
      RegattaWebhookDeliveriesFailing: 'regatta_webhook_deliveries_total',
      RegattaWorkerDown: 'up',
      RegattaNoWorkers: 'up',
    };
    assert.deepEqual(rules.map((rule) => rule.alert).sort(), Object.keys(expected).sort());
    for (const rule of rules)
      assert.ok(promqlMetricNames(rule.expr).includes(expected[rule.alert!]!), rule.alert);
    const drift = rules.find((rule) => rule.alert === 'RegattaDriftPersists')!;
    assert.equal(drift.for, '30m', 'drift must persist before it alerts');
  });

  it('dashboard – every panel query parses (promtool, as recording rules)', async () => {
    const file = join(dir, 'dashboard-queries.yaml');
    const recorded = targets.map(({ panel, target }) => ({
      record: `regatta_dashboard:panel_${panel.id}_${target.refId}`,
      expr: asPromql(target.expr),
    }));
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules: recorded }] }));
    assert.match(await promtoolCheckRules(file), new RegExp(`SUCCESS: ${recorded.length} rules found`));
  });

  it('dashboard – the panels an operator needs, each on its metric, all on the chosen data source', () => {
    const expected: Record<string, string> = {
      'Sites in sync': 'regatta_drift_artifacts',
      'Recovery point per site': 'regatta_recovery_point_seconds',
      'Bytes per site': 'regatta_bytes_total',
      'Run durations': 'regatta_run_duration_seconds_bucket',
      'Failures by reason': 'regatta_failures_total',
    };
    for (const [title, metric] of Object.entries(expected)) {
      const panel = dashboard.panels.find((candidate) => candidate.title === title);
      assert.ok(panel, `a panel "${title}"`);
      assert.ok(
        panel.targets.some((target) => promqlMetricNames(asPromql(target.expr)).includes(metric)),
        `"${title}" queries ${metric}`,
      );
    }
    assert.ok(
      dashboard.templating.list.some(
        (variable) => variable.name === 'datasource' && variable.type === 'datasource',
      ),
    );
    for (const { panel, target } of targets) {
      assert.equal(panel.datasource.uid, '${datasource}', panel.title);
      assert.equal(target.datasource.uid, '${datasource}', `${panel.title} ${target.refId}`);
    }
    assert.equal(
      new Set(dashboard.panels.map((panel) => panel.id)).size,
      dashboard.panels.length,
      'panel ids are unique',
    );
  });

  it('rules and dashboard – name only metrics Regatta exports', () => {
    const expressions = [
      ...rules.map((rule) => [rule.alert ?? rule.record!, rule.expr]),
      ...targets.map(({ panel, target }) => [`${panel.title} ${target.refId}`, asPromql(target.expr)]),
    ];
    for (const [where, expression] of expressions) {
      const names = promqlMetricNames(expression!);
      assert.ok(names.length > 0, `${where} selects a metric`);
      for (const name of names)
        assert.ok(exported.has(name), `${where}: ${name} is not a metric Regatta exports`);
    }
  });
});
