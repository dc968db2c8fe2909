import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createStoreRegistryClients } from '../../activities/store-registry-clients.js';
import type { StoredRegistry } from '../../policies/index.js';
import { RegistryAllowList } from '../../registry/index.js';
import type { Store } from '../../store/index.js';

const registry = (name: string, updateTime: string): StoredRegistry => ({
  id: 2,
  name,
  url: 'http://127.0.0.1:5000',
  insecure: false,
  ca_certificate: null,
  credential: { type: 'basic', access_key: 'robot', access_secret: 'secret-value' },
  type: 'docker-registry',
  description: '',
  webhook_secret: null,
  creation_time: '2026-11-28T13:00:00Z',
  update_time: updateTime,
});

/** A store that serves one registry and counts how often it is read. */
function storeOf(current: { registry: StoredRegistry }) {
  const reads = { count: 0 };
  const store = {
    registries: {
      async getWithSecrets() {
        reads.count++;
        return current.registry;
      },
    },
  } as unknown as Store;
  return { store, reads };
}

describe('store registry clients', () => {
  it('clients – one per registry, kept while the registry is unchanged, a new one after an edit', async () => {
    const current = { registry: registry('dc-a', 't1') };
    const { store } = storeOf(current);
    const clients = createStoreRegistryClients(store, {});
    try {
      const first = await clients.get(2);
      assert.equal(await clients.get(2), first);
      current.registry = registry('dc-a', 't2');
      assert.notEqual(await clients.get(2), first);
    } finally {
      await clients.close();
    }
  });

  it('names – for metric labels, from the last read and without reading again; the id before any', async () => {
    const current = { registry: registry('dc-a', 't1') };
    const { store, reads } = storeOf(current);
    const clients = createStoreRegistryClients(store, {});
    try {
      assert.equal(clients.nameOf(2), '2');
      await clients.get(2);
      assert.equal(clients.nameOf(2), 'dc-a');
      current.registry = registry('dc-a-renamed', 't2');
      await clients.get(2);
      const before = reads.count;
      assert.equal(clients.nameOf(2), 'dc-a-renamed');
      assert.equal(reads.count, before);
    } finally {
      await clients.close();
    }
  });

  it('rules – a registry outside the allow-list or a Docker config without the folder: no client', async () => {
    const outside = createStoreRegistryClients(storeOf({ registry: registry('dc-a', 't1') }).store, {
      allow: RegistryAllowList.parse('registry.example, 10.0.0.0/8'),
    });
    const dockerConfig = {
      ...registry('dc-b', 't1'),
      credential: { type: 'docker_config' as const, config_path: 'config.json' },
    };
    const noFolder = createStoreRegistryClients(storeOf({ registry: dockerConfig }).store, {});
    try {
      await assert.rejects(outside.get(2), { code: 'REGISTRY_NOT_ALLOWED', retryable: false });
      await assert.rejects(noFolder.get(2), { code: 'INVALID_INPUT', field: 'credential.config_path' });
    } finally {
      await outside.close();
      await noFolder.close();
    }
  });
});
