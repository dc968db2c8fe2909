import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { withDeadline } from '../../registry/index.js';

/** Timers pending in this process: a deadline that settled must not leave its own. */
const pendingTimers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

/** A request that answers only when its signal aborts, with the abort's reason. */
const hangs = (signal: AbortSignal) =>
  new Promise<never>((_, reject) =>
    signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
  );

describe('withDeadline', () => {
  const cases: Array<{
    name: string;
    request: (signal: AbortSignal) => Promise<unknown>;
    stop?: (stop: AbortController) => void;
    outcome: (settled: Promise<unknown>) => Promise<void>;
  }> = [
    {
      name: 'an answer in time is returned',
      request: async (signal) => (signal.aborted ? 'aborted' : 'answered'),
      outcome: async (settled) => assert.equal(await settled, 'answered'),
    },
    {
      name: 'no answer within the deadline aborts the request with a TimeoutError',
      request: hangs,
      outcome: (settled) => assert.rejects(settled, { name: 'TimeoutError' }),
    },
    {
      name: 'a stop aborts the request with its reason',
      request: hangs,
      stop: (stop) => setTimeout(() => stop.abort(new Error('stopped')), 5),
      outcome: (settled) => assert.rejects(settled, { message: 'stopped' }),
    },
    {
      name: 'a stop made before starts the request aborted',
      request: async (signal) => signal.reason,
      stop: (stop) => stop.abort(new Error('stopped before')),
      outcome: async (settled) => assert.equal(((await settled) as Error).message, 'stopped before'),
    },
    {
      name: 'a request that fails fails it',
      request: () => Promise.reject(new Error('refused')),
      outcome: (settled) => assert.rejects(settled, { message: 'refused' }),
    },
  ];
  it('many requests in flight on one stop raise no listener warning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const stop = new AbortController();
      await Promise.all(
        Array.from({ length: 64 }, () =>
          withDeadline(10_000, stop.signal, () => new Promise((resolve) => setTimeout(resolve, 5))),
        ),
      );
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(warnings, []);
    } finally {
      process.off('warning', onWarning);
    }
  });
  for (const { name, request, stop: stopping, outcome } of cases) {
    it(`${name}; the timer and the stop's listener go with it`, async () => {
      const stop = new AbortController();
      const before = pendingTimers();
      stopping?.(stop);
      await outcome(withDeadline(stopping ? 10_000 : 30, stop.signal, request));
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(pendingTimers(), before);
      assert.equal(getEventListeners(stop.signal, 'abort').length, 0);
    });
  }
});
