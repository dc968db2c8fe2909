import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { ApiMetrics } from '../../api/metrics/api-metrics.js';
import * as workerMetrics from '../../contract/metrics.js';
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
/** What tools/rules-check reports on one rules file. */
interface CheckedFile {
  file: string;
  errors: string[];
  /** Each rule by its alert's or recorded series' name, with the metric names its expression selects. */
  rules: Array<{ group: string; name: string; metrics: string[] }>;
}
type Panel = Dashboard['panels'][number];
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

// Grafana's range variable is not PromQL; the checker reads the expressions with a fixed range in its place.
const asPromql = (expression: string) => expression.replaceAll('$__rate_interval', '5m');

/** The recording rule a panel's query is checked as. */
const recordName = (panel: Panel, refId: string) => `regatta_dashboard:panel_${panel.id}_${refId}`;

/**
 * tools/rules-check on rules files: `promtool check rules`' checks (Prometheus' own rules-file and
 * PromQL parsers), and the metric names each expression selects, read from its syntax tree.
 */
async function checkRules(files: string[]): Promise<CheckedFile[]> {
  const checked = await runCommand(setupTool('rules-check'), files);
  // 1: a file is invalid, which its `errors` say; any other code is the checker failing.
  assert.ok(checked.code === 0 || checked.code === 1, `rules-check ended ${checked.code}: ${checked.stderr}`);
  return JSON.parse(checked.stdout) as CheckedFile[];
}

const metricsByRule = (checked: CheckedFile) =>
  new Map(checked.rules.map((rule) => [rule.name, rule.metrics]));

// Expressions and the metric names the checker must find in them: what a reading of the text
// alone gets wrong (label lists, strings, offsets, subqueries, selectors by `__name__`).
const metricNameCases: Array<[string, string[]]> = [
  ['sum(up{job="w"}) < 1 or absent(up{job="w"})', ['up']],
  [
    'histogram_quantile(0.95, sum by (le) (rate(regatta_run_duration_seconds_bucket[5m])))',
    ['regatta_run_duration_seconds_bucket'],
  ],
  ['a / on(job) group_left(instance) b', ['a', 'b']],
  ['sum(rate(a[5m] offset 1h)) by (d) unless b > bool 1e3', ['a', 'b']],
  ['label_replace(a, "dst", "$1", "src", "(.*)")', ['a']],
  ['max_over_time(a[1h:5m])', ['a']],
  ['c{name="by (x) and sum(y)"}', ['c']],
  ['{__name__="up", job="w"} + {__name__=~"regatta_.*"}', ['up']],
  ['node:cpu:rate5m', ['node:cpu:rate5m']],
  ['vector(1)', []],
];

describe('alert rules and dashboard', () => {
  let dir: string;
  let exported: Set<string>;
  const rules = (
    parse(readFileSync(rulesFile, 'utf8')) as { groups: Array<{ rules: Rule[] }> }
  ).groups.flatMap((group) => group.rules);
  const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8')) as Dashboard;
  const targets = dashboard.panels.flatMap((panel) => panel.targets.map((target) => ({ panel, target })));
  let rulesChecked: CheckedFile;
  let dashboardChecked: CheckedFile;
  let casesChecked: CheckedFile;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'regatta-alerting-'));
    exported = await exportedNames();
    const dashboardRules = join(dir, 'dashboard-queries.yaml');
    const recorded = targets.map(({ panel, target }) => ({
      record: recordName(panel, target.refId),
      expr: asPromql(target.expr),
    }));
    writeFileSync(dashboardRules, stringify({ groups: [{ name: 'dashboard', rules: recorded }] }));
    const cases = join(dir, 'metric-name-cases.yaml');
    const caseRules = metricNameCases.map(([expr], index) => ({ record: `case_${index}`, expr }));
    writeFileSync(cases, stringify({ groups: [{ name: 'cases', rules: caseRules }] }));
    [rulesChecked, dashboardChecked, casesChecked] = (await checkRules([
      rulesFile,
      dashboardRules,
      cases,
    ])) as [CheckedFile, CheckedFile, CheckedFile];
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('rules – valid as promtool check rules has them', () => {
    assert.deepEqual(rulesChecked.errors, []);
    assert.deepEqual(
      rulesChecked.rules.map((rule) => rule.name),
      rules.map((rule) => rule.alert ?? rule.record),
    );
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
    const metrics = metricsByRule(rulesChecked);
    for (const rule of rules)
      assert.ok(metrics.get(rule.alert!)?.includes(expected[rule.alert!]!), rule.alert);
    const drift = rules.find((rule) => rule.alert === 'RegattaDriftPersists')!;
    assert.equal(drift.for, '30m', 'drift must persist before it alerts');
  });

  it('dashboard – every panel query is valid PromQL (checked as recording rules)', () => {
    assert.deepEqual(dashboardChecked.errors, []);
    assert.equal(dashboardChecked.rules.length, targets.length);
  });

  it('dashboard – the panels an operator needs, each on its metric, all on the chosen data source', () => {
    const expected: Record<string, string> = {
      'Sites in sync': 'regatta_drift_artifacts',
      'Recovery point per site': 'regatta_recovery_point_seconds',
      'Bytes per site': 'regatta_bytes_total',
      'Run durations': 'regatta_run_duration_seconds_bucket',
      'Failures by reason': 'regatta_failures_total',
    };
    const metrics = metricsByRule(dashboardChecked);
    for (const [title, metric] of Object.entries(expected)) {
      const panel = dashboard.panels.find((candidate) => candidate.title === title);
      assert.ok(panel, `a panel "${title}"`);
      assert.ok(
        panel.targets.some((target) => metrics.get(recordName(panel, target.refId))?.includes(metric)),
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
    const panelQueries = new Map(
      targets.map(({ panel, target }) => [recordName(panel, target.refId), `${panel.title} ${target.refId}`]),
    );
    for (const rule of [...rulesChecked.rules, ...dashboardChecked.rules]) {
      const where = panelQueries.get(rule.name) ?? rule.name;
      assert.ok(rule.metrics.length > 0, `${where} selects a metric`);
      for (const name of rule.metrics)
        assert.ok(exported.has(name), `${where}: ${name} is not a metric Regatta exports`);
    }
  });

  it('rules-check – names the metrics an expression selects, from its syntax tree', () => {
    assert.deepEqual(casesChecked.errors, []);
    assert.deepEqual(
      casesChecked.rules.map((rule) => rule.metrics),
      metricNameCases.map(([, names]) => names),
    );
  });
});
