import { Router } from 'express';
import type { ReplicationService } from '../service/index.js';
import { pathId } from './forms/path-id.js';
import { sessionOf } from './session/console-guard.js';
import { Layout } from './views/layout.js';
import { MapRegion } from './views/map-view.js';
import { sendFragment, sendPage } from './views/render.js';
import { SiteView } from './views/site-view.js';

/** `/` (the sites map, the first page), `/map` (the map alone, for its refresh) and `/sites/:id`. */
export function mapRoutes(sites: ReplicationService['sites']): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    const map = await sites.map();
    const session = sessionOf(res);
    sendPage(
      res,
      <Layout title="Sites map" session={session} section="map">
        <MapRegion map={map} now={Date.now()} admin={session.user.role === 'admin'} />
      </Layout>,
    );
  });

  router.get('/map', async (_req, res) => {
    const admin = sessionOf(res).user.role === 'admin';
    sendFragment(res, <MapRegion map={await sites.map()} now={Date.now()} admin={admin} />);
  });

  router.get('/sites/:id', async (req, res) => {
    const { registry, site, runs } = await sites.get(pathId(req.params.id));
    sendPage(
      res,
      <Layout title={`Site ${registry.name}`} session={sessionOf(res)} section="map">
        <SiteView registry={registry} {...(site ? { site } : {})} runs={runs} now={Date.now()} />
      </Layout>,
    );
  });

  return router;
}
