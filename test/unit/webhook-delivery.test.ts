import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../../errors/regatta-error.js';
import { UnauthorizedError } from '../../errors/access-errors.js';
import { StoreUnavailableError } from '../../store/store-errors.js';
import { TemporalUnavailableError } from '../../temporal/temporal-unavailable-error.js';
import { TooManyRequestsError, UnsupportedMediaTypeError } from '../../api/http-errors.js';
import { refusedDeliveryOutcome, webhookSource } from '../../api/webhooks/webhook-delivery.js';

describe('webhookSource', () => {
  const cases: Array<[string, unknown, string]> = [
    ['Distribution envelope', { events: [] }, 'distribution'],
    ['Harbor default payload', { type: 'PUSH_ARTIFACT', event_data: {} }, 'harbor'],
    ['Harbor CloudEvent', { specversion: '1.0', type: 'harbor.artifact.pushed' }, 'harbor'],
    ['other object', { hello: 'world' }, 'unknown'],
    ['no body (unparsable JSON)', undefined, 'unknown'],
    ['not an object', 'events', 'unknown'],
  ];
  for (const [name, body, expected] of cases) {
    it(name, () => {
      assert.equal(webhookSource(body), expected);
    });
  }
});

describe('refusedDeliveryOutcome', () => {
  const bodyParserError = (status: number, type: string) => Object.assign(new Error(type), { status, type });
  const cases: Array<[string, unknown, string]> = [
    ['wrong secret', new UnauthorizedError('webhook: wrong secret'), 'unauthorized'],
    ['not a notification', new InvalidInputError('body: is neither', 'body'), 'invalid'],
    ['bad JSON', bodyParserError(400, 'entity.parse.failed'), 'invalid'],
    ['too large', bodyParserError(413, 'entity.too.large'), 'invalid'],
    ['not JSON', new UnsupportedMediaTypeError('content-type: must be JSON'), 'invalid'],
    ['over the rate', new TooManyRequestsError('too many deliveries', 1), 'throttled'],
    ['Temporal did not accept', new TemporalUnavailableError('deliver again'), 'unavailable'],
    ['the store down', new StoreUnavailableError('cannot connect to PostgreSQL'), 'unavailable'],
    ['anything else', new Error('boom'), 'error'],
  ];
  for (const [name, error, expected] of cases) {
    it(name, () => {
      assert.equal(refusedDeliveryOutcome(error), expected);
    });
  }
});
