import { randomBytes } from 'node:crypto';
import type { Role } from '../../service/index.js';

/** Who is signed in: the admin user, or an API token with its role. */
export interface ConsoleUser {
  name: string;
  role: Role;
  /** The token signed in with, checked on every request: revoking it ends the session. */
  tokenId?: number;
}

export interface Session {
  id: string;
  user: ConsoleUser;
  /** The synchronizer token every write of this session must carry. */
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  /** A one-time message for the next page (what the last write did). */
  flash?: { kind: 'done' | 'error'; text: string };
}

export interface SessionLimits {
  /** Idle time after which a session ends. */
  idleMs: number;
  /** Age after which a session ends however busy. */
  maxAgeMs: number;
  /** Sessions kept at most; the oldest is dropped past it. */
  maxSessions: number;
}

export const defaultSessionLimits: SessionLimits = {
  idleMs: 2 * 60 * 60_000,
  maxAgeMs: 12 * 60 * 60_000,
  maxSessions: 10_000,
};

const randomToken = () => randomBytes(32).toString('base64url');

/**
 * The console's sessions, in this API process's memory: a session id is a 256-bit random token
 * that only the `HttpOnly` cookie carries. Sessions end at sign-out, when idle or old, and with
 * the process (users sign in again); with several API processes, route a browser to one of them.
 */
export class SessionStore {
  readonly #sessions = new Map<string, Session>();

  constructor(
    readonly limits: SessionLimits = defaultSessionLimits,
    readonly now: () => number = Date.now,
  ) {}

  create(user: ConsoleUser): Session {
    const now = this.now();
    if (this.#sessions.size >= this.limits.maxSessions) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest !== undefined) this.#sessions.delete(oldest);
    }
    const session: Session = {
      id: randomToken(),
      user,
      csrfToken: randomToken(),
      createdAt: now,
      lastSeenAt: now,
    };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** The live session of this id, its idle clock reset; undefined when unknown or ended. */
  get(id: string): Session | undefined {
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    const now = this.now();
    if (now - session.lastSeenAt > this.limits.idleMs || now - session.createdAt > this.limits.maxAgeMs) {
      this.#sessions.delete(id);
      return undefined;
    }
    session.lastSeenAt = now;
    return session;
  }

  delete(id: string): void {
    this.#sessions.delete(id);
  }

  get size(): number {
    return this.#sessions.size;
  }
}
