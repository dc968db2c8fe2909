import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as turnOfTheLoop } from 'node:timers/promises';
import { CopyRamp } from '../../activities/copy-ramp.js';

/** Copies that take their turns in order; `started` lists the ones whose turn came. */
function copies(ramp: CopyRamp, count: number) {
  const started: number[] = [];
  const going: Array<Promise<() => void>> = [];
  for (let index = 0; index < count; index++)
    going.push(
      ramp.turn().then((go) => {
        started.push(index);
        return go;
      }),
    );
  return { started, going };
}

/** A few turns of the event loop: long enough for any promise that could settle to settle. */
async function settled(): Promise<void> {
  for (let index = 0; index < 5; index++) await turnOfTheLoop();
}

describe('CopyRamp – copies start one after another', () => {
  it('each starts once the one before it moves bytes or ends, in order', async () => {
    const ramp = new CopyRamp(60_000);
    const { started, going } = copies(ramp, 4);
    await settled();
    assert.deepEqual(started, [0], 'the first starts at once, the others wait');
    (await going[0]!)();
    await settled();
    assert.deepEqual(started, [0, 1], 'the first moved bytes: the second starts');
    const second = await going[1]!;
    second();
    second();
    await settled();
    assert.deepEqual(started, [0, 1, 2], 'told twice, it lets one more start, not two');
    (await going[2]!)();
    await going[3];
    assert.deepEqual(started, [0, 1, 2, 3]);
  });

  // Bounded: a step that never ends would otherwise hang the suite rather than fail it.
  it('one that never moves bytes holds the next for its step only', { timeout: 10_000 }, async () => {
    const ramp = new CopyRamp(20);
    const { started, going } = copies(ramp, 3);
    await going[2];
    assert.deepEqual(started, [0, 1, 2]);
  });

  it('one ending without bytes lets the next start', async () => {
    const ramp = new CopyRamp(60_000);
    const { started, going } = copies(ramp, 2);
    (await going[0]!)();
    await going[1];
    assert.deepEqual(started, [0, 1]);
  });
});
