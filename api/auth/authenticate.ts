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

/** Who failed to log in, and from where: a burst against one user at one address locks only that pair. */
function loginKey(user: string, address: string): string {
  return `${address} ${user.slice(0, 128)}`;
}

/**
 * HTTP Basic for `admin`: refused with 429 while this user at this address is locked out, so a
 * guesser cannot tell a right password from a wrong one then; every other user and address still
 * logs in.
 */
function basicPrincipal(
  credentials: string,
  address: string,
  options: AuthenticationOptions,
): Principal | undefined {
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon >= 0 ? decoded.slice(0, colon) : decoded;
  const key = loginKey(user, address);
  const wait = options.limiter.retryAfterSeconds(key);
  if (wait > 0) throw new TooManyRequestsError('too many failed logins; try again later', wait);
  // Compare the password even for another user name, so timing tells nothing.
  const passwordOk = colon >= 0 && sameSecret(decoded.slice(colon + 1), options.adminPassword);
  if (passwordOk && user === adminUser) {
    options.limiter.recordSuccess(key);
    return { name: adminUser, role: 'admin' };
  }
  options.limiter.recordFailure(key);
  return undefined;
}

/** `Bearer <API token>`: 256 random bits cannot be guessed, so failures here lock nobody out. */
async function bearerPrincipal(
  token: string,
  options: AuthenticationOptions,
): Promise<Principal | undefined> {
  if (token === '') return undefined;
  const record = await options.tokens.authenticate(token);
  return record ? { name: `token:${record.name}`, role: record.role } : undefined;
}

/**
 * HTTP Basic for `admin`, or `Bearer <API token>`; sets `res.locals.principal`. The client's
 * address is `req.ip`: the socket's, or the one a trusted proxy forwarded (Express `trust proxy`).
 */
export function authenticate(options: AuthenticationOptions): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    const [scheme = '', credentials = ''] = (header ?? '').trim().split(/\s+/, 2);
    const principal =
      scheme.toLowerCase() === 'basic'
        ? basicPrincipal(credentials, req.ip ?? 'unknown', options)
        : scheme.toLowerCase() === 'bearer'
          ? await bearerPrincipal(credentials, options)
          : undefined;
    if (!principal) {
      res.setHeader('WWW-Authenticate', 'Basic realm="regatta"');
      throw new UnauthorizedError(
        header
          ? 'authorization: the credentials are not valid'
          : 'authorization: credentials are required (HTTP Basic for admin, or Bearer <API token>)',
      );
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
