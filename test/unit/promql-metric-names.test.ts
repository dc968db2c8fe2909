import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { promqlMetricNames } from '../harness/promql-metric-names.js';

describe('promqlMetricNames', () => {
  const cases: Array<[string, string[]]> = [
    ['up', ['up']],
    ['up{job="regatta-workers"} == 0', ['up']],
    [
      'sum by (policy, trigger) (increase(regatta_run_duration_seconds_count{status="Failed"}[15m])) > 0',
      ['regatta_run_duration_seconds_count'],
    ],
    ['sum(up{job="w"}) < 1 or absent(up{job="w"})', ['up']],
    [
      'histogram_quantile(0.95, sum by (le, policy) (rate(regatta_run_duration_seconds_bucket[5m])))',
      ['regatta_run_duration_seconds_bucket'],
    ],
    ['count(max by (policy) (x{kind=~"a|b"}) == 0) or vector(0)', ['x']],
    ['a / on(job) group_left(instance) b', ['a', 'b']],
    ['sum(rate(a[5m] offset 1h)) by (d) unless b > bool 1e3', ['a', 'b']],
    ['label_replace(a, "dst", "$1", "src", "(.*)")', ['a']],
    ['max_over_time(a[1h:5m])', ['a']],
    ['c{name="by (x) and sum(y)"}', ['c']],
    ['node:cpu:rate5m', ['node:cpu:rate5m']],
  ];
  for (const [expression, names] of cases) {
    it(expression, () => assert.deepEqual(promqlMetricNames(expression), names));
  }
});
