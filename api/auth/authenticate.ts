import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { ReplicationService, Role } from '../../service/index.js';
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

/** What a request needs: to read, to start or stop work, or to change what Regatta is set up with. */
export type Permission = 'read' | 'operate' | 'administer';

const permissionsOf: Record<Role, ReadonlySet<Permission>> = {
  viewer: new Set(['read']),
  operator: new Set(['read', 'operate']),
  admin: new Set(['read', 'operate', 'administer']),
};

const refusals: Record<Permission, string> = {
  read: 'may not read',
  operate:
    'may not start or stop work (runs, dry runs, drift audits, pings): that needs the operator or admin role',
  administer: 'may not change registries, policies or tokens: that needs the admin role',
};

/** Lets the request through when its principal's role grants `permission`; 403 otherwise. */
export function requirePermission(permission: Permission): RequestHandler {
  return (_req, res, next) => {
    const principal = principalOf(res);
    if (!principal || !permissionsOf[principal.role].has(permission)) {
      const who = principal ? `${principal.name} (${principal.role})` : 'anonymous';
      throw new ForbiddenError(`${who} ${refusals[permission]}`);
    }
    next();
  };
}

const readMethods = new Set(['GET', 'HEAD', 'OPTIONS']);
const mayRead = requirePermission('read');
const mayOperate = requirePermission('operate');

/**
 * The floor under every route: reading needs `read`, any other method at least `operate`, so a
 * viewer never writes. Routes that change the setup, or that start work on a GET, ask for more.
 */
export const requireRoleForMethod: RequestHandler = (req, res, next) => {
  (readMethods.has(req.method) ? mayRead : mayOperate)(req, res, next);
};
