import { Router } from 'express';
import { RegistryInput, RegistryPing, RegistryUpdate, parseInput } from '../policies/index.js';
import { registryListFields, type Store } from '../store/index.js';
import { idParam } from './id-param.js';
import { parseListParams, setPageHeaders } from './list-params.js';
import { checkRegistry, pingEndpoint, type PingRegistry } from './registry-ping.js';
import { registryView } from './registry-view.js';

/** Harbor's `/registries`: list, create, get, update, delete, and `POST /registries/ping`. */
export function registryRoutes(store: Store, ping: PingRegistry): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const query = parseListParams(req, registryListFields);
    const page = await store.registries.list(query);
    setPageHeaders(req, res, query, page.total);
    res.json(page.items.map(registryView));
  });

  router.post('/', async (req, res) => {
    const created = await store.registries.create(parseInput(RegistryInput, req.body));
    res.status(201).location(`${req.baseUrl}/${created.id}`).end();
  });

  router.post('/ping', async (req, res) => {
    const body = parseInput(RegistryPing, req.body);
    await checkRegistry(ping, await pingEndpoint(body, store.registries));
    res.status(200).end();
  });

  router.get('/:id', async (req, res) => {
    res.json(registryView(await store.registries.get(idParam(req.params.id))));
  });

  router.put('/:id', async (req, res) => {
    const id = idParam(req.params.id);
    await store.registries.update(id, parseInput(RegistryUpdate, req.body));
    res.status(200).end();
  });

  router.delete('/:id', async (req, res) => {
    await store.registries.delete(idParam(req.params.id));
    res.status(200).end();
  });

  return router;
}
