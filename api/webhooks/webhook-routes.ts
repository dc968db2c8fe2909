import express, { Router, type ErrorRequestHandler } from 'express';
import type { ReplicationService } from '../../service/index.js';
import { idParam } from '../id-param.js';
import { parseWebhookBody } from './parse-webhook-body.js';
import { refusedDeliveryOutcome, webhookSource, type RecordDelivery } from './webhook-delivery.js';

/** A delivery larger than this is refused (413) before it is parsed. */
const maxBodyBytes = 1024 * 1024;

/** The secret as Distribution's `headers` or Harbor's `auth_header` send it: bare or as a bearer token. */
function presentedSecret(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  return authorization.replace(/^Bearer\s+/i, '');
}

/**
 * `POST /webhooks/registries/{id}`: registry notifications in, durable runs out. The answer is
 * 2xx only once Temporal has accepted every run the delivery needs (the service's `deliver`), so
 * the registry delivers again whatever was not. Every delivery is counted by `recordDelivery`,
 * with how it ended.
 */
export function webhookRoutes(
  webhooks: ReplicationService['webhooks'],
  recordDelivery: RecordDelivery,
): Router {
  const router = Router();
  router.post(
    '/registries/:id',
    express.json({ limit: maxBodyBytes, type: () => true, strict: true }),
    async (req, res) => {
      const registryId = idParam(req.params.id);
      await webhooks.authenticate(registryId, presentedSecret(req.headers.authorization));
      const delivery = await webhooks.deliver(registryId, parseWebhookBody(req.body));
      recordDelivery(webhookSource(req.body), delivery.outcome);
      res.status(delivery.outcome === 'ignored' ? 202 : 200).json({ runs: delivery.runs });
    },
  );
  // Refused deliveries (a bad secret or body, Temporal unavailable) are counted, then answered as usual.
  const countRefusal: ErrorRequestHandler = (error, req, _res, next) => {
    recordDelivery(webhookSource(req.body), refusedDeliveryOutcome(error));
    next(error);
  };
  router.use(countRefusal);
  return router;
}
