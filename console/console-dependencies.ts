import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { ReplicationService, Role } from '../service/index.js';
import type { SessionStore } from './session/session-store.js';

/** What the sign-in form sends: the admin's user name and password, or an API token. */
export type Credentials = { user: string; password: string } | { token: string };

/**
 * Checks a sign-in exactly as the API checks a request (the same users, tokens and failed-login
 * throttling); throws an error with code UNAUTHORIZED or TOO_MANY_REQUEST when it fails.
 */
export type CheckCredentials = (
  req: Request,
  res: Response,
  credentials: Credentials,
) => Promise<{ name: string; role: Role }>;

export interface ConsoleDependencies {
  service: ReplicationService;
  checkCredentials: CheckCredentials;
  /** The status the API answers an error with (its table of codes), for the console's pages. */
  httpStatusOf: (error: unknown) => number;
  /** Where a run's workflow is shown: `<url>/namespaces/<namespace>/workflows/<workflow id>`. */
  temporalUi: { url: string; namespace: string };
  logger: Logger;
  /** How long an audit started from the console is waited for before the page says it is under way. */
  driftWaitMs: number;
  /** The signed-in browsers; a new store unless given. */
  sessions?: SessionStore;
}
