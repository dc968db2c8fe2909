import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { eachOnce } from '../../activities/registry-clients.js';
import { createStoreRegistryClients, poolOf } from '../../activities/store-registry-clients.js';
import { errorCode } from '../../errors/regatta-error.js';
import type { StoredRegistry } from '../../policies/index.js';
import { RegistryAllowList } from '../../registry/index.js';
import type { Store } from '../../store/index.js';

const settings = { poolSize: 40, stallTimeoutMs: 120_000 };

const registry = (name: string, updateTime: string, url = 'http://127.0.0.1:5000'): StoredRegistry => ({
  id: 2,
  name,
  url,
  insecure: false,
  ca_certificate: null,
  credential: { type: 'basic', access_key: 'robot', access_secret: 'secret-value' },
  type: 'docker-registry',
  description: '',
  webhook_secret: null,
  max_connections: null,
  max_requests_in_flight: null,
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
    const clients = createStoreRegistryClients(store, {}, settings);
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
    const clients = createStoreRegistryClients(store, {}, settings);
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
    const outside = createStoreRegistryClients(
      storeOf({ registry: registry('dc-a', 't1') }).store,
      {
        allow: RegistryAllowList.parse('registry.example, 10.0.0.0/8'),
      },
      settings,
    );
    const dockerConfig = {
      ...registry('dc-b', 't1'),
      credential: { type: 'docker_config' as const, config_path: 'config.json' },
    };
    const noFolder = createStoreRegistryClients(storeOf({ registry: dockerConfig }).store, {}, settings);
    try {
      await assert.rejects(outside.get(2), { code: 'REGISTRY_NOT_ALLOWED', retryable: false });
      await assert.rejects(noFolder.get(2), { code: 'INVALID_INPUT', field: 'credential.config_path' });
    } finally {
      await outside.close();
      await noFolder.close();
    }
  });

  it('once each – an activity reads each registry from the store once, and again after a failed read', async () => {
    const current = { registry: registry('dc-a', 't1') };
    const { store, reads } = storeOf(current);
    const clients = createStoreRegistryClients(store, {}, settings);
    try {
      const batch = eachOnce(clients);
      const [first, second] = await Promise.all([batch.get(2), batch.get(2)]);
      assert.equal(first, second);
      await batch.get(2);
      assert.equal(reads.count, 1);
      // The next activity reads again: an edit made meanwhile reaches it.
      await eachOnce(clients).get(2);
      assert.equal(reads.count, 2);

      let fail = true;
      const flaky = eachOnce({
        ...clients,
        get: (id) => (fail ? Promise.reject(new Error('store unavailable')) : clients.get(id)),
      });
      await assert.rejects(flaky.get(2), /store unavailable/);
      fail = false;
      assert.equal(await flaky.get(2), first);
    } finally {
      await clients.close();
    }
  });

  it('limits – one limiter per registry: a request on the client made after an edit waits for the old one', async () => {
    // A registry that starts a blob's body and sends the rest only when told: a request in flight.
    let finishBlob: (() => void) | undefined;
    const server = createServer((request, response) => {
      if (!request.url?.includes('/blobs/')) {
        response.writeHead(200).end('{}');
        return;
      }
      response.writeHead(200, { 'content-length': String(2 << 20) });
      // More than the client buffers, so the unread body holds its connection without timing out.
      response.write(Buffer.alloc(1 << 20));
      finishBlob = () => response.end(Buffer.alloc(1 << 20));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const current = { registry: { ...registry('dc-a', 't1', url), max_requests_in_flight: 1 } };
    const { store } = storeOf(current);
    const clients = createStoreRegistryClients(store, {}, { poolSize: 40, stallTimeoutMs: 300 });
    try {
      const before = await clients.get(2);
      const held = await before.getBlob('app/x', `sha256:${'a'.repeat(64)}`);
      current.registry = { ...current.registry, description: 'edited', update_time: 't2' };
      const after = await clients.get(2);
      assert.notEqual(after, before);
      const started = Date.now();
      await assert.rejects(after.ping(), (error: unknown) => errorCode(error) === 'REGISTRY_POOL_TIMEOUT');
      assert.ok(Date.now() - started >= 250, `waited ${Date.now() - started} ms for a connection`);
      finishBlob!();
      for await (const piece of held.stream) assert.ok(piece);
      await after.ping();
    } finally {
      server.closeAllConnections();
      server.close();
      await clients.close();
    }
  });
});

describe('poolOf', () => {
  const cases: Array<[string, Parameters<typeof poolOf>[0], { connections: number; permits: number }]> = [
    [
      'no limits: the worker pool',
      { max_connections: null, max_requests_in_flight: null },
      { connections: 40, permits: 40 },
    ],
    [
      'fewer connections',
      { max_connections: 4, max_requests_in_flight: null },
      { connections: 4, permits: 4 },
    ],
    [
      'fewer requests in flight',
      { max_connections: null, max_requests_in_flight: 2 },
      { connections: 40, permits: 2 },
    ],
    [
      'requests above connections: the connections hold',
      { max_connections: 3, max_requests_in_flight: 10 },
      { connections: 3, permits: 3 },
    ],
    [
      'limits above the pool: the pool holds',
      { max_connections: 100, max_requests_in_flight: 100 },
      { connections: 40, permits: 40 },
    ],
  ];
  for (const [name, limits, expected] of cases)
    it(name, () => assert.deepEqual(poolOf(limits, 40), expected));
});
