import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { ReplicationService } from '../../service/index.js';
import { ForbiddenError, UnauthorizedError } from '../../errors/access-errors.js';
import { TooManyRequestsError } from '../http-errors.js';
import type { LoginLimiter } from './login-limiter.js';
import { principalOf, type Principal } from './principal.js';

export const adminUser = 'admin';

export interface AuthenticationOptions {
  adminPassword: string;
  tokens: Pick<ReplicationService['tokens'], 'authenticate'>;
  limiter: LoginLimiter;
}

function sameSecret(presented: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

async function principalFromHeader(
  header: string,
  options: AuthenticationOptions,
): Promise<Principal | undefined> {
  const [scheme = '', credentials = ''] = header.trim().split(/\s+/, 2);
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    // Compare the password even for another user name, so timing tells nothing.
    const passwordOk = colon >= 0 && sameSecret(password, options.adminPassword);
    return passwordOk && user === adminUser ? { name: adminUser, role: 'admin' } : undefined;
  }
  if (scheme.toLowerCase() === 'bearer' && credentials !== '') {
    const token = await options.tokens.authenticate(credentials);
    return token ? { name: `token:${token.name}`, role: token.role } : undefined;
  }
  return undefined;
}

/** HTTP Basic for `admin`, or `Bearer <API token>`; sets `res.locals.principal`. */
export function authenticate(options: AuthenticationOptions): RequestHandler {
  return async (req, res, next) => {
    const address = req.socket.remoteAddress ?? 'unknown';
    const wait = options.limiter.retryAfterSeconds(address);
    if (wait > 0) throw new TooManyRequestsError('too many failed logins; try again later', wait);
    const header = req.headers.authorization;
    if (!header) {
      res.setHeader('WWW-Authenticate', 'Basic realm="regatta"');
      throw new UnauthorizedError(
        'authorization: credentials are required (HTTP Basic for admin, or Bearer <API token>)',
      );
    }
    const principal = await principalFromHeader(header, options);
    if (!principal) {
      options.limiter.recordFailure(address);
      res.setHeader('WWW-Authenticate', 'Basic realm="regatta"');
      throw new UnauthorizedError('authorization: the credentials are not valid');
    }
    res.locals.principal = principal;
    next();
  };
}

const readMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `viewer` may read; everything else needs `admin`. */
export const requireRoleForMethod: RequestHandler = (req, res, next) => {
  const principal = principalOf(res);
  if (principal?.role !== 'admin' && !readMethods.has(req.method)) {
    throw new ForbiddenError(`${principal?.name ?? 'anonymous'} (viewer) may only read`);
  }
  next();
};

export const requireAdmin: RequestHandler = (_req, res, next) => {
  const principal = principalOf(res);
  if (principal?.role !== 'admin')
    throw new ForbiddenError(`${principal?.name ?? 'anonymous'} is not an admin`);
  next();
};
