import { Router, type Request } from 'express';
import { errorCode } from '../errors/regatta-error.js';
import type { ConsoleDependencies } from './console-dependencies.js';
import { formBody, formText, parseForm } from './forms/form-body.js';
import { requireSession, sameOrigin } from './session/console-guard.js';
import { clearSessionCookie, sessionIdOf, setSessionCookie } from './session/session-cookie.js';
import type { SessionStore } from './session/session-store.js';
import { LoginView } from './views/login-view.js';
import { sendPage } from './views/render.js';

/** Where to go after signing in: a path of this site only, never another origin. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) && !next.includes('\\') ? next : '/';
}

function signInMessage(error: unknown): string {
  if (errorCode(error) === 'TOO_MANY_REQUEST')
    return 'Too many failed sign-ins from this address: try again in a minute.';
  return 'The user and password, or the token, are not valid.';
}

/** `/login` (the form, and a session on success) and `/logout`. */
export function loginRoutes(dependencies: ConsoleDependencies, sessions: SessionStore): Router {
  const router = Router();
  const { service, checkCredentials, httpStatusOf } = dependencies;

  router.get('/login', (req, res) => {
    const id = sessionIdOf(req);
    if (id !== undefined && sessions.get(id)) {
      res.redirect(303, safeNext(req.query.next));
      return;
    }
    sendPage(res, <LoginView next={safeNext(req.query.next)} user="admin" />);
  });

  router.post('/login', parseForm, async (req: Request, res) => {
    const body = formBody(req.body);
    const next = safeNext(formText(body, 'next'));
    const user = formText(body, 'user');
    if (!sameOrigin(req)) {
      sendPage(res, <LoginView next={next} user={user} error="Sign in from this server's own page." />, 403);
      return;
    }
    const token = formText(body, 'token', { raw: true });
    let signedIn;
    try {
      signedIn = await checkCredentials(
        req,
        res,
        token ? { token } : { user, password: formText(body, 'password', { raw: true }) },
      );
    } catch (error) {
      const status = httpStatusOf(error);
      if (status >= 500) throw error;
      sendPage(res, <LoginView next={next} user={user} error={signInMessage(error)} />, status);
      return;
    }
    const tokenId = token ? (await service.tokens.authenticate(token))?.id : undefined;
    // A new id at every sign-in, so an id planted before it is worth nothing after.
    const previous = sessionIdOf(req);
    if (previous !== undefined) sessions.delete(previous);
    const session = sessions.create({ ...signedIn, ...(tokenId !== undefined ? { tokenId } : {}) });
    setSessionCookie(req, res, session.id);
    res.redirect(303, next);
  });

  router.post('/logout', parseForm, requireSession(sessions, service.tokens), (req, res) => {
    const id = sessionIdOf(req);
    if (id !== undefined) sessions.delete(id);
    clearSessionCookie(req, res);
    res.redirect(303, '/login');
  });

  return router;
}
