import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateBudget, readRateLimit, RegistryRateLimitedError } from '../../registry/index.js';

describe('readRateLimit', () => {
  const cases: Array<[string, Record<string, string>, ReturnType<typeof readRateLimit>]> = [
    [
      "Docker Hub's headers",
      { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '76;w=21600' },
      { limit: 100, remaining: 76, windowSeconds: 21_600 },
    ],
    [
      'the IETF draft with a reset',
      { 'ratelimit-limit': '10', 'ratelimit-remaining': '0', 'ratelimit-reset': '30' },
      { limit: 10, remaining: 0, resetSeconds: 30 },
    ],
    ['spaces', { 'ratelimit-remaining': ' 5 ; w = 60' }, { remaining: 5, windowSeconds: 60 }],
    ['none', { 'content-type': 'application/json' }, undefined],
    ['unreadable', { 'ratelimit-remaining': 'many' }, undefined],
  ];
  for (const [title, headers, expected] of cases) {
    it(`reads – ${title}`, () => assert.deepEqual(readRateLimit(headers), expected));
  }
});

/** A budget on a clock the test moves. */
function budgetAt(start = Date.parse('2026-11-29T12:00:00Z')) {
  const clock = { now: start };
  return { clock, budget: new RateBudget({ now: () => clock.now }) };
}

const limited = (resumeAt: string) => (error: unknown) =>
  error instanceof RegistryRateLimitedError &&
  error.code === 'REGISTRY_RATE_LIMITED' &&
  error.retryable &&
  error.resumeAt === resumeAt;

describe('RateBudget', () => {
  it('admits – while the registry says enough is left', async () => {
    const { budget } = budgetAt();
    budget.observe({ 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '50;w=21600' });
    await budget.admit('registry-1.docker.io');
    assert.equal(budget.resumeAt, undefined);
  });

  it('closes – at the reserve (5 %), until a tenth of the window has refilled', async () => {
    const { clock, budget } = budgetAt();
    budget.observe({ 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '5;w=21600' });
    // reserve 5 + 10 wanted - 5 left = 10 requests at 216 s each.
    const resumeAt = new Date(clock.now + 10 * 216_000).toISOString();
    assert.equal(budget.resumeAt, resumeAt);
    await assert.rejects(budget.admit('registry-1.docker.io'), limited(resumeAt));
    // What the registry does not count (a blob, a HEAD) goes on: the copy that spent the last pull ends.
    await budget.admit('registry-1.docker.io', undefined, false);
    clock.now += 10 * 216_000;
    await budget.admit('registry-1.docker.io');
  });

  it('opens – again as soon as the registry says enough is left (its window refilled)', async () => {
    const { budget } = budgetAt();
    budget.observe({ 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '5;w=21600' });
    assert.ok(budget.resumeAt);
    budget.observe({ 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '100;w=21600' });
    assert.equal(budget.resumeAt, undefined);
    await budget.admit('registry-1.docker.io');
  });

  it('closes – until the reset when the registry says it', () => {
    const { clock, budget } = budgetAt();
    budget.observe({ 'ratelimit-limit': '10', 'ratelimit-remaining': '0', 'ratelimit-reset': '30' });
    assert.equal(budget.resumeAt, new Date(clock.now + 30_000).toISOString());
  });

  it('counts – requests sent between answers against what is left', async () => {
    const { budget } = budgetAt();
    budget.observe({ 'ratelimit-limit': '100;w=100', 'ratelimit-remaining': '7;w=100' });
    await budget.admit('r');
    await budget.admit('r');
    // 5 left now: at the reserve, the next answer that says so closes it.
    budget.observe({ 'ratelimit-remaining': '5;w=100' });
    await assert.rejects(budget.admit('r'), RegistryRateLimitedError);
  });

  it('429 – a short Retry-After is waited out in the request', () => {
    const { budget } = budgetAt();
    assert.doesNotThrow(() => budget.tooManyRequests('r', 2_000, false));
    assert.equal(budget.resumeAt, undefined);
  });

  it('429 – a long Retry-After fails fast and closes the budget for every request', async () => {
    const { clock, budget } = budgetAt();
    const resumeAt = new Date(clock.now + 3_600_000).toISOString();
    assert.throws(() => budget.tooManyRequests('r', 3_600_000, false), limited(resumeAt));
    await assert.rejects(budget.admit('r'), limited(resumeAt));
  });

  it('429 – the last try fails with a time to resume even without Retry-After', () => {
    const { clock, budget } = budgetAt();
    budget.observe({ 'ratelimit-limit': '60;w=60' });
    assert.throws(
      () => budget.tooManyRequests('r', undefined, true),
      limited(new Date(clock.now + 1_000).toISOString()),
    );
  });

  it('waits – a short closure is slept through, not failed', async () => {
    const budget = new RateBudget({ shortWaitMs: 1_000 });
    budget.observe({ 'ratelimit-limit': '100', 'ratelimit-remaining': '0', 'ratelimit-reset': '0' });
    assert.doesNotThrow(() => budget.tooManyRequests('r', 200, false));
    const started = Date.now();
    budget.observe({ 'ratelimit-remaining': '0', 'ratelimit-reset': '1' });
    await budget.admit('r');
    assert.ok(Date.now() - started >= 900);
  });
});
