import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { ForbiddenError, UnauthorizedError } from '../../errors/access-errors.js';
import type { ReplicationService } from '../../service/index.js';
import { sessionIdOf } from './session-cookie.js';
import type { Session, SessionStore } from './session-store.js';

export const csrfField = '_csrf';
export const csrfHeader = 'x-csrf-token';

const safeMethods = new Set(['GET', 'HEAD']);

export function sessionOf(res: Response): Session {
  return res.locals.session as Session;
}

function sameToken(presented: unknown, expected: string): boolean {
  if (typeof presented !== 'string') return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * An `Origin` header (every browser sends one on a POST) must name this server: the host the
 * request was sent to, as a proxy in front forwards it (`X-Forwarded-Host`) or as it arrived.
 */
export function sameOrigin(req: Request): boolean {
  const origin = req.get('origin');
  if (origin === undefined) return true;
  const host = req.get('x-forwarded-host')?.split(',')[0]?.trim() || req.get('host');
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * Every console page and action: a live session (its cookie), and for a token's session the
 * token not revoked since; without one, 401 (a page asks to sign in). A write (any method but
 * GET and HEAD) also needs this server's origin and the session's CSRF token (form field
 * `_csrf` or header `X-CSRF-Token`), else 403 before anything is done.
 */
export function requireSession(sessions: SessionStore, tokens: ReplicationService['tokens']): RequestHandler {
  return async (req, res, next) => {
    const id = sessionIdOf(req);
    let session = id === undefined ? undefined : sessions.get(id);
    const tokenId = session?.user.tokenId;
    if (session && tokenId !== undefined) {
      const token = (await tokens.list()).find((record) => record.id === tokenId);
      if (token?.role !== session.user.role) {
        sessions.delete(session.id);
        session = undefined;
      }
    }
    if (!session) throw new UnauthorizedError('sign in to use the console');
    res.locals.session = session;
    if (!safeMethods.has(req.method)) {
      if (!sameOrigin(req)) throw new ForbiddenError('the request comes from another origin');
      const presented = (req.body as Record<string, unknown> | undefined)?.[csrfField] ?? req.get(csrfHeader);
      if (!sameToken(presented, session.csrfToken))
        throw new ForbiddenError('the CSRF token is missing or wrong: reload the page and try again');
    }
    next();
  };
}

/** Writes need the admin role: a viewer reads only (403), whatever the page showed. */
export const requireAdminForWrites: RequestHandler = (req, res, next) => {
  const { user } = sessionOf(res);
  if (!safeMethods.has(req.method) && user.role !== 'admin')
    throw new ForbiddenError(`${user.name} (${user.role}) may only read`);
  next();
};
