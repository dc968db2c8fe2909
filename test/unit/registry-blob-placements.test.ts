import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BlobPlacements } from '../../registry/copy/blob-placements.js';

const key = 'dc-a.example:5000/p/app@sha256:aa';

describe('BlobPlacements', () => {
  it('one claim per blob and repository at a time; the others learn how it ended', async () => {
    const placements = new BlobPlacements();
    const settle = placements.claim(key)!;
    assert.ok(settle);
    assert.equal(placements.claim(key), undefined, 'held by the first');
    assert.ok(placements.claim(`${key}b`), 'another blob is free');
    const waiting = placements.placed(key);
    settle(true);
    assert.equal(await waiting, true);
    assert.equal(await placements.placed(key), undefined, 'nothing remembered once settled');
    assert.ok(placements.claim(key), 'free again');
  });

  it('a failed placement frees the blob for a waiter to place itself; settling twice does nothing', async () => {
    const placements = new BlobPlacements();
    const settle = placements.claim(key)!;
    const waiting = placements.placed(key);
    settle(false);
    settle(true);
    assert.equal(await waiting, false);
    const mine = placements.claim(key);
    assert.ok(mine);
    settle(true);
    assert.equal(placements.claim(key), undefined, 'the old settle does not free the new claim');
    mine(true);
    assert.equal(placements.size, 0);
  });

  it("a waiter's stop ends its wait (false); the holder keeps its claim", async () => {
    const placements = new BlobPlacements();
    const settle = placements.claim(key)!;
    const stop = new AbortController();
    const waiting = placements.placed(key, stop.signal);
    stop.abort();
    assert.equal(await waiting, false);
    assert.equal(await placements.placed(key, stop.signal), false, 'stopped already');
    assert.equal(placements.size, 1);
    settle(true);
    assert.equal(placements.size, 0);
  });
});
