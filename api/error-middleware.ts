import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { errorCode } from '../errors/regatta-error.js';
import { TooManyRequestsError } from './http-errors.js';

/**
 * Regatta's error codes → HTTP status, Harbor's error code and, where the error's own message
 * names internals a caller has no business seeing, the message sent instead (the error is logged).
 * Anything else is a 500 UNKNOWN.
 */
const statusOfCode: Record<string, [number, string, string?]> = {
  INVALID_INPUT: [400, 'BAD_REQUEST'],
  REGISTRY_UNHEALTHY: [400, 'BAD_REQUEST'],
  // A test notification's receiver did not accept it; the message says what it answered.
  NOTIFICATION_TEST_FAILED: [400, 'BAD_REQUEST'],
  UNAUTHORIZED: [401, 'UNAUTHORIZED'],
  FORBIDDEN: [403, 'FORBIDDEN'],
  NOT_FOUND: [404, 'NOT_FOUND'],
  METHOD_NOT_ALLOWED: [405, 'METHOD_NOT_ALLOWED'],
  CONFLICT: [409, 'CONFLICT'],
  PRECONDITION: [412, 'PRECONDITION'],
  UNSUPPORTED_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE'],
  TOO_MANY_REQUEST: [429, 'TOO_MANY_REQUEST'],
  // A registry delivering a webhook retries on 5xx: the work was not accepted, so it must.
  TEMPORAL_UNAVAILABLE: [503, 'SERVICE_UNAVAILABLE'],
  // The store is down: the same request succeeds once it is back (a webhook delivery included).
  // Its message names the database's host and user: the webhook route answers anyone.
  STORE_UNAVAILABLE: [503, 'SERVICE_UNAVAILABLE', 'the store is unavailable; try again shortly'],
  // A registry the audit needs could not be read: the message says which and why.
  DRIFT_AUDIT_FAILED: [502, 'BAD_GATEWAY'],
};

/** The HTTP status the API answers `error` with: by its code, else 500. */
export function httpStatusOf(error: unknown): number {
  return statusOfCode[errorCode(error) ?? '']?.[0] ?? 500;
}

/** Errors of express.json() carry a `type` such as `entity.parse.failed` and a 4xx `status`. */
function bodyParserStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error) || !('status' in error))
    return undefined;
  const status = Number(error.status);
  return typeof error.type === 'string' && status >= 400 && status < 500 ? status : undefined;
}

function send(res: Parameters<RequestHandler>[1], status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ code, message }] });
}

/**
 * The one place errors become responses: `code` → status and Harbor's body. Messages of 4xx are
 * written to name the field and never hold a secret; a 5xx says nothing of its cause and is
 * the only kind logged.
 */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const parserStatus = bodyParserStatus(error);
    if (parserStatus !== undefined) {
      const tooLarge = parserStatus === 413;
      send(
        res,
        tooLarge ? 413 : 400,
        'BAD_REQUEST',
        tooLarge ? 'body: is too large' : 'body: is not valid JSON',
      );
      return;
    }
    const mapped = statusOfCode[errorCode(error) ?? ''];
    if (mapped) {
      if (error instanceof TooManyRequestsError)
        res.setHeader('Retry-After', String(error.retryAfterSeconds));
      const [status, code, shown] = mapped;
      if (shown) (req.log ?? logger).warn({ err: error }, 'request failed');
      send(res, status, code, shown ?? (error as Error).message);
      return;
    }
    (req.log ?? logger).error({ err: error }, 'request failed');
    send(res, 500, 'UNKNOWN', 'internal error; see the server log for the request id');
  };
}

/** Unknown paths get Harbor's 404 body too. */
export const notFoundHandler: RequestHandler = (req, res) => {
  send(res, 404, 'NOT_FOUND', `${req.method} ${req.path} is not a route`);
};
