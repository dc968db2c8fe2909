import { Router } from 'express';
import {
  ReplicationPolicyInput,
  parseInput,
  registryView,
  replicationPolicyView,
  type StoredPolicy,
  type StoredRegistry,
} from '../policies/index.js';
import { policyListFields, type ReplicationService } from '../service/index.js';
import { requirePermission } from './auth/authenticate.js';
import { idParam } from './id-param.js';
import { parseListParams, setPageHeaders } from './list-params.js';

/** Harbor's views of policies: the registries embedded, secrets masked. */
function views(policies: readonly StoredPolicy[], registries: ReadonlyMap<number, StoredRegistry>) {
  const shown = new Map([...registries].map(([id, registry]) => [id, registryView(registry)]));
  return policies.map((policy) => replicationPolicyView(policy, shown));
}

/** Harbor's `/replication/policies`; a scheduled policy's schedule is kept in step by the service. */
export function policyRoutes(policies: ReplicationService['policies']): Router {
  const router = Router();
  const administer = requirePermission('administer');

  router.get('/', async (req, res) => {
    const query = parseListParams(req, policyListFields);
    const { policies: page, registries } = await policies.list(query);
    setPageHeaders(req, res, query, page.total);
    res.json(views(page.items, registries));
  });

  router.post('/', administer, async (req, res) => {
    const created = await policies.create(parseInput(ReplicationPolicyInput, req.body));
    res.status(201).location(`${req.baseUrl}/${created.id}`).end();
  });

  router.get('/:id', async (req, res) => {
    const { policies: policy, registries } = await policies.get(idParam(req.params.id));
    res.json(views([policy], registries)[0]);
  });

  router.put('/:id', administer, async (req, res) => {
    await policies.update(idParam(req.params.id), parseInput(ReplicationPolicyInput, req.body));
    res.status(200).end();
  });

  router.delete('/:id', administer, async (req, res) => {
    await policies.delete(idParam(req.params.id));
    res.status(200).end();
  });

  return router;
}
