import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadEnvironment } from '../../server/environment.js';
import { workerMetricsAddress, workerMetricsUrl } from '../../server/worker-metrics-address.js';

describe('workerMetricsAddress', () => {
  const cases: Array<[string, 'dev' | 'worker', Record<string, string>, string | undefined]> = [
    ['dev: this machine only', 'dev', {}, '127.0.0.1:9464'],
    ['worker: every interface of its container', 'worker', {}, '0.0.0.0:9464'],
    ['set: as given', 'worker', { REGATTA_WORKER_METRICS_ADDRESS: '10.0.0.5:9100' }, '10.0.0.5:9100'],
    ['any free port', 'dev', { REGATTA_WORKER_METRICS_ADDRESS: '127.0.0.1:0' }, '127.0.0.1:0'],
    ['off', 'worker', { REGATTA_WORKER_METRICS_ADDRESS: 'off' }, undefined],
    ['empty counts as unset', 'dev', { REGATTA_WORKER_METRICS_ADDRESS: '' }, '127.0.0.1:9464'],
  ];
  for (const [name, command, env, expected] of cases) {
    it(name, () => {
      assert.equal(workerMetricsAddress(command, loadEnvironment(env)), expected);
    });
  }

  for (const value of ['9464', 'metrics:http', 'on', 'http://x:1']) {
    it(`invalid – ${value}`, () => {
      assert.throws(
        () => loadEnvironment({ REGATTA_WORKER_METRICS_ADDRESS: value }),
        /REGATTA_WORKER_METRICS_ADDRESS: must be host:port or off/,
      );
    });
  }
});

describe('workerMetricsUrl', () => {
  const cases: Array<[string, string]> = [
    ['127.0.0.1:9464', 'http://127.0.0.1:9464/metrics'],
    ['0.0.0.0:9464', 'http://127.0.0.1:9464/metrics'],
    [':9464', 'http://127.0.0.1:9464/metrics'],
    ['localhost:9100', 'http://localhost:9100/metrics'],
  ];
  for (const [address, expected] of cases) {
    it(address, () => {
      assert.equal(workerMetricsUrl(address), expected);
    });
  }
});
