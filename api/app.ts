import express, { type Express } from 'express';
import type { Logger } from 'pino';

export interface AppDependencies {
  logger: Logger;
  /** Whether Temporal answers now; `/readyz` reports it. */
  isTemporalReachable: () => Promise<boolean>;
}

/** The Express application: health probes now, Harbor's `/api/v2.0` routes beside them. */
export function createApp({ isTemporalReachable }: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const temporal = await isTemporalReachable();
    res.status(temporal ? 200 : 503).json({ status: temporal ? 'ready' : 'not ready', temporal });
  });

  return app;
}
