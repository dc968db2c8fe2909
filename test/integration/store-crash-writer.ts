// Child process of store-crash.test.ts: writes to the store in a loop until it is killed.
import { createLogger } from '../../server/logger.js';
import { openStore } from '../../store/index.js';

const [dataDir, label = 'writer', databaseUrl] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: store-crash-writer.ts DATA_DIR [LABEL [DATABASE_URL]]');

const store = await openStore({
  dataDir,
  databaseUrl,
  secretKey: 'crash-test-passphrase',
  logger: createLogger({ level: 'silent' }),
});
const deadline = Date.now() + 60_000;
for (let round = 0; round < 100_000 && Date.now() < deadline; round += 1) {
  const registry = await store.registries.create({
    name: `${label}-${round}`,
    url: `http://${label}-${round}.example`,
    credential: { type: 'basic', access_key: 'robot', access_secret: `secret-${label}-${round}` },
  });
  await store.policies.create({
    name: `${label}-policy-${round}`,
    // Large rows (the longest description and 16 filters): a torn write would show.
    description: 'x'.repeat(1024),
    src_registry_id: registry.id,
    dest_registry_ids: [registry.id],
    dest_namespace: '',
    dest_namespace_replace_count: -1,
    trigger: { type: 'manual' },
    filters: Array.from({ length: 16 }, (_, index) => ({
      type: 'name' as const,
      value: `${index}/${'x'.repeat(60)}`,
    })),
    replicate_deletion: false,
    override: true,
    enabled: true,
    speed: -1,
    copy_by_chunk: false,
    single_active_replication: false,
    replicate_referrers: false,
  });
  await store.registries.update(registry.id, { description: `round ${round}` });
  await store.executions.create({ policyId: round, workflowId: `${label}/${round}`, trigger: 'manual' });
  process.stdout.write(`${round}\n`);
}
await store.close();
