import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegistryNames } from '../../worker/registry-names.js';

function store(names: Record<number, string>) {
  const reads: number[] = [];
  return {
    reads,
    get(id: number) {
      reads.push(id);
      const name = names[id];
      return name === undefined ? Promise.reject(new Error('not found')) : Promise.resolve({ name });
    },
  };
}

describe('RegistryNames', () => {
  it('reads each registry once within the cache time, again after it', async () => {
    const registries = store({ 2: 'dc-a' });
    let now = 0;
    const names = new RegistryNames(registries, 60_000, () => now);
    assert.equal(await names.nameOf(2), 'dc-a');
    assert.equal(await names.nameOf(2), 'dc-a');
    assert.deepEqual(registries.reads, [2]);
    now = 60_001;
    assert.equal(await names.nameOf(2), 'dc-a');
    assert.deepEqual(registries.reads, [2, 2]);
  });

  it('a registry the store no longer has is labelled by its id', async () => {
    assert.equal(await new RegistryNames(store({})).nameOf(7), '7');
  });
});
