import { Router } from 'express';
import {
  ReplicationPolicyInput,
  parseInput,
  policyDefinitionFromInput,
  replicationPolicyView,
  type ReplicationPolicy,
  type StoredPolicy,
} from '../policies/index.js';
import { policyListFields, type Store } from '../store/index.js';
import { idParam } from './id-param.js';
import { parseListParams, setPageHeaders } from './list-params.js';
import { registryView } from './registry-view.js';

/** What else must happen when policies change (schedules in Temporal); a hook that throws fails the request. */
export interface PolicyHooks {
  saved?(policy: StoredPolicy): Promise<void>;
  /** Before the delete: throw a PreconditionError to refuse it (e.g. a run is in progress). */
  deleting?(policy: StoredPolicy): Promise<void>;
  deleted?(policy: StoredPolicy): Promise<void>;
}

async function views(store: Store, policies: StoredPolicy[]): Promise<ReplicationPolicy[]> {
  const ids = new Set(policies.flatMap((policy) => [policy.src_registry_id, ...policy.dest_registry_ids]));
  const records = await store.registries.byIds([...ids]);
  const registries = new Map([...records].map(([id, record]) => [id, registryView(record)]));
  return policies.map((policy) => replicationPolicyView(policy, registries));
}

/** Harbor's `/replication/policies`; responses embed the registries, secrets masked. */
export function policyRoutes(store: Store, hooks: PolicyHooks = {}): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const query = parseListParams(req, policyListFields);
    const page = await store.policies.list(query);
    setPageHeaders(req, res, query, page.total);
    res.json(await views(store, page.items));
  });

  router.post('/', async (req, res) => {
    const definition = policyDefinitionFromInput(parseInput(ReplicationPolicyInput, req.body));
    const created = await store.policies.create(definition);
    await hooks.saved?.(created);
    res.status(201).location(`${req.baseUrl}/${created.id}`).end();
  });

  router.get('/:id', async (req, res) => {
    const [view] = await views(store, [await store.policies.get(idParam(req.params.id))]);
    res.json(view);
  });

  router.put('/:id', async (req, res) => {
    const id = idParam(req.params.id);
    const definition = policyDefinitionFromInput(parseInput(ReplicationPolicyInput, req.body));
    const updated = await store.policies.update(id, definition);
    await hooks.saved?.(updated);
    res.status(200).end();
  });

  router.delete('/:id', async (req, res) => {
    const policy = await store.policies.get(idParam(req.params.id));
    await hooks.deleting?.(policy);
    await store.policies.delete(policy.id);
    await hooks.deleted?.(policy);
    res.status(200).end();
  });

  return router;
}
