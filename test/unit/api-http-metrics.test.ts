import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { statusClass } from '../../api/metrics/http-metrics.js';

describe('statusClass', () => {
  const cases: Array<[number, string]> = [
    [200, '2xx'],
    [202, '2xx'],
    [304, '3xx'],
    [401, '4xx'],
    [413, '4xx'],
    [503, '5xx'],
  ];
  for (const [status, expected] of cases) {
    it(String(status), () => {
      assert.equal(statusClass(status), expected);
    });
  }
});
