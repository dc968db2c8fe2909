import type { ErrorRequestHandler } from 'express';
import type { ConsoleDependencies } from './console-dependencies.js';
import type { Session } from './session/session-store.js';
import { ErrorView } from './views/error-view.js';
import { sendPage } from './views/render.js';

/**
 * Errors of the console's pages, as pages: a page that needs a session sends the browser to
 * sign in (htmx is told to, by `HX-Redirect`); any other error is a page with the API's status for
 * it. A 5xx says nothing of its cause and is the only kind logged.
 */
export function consoleErrors({ httpStatusOf, logger }: ConsoleDependencies): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const status = httpStatusOf(error);
    if (status === 401 && req.get('hx-request')) {
      res.status(401).set('HX-Redirect', '/login').end();
      return;
    }
    if (status === 401 && req.method === 'GET') {
      res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    if (status >= 500) (req.log ?? logger).error({ err: error }, 'console request failed');
    const message =
      status >= 500 ? 'Something went wrong; the server log has the details.' : (error as Error).message;
    const session = res.locals.session as Session | undefined;
    sendPage(res, <ErrorView status={status} message={message} {...(session ? { session } : {})} />, status);
  };
}
