import { Router } from 'express';
import { RegistryInput, RegistryPing, RegistryUpdate, parseInput, registryView } from '../policies/index.js';
import { registryListFields, type ReplicationService } from '../service/index.js';
import { requirePermission } from './auth/authenticate.js';
import { idParam } from './id-param.js';
import { parseListParams, setPageHeaders } from './list-params.js';

/** Harbor's `/registries`: list, create, get, update, delete, `POST /registries/ping` and `GET /registries/{id}/info`. */
export function registryRoutes(registries: ReplicationService['registries']): Router {
  const router = Router();
  const administer = requirePermission('administer');

  router.get('/', async (req, res) => {
    const query = parseListParams(req, registryListFields);
    const page = await registries.list(query);
    setPageHeaders(req, res, query, page.total);
    res.json(page.items.map(registryView));
  });

  router.post('/', administer, async (req, res) => {
    const created = await registries.create(parseInput(RegistryInput, req.body));
    res.status(201).location(`${req.baseUrl}/${created.id}`).end();
  });

  router.post('/ping', requirePermission('operate'), async (req, res) => {
    await registries.ping(parseInput(RegistryPing, req.body));
    res.status(200).end();
  });

  router.get('/:id', async (req, res) => {
    res.json(registryView(await registries.get(idParam(req.params.id))));
  });

  router.get('/:id/info', async (req, res) => {
    res.json(await registries.info(idParam(req.params.id)));
  });

  router.put('/:id', administer, async (req, res) => {
    await registries.update(idParam(req.params.id), parseInput(RegistryUpdate, req.body));
    res.status(200).end();
  });

  router.delete('/:id', administer, async (req, res) => {
    await registries.delete(idParam(req.params.id));
    res.status(200).end();
  });

  return router;
}
