import type { Request, Response } from 'express';

export const sessionCookieName = 'regatta_session';

/** The session id the request's cookie carries, if it has the shape of one. */
export function sessionIdOf(req: Request): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, value] = part.trim().split('=', 2);
    if (name === sessionCookieName && value && /^[A-Za-z0-9_-]{43}$/.test(value)) return value;
  }
  return undefined;
}

/** Served over https directly, or behind a proxy that says so: then the cookie is `Secure`. */
function overHttps(req: Request): boolean {
  return req.secure || req.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

/** `HttpOnly` (no script reads it), `SameSite=Strict` (no other site's page sends it), for this browser session. */
export function setSessionCookie(req: Request, res: Response, id: string): void {
  res.cookie(sessionCookieName, id, {
    httpOnly: true,
    sameSite: 'strict',
    secure: overHttps(req),
    path: '/',
  });
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(sessionCookieName, {
    httpOnly: true,
    sameSite: 'strict',
    secure: overHttps(req),
    path: '/',
  });
}
