import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RegistryAccess } from '../../oci/index.js';
import { credentialsFromDockerConfig, dockerConfigFile, endpointOf } from '../../registry/index.js';

const auth = (text: string) => Buffer.from(text).toString('base64');

describe('credentialsFromDockerConfig', () => {
  const config = JSON.stringify({
    auths: {
      'registry.example:5000': { auth: auth('alice:pa:ss') },
      'https://secure.example': { identitytoken: 'refresh-123' },
      'https://index.docker.io/v1/': { auth: auth('bob:hub') },
      'plain.example': { username: 'carol', password: 'pw' },
      'empty.example': {},
    },
  });
  const cases: Array<[string, string, unknown]> = [
    [
      'host:port with base64 auth (password with a colon)',
      'registry.example:5000',
      { username: 'alice', password: 'pa:ss' },
    ],
    ['URL key with an identity token', 'secure.example', { identitytoken: 'refresh-123' }],
    ['Docker Hub legacy key', 'index.docker.io', { username: 'bob', password: 'hub' }],
    ['username and password fields', 'plain.example', { username: 'carol', password: 'pw' }],
    ['entry without credentials', 'empty.example', undefined],
    ['unknown host', 'other.example', undefined],
    ['host matched case-insensitively', 'REGISTRY.example:5000', { username: 'alice', password: 'pa:ss' }],
  ];
  for (const [name, host, expected] of cases) {
    it(`${name} – found`, () => assert.deepEqual(credentialsFromDockerConfig(config, host), expected));
  }

  it('invalid input – INVALID_INPUT without echoing the content', () => {
    assert.throws(
      () => credentialsFromDockerConfig('{not json secret', 'a'),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'INVALID_INPUT');
        assert.doesNotMatch(error.message, /secret/);
        return true;
      },
    );
    assert.throws(() => credentialsFromDockerConfig({ auths: { a: { auth: auth('nocolon') } } }, 'a'), {
      code: 'INVALID_INPUT',
    });
  });
});

describe('Docker config credentials – read only from REGATTA_DOCKER_CONFIG_DIR', () => {
  const folder = '/etc/regatta/docker';
  const names: Array<[string, string | undefined, string | undefined]> = [
    ['a file in the folder', 'config.json', '/etc/regatta/docker/config.json'],
    ['a file in a subfolder', 'hq/config.json', '/etc/regatta/docker/hq/config.json'],
    ['an absolute path inside', '/etc/regatta/docker/hq.json', '/etc/regatta/docker/hq.json'],
    ['an absolute path outside', '/root/.docker/config.json', undefined],
    ['a way out with ..', '../../../root/.docker/config.json', undefined],
    ['.. that comes back in', 'hq/../config.json', undefined],
    ['the folder itself', '.', undefined],
  ];
  for (const [name, path, expected] of names) {
    it(`name – ${name}: ${expected ? 'accepted' : 'refused, naming credential.config_path'}`, () => {
      if (expected) return assert.equal(dockerConfigFile(path!, folder), expected);
      assert.throws(() => dockerConfigFile(path!, folder), {
        code: 'INVALID_INPUT',
        field: 'credential.config_path',
      });
    });
  }

  it('unset – every Docker config credential is refused, naming credential.config_path', () => {
    assert.throws(() => dockerConfigFile('config.json', undefined), {
      code: 'INVALID_INPUT',
      field: 'credential.config_path',
    });
  });

  let root: string;
  const access = (configPath: string): RegistryAccess => ({
    url: 'https://cfg.example:5000',
    insecure: false,
    ca_certificate: null,
    credential: { type: 'docker_config', config_path: configPath },
  });
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'regatta-docker-config-'));
    const config = JSON.stringify({ auths: { 'cfg.example:5000': { auth: auth('cfguser:cfgpass') } } });
    await mkdir(join(root, 'allowed'));
    await writeFile(join(root, 'allowed', 'config.json'), config);
    await writeFile(join(root, 'outside.json'), config);
    await symlink(join(root, 'outside.json'), join(root, 'allowed', 'escape.json'));
    await symlink(join(root, 'allowed', 'config.json'), join(root, 'allowed', 'alias.json'));
    await mkdir(join(root, 'allowed', 'folder.json'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('use – read from the folder; a link is followed only while it stays inside', async () => {
    const rules = { dockerConfigDir: join(root, 'allowed') };
    const expected = { username: 'cfguser', password: 'cfgpass' };
    assert.deepEqual((await endpointOf(access('config.json'), rules)).credentials, expected);
    assert.deepEqual((await endpointOf(access('alias.json'), rules)).credentials, expected);
    await assert.rejects(endpointOf(access('escape.json'), rules), {
      code: 'INVALID_INPUT',
      field: 'credential.config_path',
    });
    await assert.rejects(endpointOf(access('folder.json'), rules), { code: 'INVALID_INPUT' });
    await assert.rejects(endpointOf(access('missing.json'), rules), { code: 'ENVIRONMENT' });
    await assert.rejects(endpointOf(access(join(root, 'outside.json')), rules), { code: 'INVALID_INPUT' });
    await assert.rejects(endpointOf(access('config.json'), {}), { code: 'INVALID_INPUT' });
  });
});
