import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Request } from 'express';
import { safeNext } from '../../console/login-routes.js';
import { sameOrigin } from '../../console/session/console-guard.js';
import { sessionIdOf } from '../../console/session/session-cookie.js';
import { SessionStore } from '../../console/session/session-store.js';

const admin = { name: 'admin', role: 'admin' as const };

describe('console sessions', () => {
  it('ids – a fresh 256-bit id and CSRF token per sign-in', () => {
    const sessions = new SessionStore();
    const [a, b] = [sessions.create(admin), sessions.create(admin)];
    assert.match(a.id, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a.id, b.id);
    assert.notEqual(a.csrfToken, b.csrfToken);
    assert.notEqual(a.id, a.csrfToken);
  });

  it('ends – when idle too long, when too old, and at sign-out', () => {
    let now = 0;
    const sessions = new SessionStore({ idleMs: 1000, maxAgeMs: 3000, maxSessions: 10 }, () => now);
    const session = sessions.create(admin);
    for (now = 900; now <= 2700; now += 900) assert.ok(sessions.get(session.id), `alive at ${now}`);
    now = 3100;
    assert.equal(sessions.get(session.id), undefined, 'past its maximum age');
    const idle = sessions.create(admin);
    now += 1001;
    assert.equal(sessions.get(idle.id), undefined, 'idle');
    const signedOut = sessions.create(admin);
    sessions.delete(signedOut.id);
    assert.equal(sessions.get(signedOut.id), undefined);
  });

  it('bounded – past the limit the oldest session is dropped', () => {
    const sessions = new SessionStore({ idleMs: 1000, maxAgeMs: 1000, maxSessions: 2 }, () => 0);
    const [first, second, third] = [sessions.create(admin), sessions.create(admin), sessions.create(admin)];
    assert.equal(sessions.size, 2);
    assert.equal(sessions.get(first.id), undefined);
    assert.ok(sessions.get(second.id) && sessions.get(third.id));
  });

  const cookieCases: Array<[string, string | undefined]> = [
    [`regatta_session=${'a'.repeat(43)}`, 'a'.repeat(43)],
    [`theme=dark; regatta_session=${'b'.repeat(43)}; x=1`, 'b'.repeat(43)],
    ['regatta_session=short', undefined],
    [`regatta_session=${'c'.repeat(42)}%`, undefined],
    ['', undefined],
  ];
  for (const [header, id] of cookieCases) {
    it(`cookie – ${JSON.stringify(header.slice(0, 30))}`, () => {
      assert.equal(sessionIdOf({ headers: { cookie: header } } as Request), id);
    });
  }

  const nextCases: Array<[unknown, string]> = [
    ['/runs/3?status=Failed', '/runs/3?status=Failed'],
    ['/', '/'],
    ['//evil.example/', '/'],
    ['/\\evil.example', '/'],
    ['https://evil.example/', '/'],
    ['runs', '/'],
    [undefined, '/'],
    [['/a', '/b'], '/'],
  ];
  for (const [next, expected] of nextCases) {
    it(`next – ${JSON.stringify(next)} goes to ${expected}`, () => assert.equal(safeNext(next), expected));
  }

  const originCases: Array<[string, Record<string, string>, boolean]> = [
    ['no Origin (not a browser)', { host: 'regatta:8080' }, true],
    ['this server', { host: 'regatta:8080', origin: 'http://regatta:8080' }, true],
    ['this server behind TLS', { host: 'regatta:8080', origin: 'https://regatta:8080' }, true],
    ['another site', { host: 'regatta:8080', origin: 'http://evil.example' }, false],
    ['another port', { host: 'regatta:8080', origin: 'http://regatta:9090' }, false],
    ['an opaque origin', { host: 'regatta:8080', origin: 'null' }, false],
    [
      'the host a proxy forwards',
      { host: 'api:8080', 'x-forwarded-host': 'console.example', origin: 'https://console.example' },
      true,
    ],
  ];
  for (const [name, headers, same] of originCases) {
    it(`origin – ${name}: ${same ? 'accepted' : 'refused'}`, () => {
      const req = { get: (header: string) => headers[header.toLowerCase()] } as Request;
      assert.equal(sameOrigin(req), same);
    });
  }
});
