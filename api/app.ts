import express, { Router, type Express } from 'express';
import type { Logger } from 'pino';
import type { Store } from '../store/index.js';
import { authenticate, requireRoleForMethod } from './auth/authenticate.js';
import { LoginLimiter } from './auth/login-limiter.js';
import { errorMiddleware, notFoundHandler } from './error-middleware.js';
import { httpLogger } from './http-logger.js';
import { ApiMetrics } from './metrics/api-metrics.js';
import { httpMetrics } from './metrics/http-metrics.js';
import { metricsRoute } from './metrics/metrics-route.js';
import { openApiDocument } from './openapi.js';
import { policyRoutes, type PolicyHooks } from './policy-routes.js';
import { pingWithClient, type PingRegistry } from './registry-ping.js';
import { registryRoutes } from './registry-routes.js';
import { tokenRoutes } from './token-routes.js';

export const apiBase = '/api/v2.0';

export interface MountedRoute {
  path: string;
  router: Router;
}

export interface AppDependencies {
  logger: Logger;
  /** Whether Temporal answers now; `/readyz` reports it. */
  isTemporalReachable: () => Promise<boolean>;
  store: Store;
  /** The password of user `admin` (HTTP Basic). */
  adminPassword: string;
  /** `POST /registries/ping`; the registry client's `GET /v2/` unless replaced. */
  pingRegistry?: PingRegistry;
  policyHooks?: PolicyHooks;
  /** More routes under `/api/v2.0`, behind authentication, roles and JSON parsing (e.g. `/replication/executions`). */
  apiRoutes?: MountedRoute[];
  /** Routes at their own absolute path, without user authentication (e.g. `/webhooks`). */
  publicRoutes?: MountedRoute[];
  /** Paths of `apiRoutes` for the OpenAPI document. */
  openApiPaths?: Record<string, unknown>;
  /** Failed logins per client address and minute before 429. */
  maxFailedLogins?: number;
  /** What `/metrics` serves; the webhooks count into it too. A new registry unless given. */
  metrics?: ApiMetrics;
  /** The worker of the same process (`regatta dev`): its metrics are appended to `/metrics`. */
  workerMetricsUrl?: string;
}

/** The Express application: health probes, Harbor's `/api/v2.0`, and the routes others add. */
export function createApp(dependencies: AppDependencies): Express {
  const { logger, store } = dependencies;
  const metrics = dependencies.metrics ?? new ApiMetrics();
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(httpLogger(logger));
  app.use(httpMetrics(metrics));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const temporal = await dependencies.isTemporalReachable();
    res.status(temporal ? 200 : 503).json({ status: temporal ? 'ready' : 'not ready', temporal });
  });

  const authentication = authenticate({
    adminPassword: dependencies.adminPassword,
    tokens: store.tokens,
    limiter: new LoginLimiter(dependencies.maxFailedLogins ?? 30),
  });
  // Behind the API's own authentication (any role): the labels name registries and policies.
  app.get('/metrics', authentication, metricsRoute(metrics.registry, dependencies.workerMetricsUrl));

  for (const route of dependencies.publicRoutes ?? []) app.use(route.path, route.router);

  const api = Router();
  api.use(authentication);
  api.use(requireRoleForMethod);
  api.use(express.json({ limit: '1mb' }));
  const document = openApiDocument(dependencies.openApiPaths);
  api.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  api.use('/registries', registryRoutes(store, dependencies.pingRegistry ?? pingWithClient));
  api.use('/replication/policies', policyRoutes(store, dependencies.policyHooks));
  api.use('/tokens', tokenRoutes(store));
  for (const route of dependencies.apiRoutes ?? []) api.use(route.path, route.router);
  app.use(apiBase, api);

  app.use(notFoundHandler);
  app.use(errorMiddleware(logger));
  return app;
}
