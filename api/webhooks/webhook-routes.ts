import express, { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import type { ReplicationService } from '../../service/index.js';
import { TooManyRequestsError, UnsupportedMediaTypeError } from '../http-errors.js';
import { idParam } from '../id-param.js';
import { TokenBucketLimiter, type TokenBucketSettings } from '../token-bucket-limiter.js';
import { parseWebhookBody } from './parse-webhook-body.js';
import { refusedDeliveryOutcome, webhookSource, type RecordDelivery } from './webhook-delivery.js';

/** A delivery larger than this is refused (413) before it is parsed. */
const maxBodyBytes = 1024 * 1024;

/**
 * Deliveries one address may send: a burst of 1,000 (a CI pushing many images at once), then 100
 * a second. Registries deliver again after a 429 (Distribution backs off, Harbor's job service
 * retries), so a registry over the rate is slowed, never loses an event.
 */
export const defaultWebhookRate: TokenBucketSettings = { burst: 1000, perSecond: 100 };

/**
 * JSON in any of the types registries send it as: `application/json`, and every `+json` type
 * (Distribution's `application/vnd.docker.distribution.events.v1+json` and `v2+json`,
 * `application/cloudevents+json`).
 */
const jsonTypes = ['application/json', '+json'];

/** The secret as Distribution's `headers` or Harbor's `auth_header` send it: bare or as a bearer token. */
function presentedSecret(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  return authorization.replace(/^Bearer\s+/i, '');
}

/**
 * `POST /webhooks/registries/{id}`: registry notifications in, durable runs out. Before a byte of
 * the body is read, a delivery must be within its address's rate (429 with Retry-After), carry
 * the registry's secret (401) and be JSON (415). The answer is 2xx only once Temporal has
 * accepted every run the delivery needs (the service's `deliver`), so the registry delivers again
 * whatever was not. Every delivery is counted by `recordDelivery`, with how it ended.
 */
export function webhookRoutes(
  webhooks: ReplicationService['webhooks'],
  recordDelivery: RecordDelivery,
  rate: TokenBucketSettings = defaultWebhookRate,
): Router {
  const router = Router();
  const limiter = new TokenBucketLimiter(rate);

  const withinRate: RequestHandler = (req, _res, next) => {
    const wait = limiter.take(req.ip ?? 'unknown');
    if (wait > 0)
      throw new TooManyRequestsError('too many deliveries from this address; try again later', wait);
    next();
  };
  const fromRegistry: RequestHandler = async (req, _res, next) => {
    await webhooks.authenticate(idParam(req.params.id), presentedSecret(req.headers.authorization));
    if (req.is(jsonTypes) === false) {
      throw new UnsupportedMediaTypeError(`content-type: must be JSON (${jsonTypes.join(' or ')})`);
    }
    next();
  };

  router.post(
    '/registries/:id',
    withinRate,
    fromRegistry,
    express.json({ limit: maxBodyBytes, type: () => true, strict: true }),
    async (req, res) => {
      const delivery = await webhooks.deliver(idParam(req.params.id), parseWebhookBody(req.body));
      recordDelivery(webhookSource(req.body), delivery.outcome);
      res.status(delivery.outcome === 'ignored' ? 202 : 200).json({ runs: delivery.runs });
    },
  );
  // Refused deliveries are counted, then answered as usual. A refusal made before the body was
  // read closes the connection, so the rest of the body is never read either.
  const countRefusal: ErrorRequestHandler = (error, req, res, next) => {
    recordDelivery(webhookSource(req.body), refusedDeliveryOutcome(error));
    if (!req.complete) res.setHeader('Connection', 'close');
    next(error);
  };
  router.use(countRefusal);
  return router;
}
