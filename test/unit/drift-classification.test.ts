import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyDrift, recoveryPoint } from '../../activities/classify-drift.js';

const d1 = `sha256:${'1'.repeat(64)}`;
const d2 = `sha256:${'2'.repeat(64)}`;

describe('classifyDrift', () => {
  const cases: Array<
    [string, Record<string, string | undefined>, Record<string, string | undefined>, string[]]
  > = [
    ['in sync', { 'p/a:v1': d1 }, { 'p/a:v1': d1 }, ['inSync p/a:v1']],
    ['missing', { 'p/a:v1': d1 }, {}, ['missing p/a:v1']],
    ['different digest', { 'p/a:v1': d1 }, { 'p/a:v1': d2 }, ['different p/a:v1']],
    [
      'listed but unreadable counts as different',
      { 'p/a:v1': d1 },
      { 'p/a:v1': undefined },
      ['different p/a:v1'],
    ],
    ['extra', {}, { 'p/a:old': d2 }, ['extra p/a:old']],
    [
      'all kinds at once',
      { 'p/a:v1': d1, 'p/a:v2': d1, 'p/b:v1': d2 },
      { 'p/a:v1': d1, 'p/a:v2': d2, 'p/c:x': d1 },
      ['inSync p/a:v1', 'different p/a:v2', 'missing p/b:v1', 'extra p/c:x'],
    ],
  ];
  for (const [name, source, destination, expected] of cases) {
    it(name, () => {
      const drift = classifyDrift(new Map(Object.entries(source)), new Map(Object.entries(destination)));
      const found = (['inSync', 'different', 'missing', 'extra'] as const).flatMap((kind) =>
        drift[kind].map((entry) => `${kind} ${entry.repository}:${entry.tag}`),
      );
      assert.deepEqual(found, expected);
    });
  }

  it('entries carry both digests', () => {
    const drift = classifyDrift(new Map([['p/a:v2', d1]]), new Map([['p/a:v2', d2]]));
    assert.deepEqual(drift.different, [
      { repository: 'p/a', tag: 'v2', sourceDigest: d1, destinationDigest: d2 },
    ]);
  });
});

describe('recoveryPoint', () => {
  const now = new Date('2026-11-28T12:00:00Z');
  const cases: Array<[string, Array<string | undefined>, { seconds: number; oldest?: string }]> = [
    ['nothing pending', [], { seconds: 0 }],
    ['never seen before counts from now', [undefined], { seconds: 0, oldest: '2026-11-28T12:00:00.000Z' }],
    [
      'the oldest pending change',
      ['2026-11-28T11:50:00.000Z', '2026-11-28T11:00:00.000Z', undefined],
      { seconds: 3600, oldest: '2026-11-28T11:00:00.000Z' },
    ],
  ];
  for (const [name, seen, expected] of cases) {
    it(name, () => assert.deepEqual(recoveryPoint(seen, now), expected));
  }
});
