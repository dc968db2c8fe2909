import type { RequestHandler } from 'express';
import type { CheckCredentials } from '../console/console-dependencies.js';
import { UnauthorizedError } from '../errors/access-errors.js';
import { principalOf } from './auth/principal.js';

/**
 * The console's sign-in, checked by the API's own authentication middleware: the form's
 * credentials are put in the request as the header a script would send (HTTP Basic for the
 * admin, Bearer for a token), so users, tokens and the failed-login throttling are the API's.
 */
export function consoleSignIn(authentication: RequestHandler): CheckCredentials {
  return async (req, res, credentials) => {
    req.headers.authorization =
      'token' in credentials
        ? `Bearer ${credentials.token}`
        : `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}`;
    try {
      await new Promise<void>((resolve, reject) => {
        Promise.resolve(
          authentication(req, res, (error?: unknown) => (error ? reject(error as Error) : resolve())),
        ).catch(reject);
      });
    } finally {
      delete req.headers.authorization;
      // A browser shown this header would open its own password dialog.
      res.removeHeader('WWW-Authenticate');
    }
    const principal = principalOf(res);
    if (!principal) throw new UnauthorizedError('authorization: the credentials are not valid');
    return principal;
  };
}
