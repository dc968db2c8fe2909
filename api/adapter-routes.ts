import { Router } from 'express';
import type { ReplicationService } from '../service/index.js';

/** Harbor's `/replication/adapters` (the registry types spoken) and `/replication/adapterinfos`. */
export function adapterRoutes(registries: ReplicationService['registries']): Router {
  const router = Router();
  router.get('/adapters', (_req, res) => {
    res.json(registries.types());
  });
  router.get('/adapterinfos', (_req, res) => {
    res.json(registries.typeInfos());
  });
  return router;
}
