import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePrometheusText, sumOf, type Sample } from '../harness/prometheus-text.js';

describe('parsePrometheusText', () => {
  const cases: Array<[string, string, Sample[]]> = [
    ['comments and blank lines', '# HELP x A thing\n# TYPE x counter\n\n', []],
    ['no labels', 'up 1', [{ name: 'up', labels: {}, value: 1 }]],
    [
      'labels',
      'regatta_artifacts_total{destination="dc-a",outcome="copied"} 3',
      [{ name: 'regatta_artifacts_total', labels: { destination: 'dc-a', outcome: 'copied' }, value: 3 }],
    ],
    [
      'escapes and separators inside a value',
      'x{a="q\\"uote",b="back\\\\slash",c="new\\nline",d="a,b}=c"} 2',
      [{ name: 'x', labels: { a: 'q"uote', b: 'back\\slash', c: 'new\nline', d: 'a,b}=c' }, value: 2 }],
    ],
    ['trailing comma', 'x{a="1",} 0.5', [{ name: 'x', labels: { a: '1' }, value: 0.5 }]],
    [
      'histogram buckets, +Inf, a timestamp',
      'h_bucket{le="+Inf"} 4 1700000000000\nh_sum 1.5e-3',
      [
        { name: 'h_bucket', labels: { le: '+Inf' }, value: 4 },
        { name: 'h_sum', labels: {}, value: 0.0015 },
      ],
    ],
    [
      'special values',
      'a +Inf\nb -Inf\nc NaN\nd Nan',
      [
        { name: 'a', labels: {}, value: Infinity },
        { name: 'b', labels: {}, value: -Infinity },
        { name: 'c', labels: {}, value: NaN },
        { name: 'd', labels: {}, value: NaN },
      ],
    ],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => {
      assert.deepEqual(parsePrometheusText(text), expected);
    });
  }

  for (const bad of ['x{a=1} 1', 'x{a="1" 1', 'x 1 2 3', 'x', '{a="1"} 1', 'x one']) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parsePrometheusText(bad));
    });
  }
});

describe('sumOf', () => {
  const samples = parsePrometheusText(
    ['c{d="a",t="x"} 1', 'c{d="a",t="y"} 2', 'c{d="b",t="x"} 4', 'other{d="a"} 8'].join('\n'),
  );
  const cases: Array<[string, Record<string, string>, number]> = [
    ['all of a name', {}, 7],
    ['over the labels not asked for', { d: 'a' }, 3],
    ['every label must match', { d: 'b', t: 'y' }, 0],
  ];
  for (const [name, labels, expected] of cases) {
    it(name, () => {
      assert.equal(sumOf(samples, 'c', labels), expected);
    });
  }
});
