import type { Request, RequestHandler } from 'express';
import type { ApiMetrics } from './api-metrics.js';

/** The route label of requests no route handled (unknown paths, refused logins): paths are not labels. */
export const unmatchedRoute = 'unmatched';

/** `2xx`, `4xx`, ...: few enough values to be a label. */
export function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

/**
 * Follows which route pattern handles `req` (e.g. `/api/v2.0/registries/:id`). Express sets
 * `req.route` when a route matches but restores `req.baseUrl` when an error leaves a router, so
 * the full pattern is taken at the moment the route is set.
 */
function routePattern(req: Request): () => string {
  let pattern = unmatchedRoute;
  let route: unknown = req.route;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set(value: unknown) {
      route = value;
      const path = (value as { path?: unknown } | undefined)?.path;
      if (typeof path === 'string') pattern = req.baseUrl + path;
    },
  });
  return () => pattern;
}

/** Counts and times every answered request by method, route pattern and status class. */
export function httpMetrics(metrics: ApiMetrics): RequestHandler {
  return (req, res, next) => {
    const stopTimer = metrics.httpRequestDuration.startTimer();
    const route = routePattern(req);
    res.on('finish', () => {
      const labels = { method: req.method, route: route(), status_class: statusClass(res.statusCode) };
      metrics.httpRequests.inc(labels);
      stopTimer(labels);
    });
    next();
  };
}
