import express, { Router, type Express } from 'express';
import type { Logger } from 'pino';
import { consoleRoutes } from '../console/console-routes.js';
import type { ReplicationService } from '../service/index.js';
import { adapterRoutes } from './adapter-routes.js';
import { authenticate, requireRoleForMethod } from './auth/authenticate.js';
import { LoginLimiter } from './auth/login-limiter.js';
import { consoleSignIn } from './console-sign-in.js';
import { defaultDriftWaitMs, driftRoutes } from './drift-routes.js';
import { errorMiddleware, httpStatusOf, notFoundHandler } from './error-middleware.js';
import { executionRoutes } from './execution-routes.js';
import { httpLogger } from './http-logger.js';
import { ApiMetrics } from './metrics/api-metrics.js';
import { httpMetrics } from './metrics/http-metrics.js';
import { methodNotAllowed } from './method-not-allowed.js';
import { metricsRoute } from './metrics/metrics-route.js';
import { notificationPolicyRoutes } from './notification-policy-routes.js';
import { openApiDocument } from './openapi.js';
import { policyRoutes } from './policy-routes.js';
import { registryRoutes } from './registry-routes.js';
import { systemRoutes } from './system-routes.js';
import type { TokenBucketSettings } from './token-bucket-limiter.js';
import { tokenRoutes } from './token-routes.js';
import { webhookRoutes } from './webhooks/webhook-routes.js';

export const apiBase = '/api/v2.0';

export interface AppDependencies {
  logger: Logger;
  /** What the routes call: every use case, behind one object. */
  service: ReplicationService;
  /** Whether Temporal answers now; `/readyz` reports it. */
  isTemporalReachable: () => Promise<boolean>;
  /** The password of user `admin` (HTTP Basic). */
  adminPassword: string;
  /** Failed logins of one user from one client address per minute before 429. */
  maxFailedLogins?: number;
  /**
   * Reverse proxies whose `X-Forwarded-For` names the client (Express `trust proxy`: addresses,
   * CIDRs, `loopback`, `linklocal`, `uniquelocal`, comma-separated). Unset: the socket's address.
   */
  trustedProxy?: string;
  /** What `/metrics` serves; the webhooks count into it too. A new registry unless given. */
  metrics?: ApiMetrics;
  /** Webhook deliveries one address may send (default: a burst of 1,000, then 100 a second). */
  webhookRate?: TokenBucketSettings;
  /** How long a drift GET waits for its audit before answering 202 (default 25 s). */
  driftWaitMs?: number;
  /** The worker of the same process (`regatta dev`): its metrics are appended to `/metrics`. */
  workerMetricsUrl?: string;
  /** The Temporal UI the console links runs to; the dev server's UI in the default namespace unless given. */
  temporalUi?: { url: string; namespace: string };
}

/** The Express application: health probes, Harbor's `/api/v2.0`, webhooks, metrics and the web console. */
export function createApp(dependencies: AppDependencies): Express {
  const { logger, service } = dependencies;
  const metrics = dependencies.metrics ?? new ApiMetrics();
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  if (dependencies.trustedProxy) app.set('trust proxy', dependencies.trustedProxy);
  // Browsers must take every answer as the type it says, never guess another (a JSON error as HTML).
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
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
    tokens: service.tokens,
    limiter: new LoginLimiter(dependencies.maxFailedLogins ?? 30),
  });
  // Behind the API's own authentication (any role): the labels name registries and policies.
  app.get('/metrics', authentication, metricsRoute(metrics.registry, dependencies.workerMetricsUrl));

  // Registries authenticate with their webhook secret, not as API users.
  app.use('/webhooks', webhookRoutes(service.webhooks, metrics.webhookDelivered, dependencies.webhookRate));

  const api = Router();
  api.use(systemRoutes(service));
  const document = openApiDocument();
  api.use(authentication);
  api.use(methodNotAllowed(document.paths));
  api.use(requireRoleForMethod);
  api.use(express.json({ limit: '1mb' }));
  api.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  api.use('/registries', registryRoutes(service.registries));
  api.use('/replication/policies', policyRoutes(service.policies));
  api.use('/replication/policies', driftRoutes(service.drift, dependencies.driftWaitMs));
  api.use('/replication/executions', executionRoutes(service.runs));
  api.use('/replication', adapterRoutes(service.registries));
  api.use('/tokens', tokenRoutes(service.tokens));
  api.use('/webhook', notificationPolicyRoutes(service.notifications));
  app.use(apiBase, api);

  // Browsers sign in with a form and keep a session cookie; the API above takes only headers.
  app.use(
    consoleRoutes({
      service,
      logger,
      checkCredentials: consoleSignIn(authentication),
      httpStatusOf,
      driftWaitMs: dependencies.driftWaitMs ?? defaultDriftWaitMs,
      temporalUi: dependencies.temporalUi ?? { url: 'http://localhost:8233', namespace: 'default' },
    }),
  );

  app.use(notFoundHandler);
  app.use(errorMiddleware(logger));
  return app;
}
