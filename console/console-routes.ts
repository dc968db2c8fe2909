import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import type { ConsoleDependencies } from './console-dependencies.js';
import { consoleErrors } from './console-errors.js';
import { parseForm } from './forms/form-body.js';
import { driftRoutes } from './drift-routes.js';
import { loginRoutes } from './login-routes.js';
import { mapRoutes } from './map-routes.js';
import { policyRoutes } from './policy-routes.js';
import { registryRoutes } from './registry-routes.js';
import { runRoutes } from './run-routes.js';
import { requireAdminForWrites, requireSession } from './session/console-guard.js';
import { SessionStore } from './session/session-store.js';

const assets = {
  'console.css': fileURLToPath(new URL('./assets/console.css', import.meta.url)),
  'htmx.min.js': createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'),
};

/**
 * The web console, served by the API at `/`: server-rendered pages that call the replication
 * service, with htmx for the parts that refresh themselves. Only the console's own paths are
 * routed here; everything else falls through to the API's 404.
 */
export function consoleRoutes(dependencies: ConsoleDependencies): Router {
  const { service } = dependencies;
  const sessions = dependencies.sessions ?? new SessionStore();
  const router = Router();

  for (const [name, path] of Object.entries(assets)) {
    router.get(`/assets/${name}`, (_req, res) => {
      res.sendFile(path, { headers: { 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' } });
    });
  }
  router.use(loginRoutes(dependencies, sessions));

  // Every page below needs a session; writes also a CSRF token and the admin role.
  const guard = [parseForm, requireSession(sessions, service.tokens), requireAdminForWrites];
  router.all(['/', '/map'], ...guard);
  for (const prefix of ['/sites', '/registries', '/policies', '/runs', '/drift'])
    router.use(prefix, ...guard);
  router.use(mapRoutes(service.sites));
  router.use(registryRoutes(dependencies));
  router.use(policyRoutes(dependencies));
  router.use(runRoutes(dependencies));
  router.use(driftRoutes(dependencies));
  router.use(consoleErrors(dependencies));
  return router;
}
