import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { announceAdminPassword, resolveAdminPassword } from '../../api/auth/admin-password.js';

describe('resolveAdminPassword', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'regatta-admin-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('takes – REGATTA_ADMIN_PASSWORD as is, writing nothing', async () => {
    assert.deepEqual(await resolveAdminPassword(dataDir, 'from-the-environment'), {
      password: 'from-the-environment',
      generated: false,
    });
    await assert.rejects(stat(join(dataDir, 'admin-password')), { code: 'ENOENT' });
  });

  it('generates – once, into a 0600 file, then reads it back', async () => {
    const first = await resolveAdminPassword(dataDir, undefined);
    assert.equal(first.generated, true);
    assert.ok(first.password.length >= 20);
    assert.equal((await stat(first.path!)).mode & 0o777, 0o600);
    assert.equal((await readFile(first.path!, 'utf8')).trim(), first.password);
    const second = await resolveAdminPassword(dataDir, undefined);
    assert.deepEqual(second, { ...first, generated: false });
  });
});

describe('announceAdminPassword', () => {
  const cases: Array<[string, Parameters<typeof announceAdminPassword>[0], boolean, boolean]> = [
    [
      'shows a generated password once, with its file',
      { password: 'pw-123', path: '/d/admin-password', generated: true },
      true,
      false,
    ],
    [
      'only says where a kept password is',
      { password: 'pw-123', path: '/d/admin-password', generated: false },
      false,
      true,
    ],
    [
      'says nothing of a password from the environment',
      { password: 'pw-123', generated: false },
      false,
      false,
    ],
  ];
  for (const [title, admin, printed, logged] of cases) {
    it(`${title}`, () => {
      const written: string[] = [];
      const lines: Array<[object, string]> = [];
      announceAdminPassword(admin, { info: (object, message) => lines.push([object, message]) }, (text) =>
        written.push(text),
      );
      assert.equal(written.join('').includes('pw-123'), printed);
      if (printed) assert.ok(written.join('').includes('/d/admin-password'));
      assert.equal(lines.length, logged ? 1 : 0);
      assert.ok(!JSON.stringify(lines).includes('pw-123'));
    });
  }
});
