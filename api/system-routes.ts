import { Router } from 'express';
import type { ReplicationService } from '../service/index.js';

/** Harbor's anonymous `GET /ping` (the API is up) and `GET /systeminfo`. */
export function systemRoutes(service: Pick<ReplicationService, 'systemInfo'>): Router {
  const router = Router();
  router.get('/ping', (_req, res) => {
    res.type('text/plain').send('Pong');
  });
  router.get('/systeminfo', (_req, res) => {
    res.json(service.systemInfo());
  });
  return router;
}
