import type { RequestHandler } from 'express';
import { MethodNotAllowedError } from './http-errors.js';

const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const templated = (path: string) => (path.match(/\{/g) ?? []).length;

/**
 * Before the routes: a path of the OpenAPI document asked with a method the document does not
 * list for it is answered 405 with `Allow` (the document's methods); the most literal path wins,
 * so `PUT /registries/ping` is not taken for `/registries/{id}`. Other paths go on to the routes,
 * and to 404.
 */
export function methodNotAllowed(paths: Record<string, object>): RequestHandler {
  const known = Object.entries(paths)
    .sort(([a], [b]) => templated(a) - templated(b))
    .map(([path, operations]) => ({
      pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
      allowed: methods.filter((method) => method in operations).map((method) => method.toUpperCase()),
    }));
  return (req, res, next) => {
    const route = known.find(({ pattern }) => pattern.test(req.path));
    if (!route || route.allowed.includes(req.method)) {
      next();
      return;
    }
    const allow = route.allowed.join(', ');
    res.setHeader('Allow', allow);
    throw new MethodNotAllowedError(`${req.method} ${req.baseUrl}${req.path}: allowed are ${allow}`);
  };
}
