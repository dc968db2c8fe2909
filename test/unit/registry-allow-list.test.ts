import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegistryAllowList } from '../../registry/index.js';

describe('RegistryAllowList – REGATTA_REGISTRY_ALLOW', () => {
  const list = RegistryAllowList.parse(' registry.example , 10.0.0.0/8,192.168.1.7, fd00::/8,[::1]');

  const hosts: Array<[string, boolean]> = [
    ['registry.example', true],
    ['REGISTRY.example', true],
    ['other.example', false],
    ['sub.registry.example', false],
    ['10.1.2.3', true],
    ['11.0.0.1', false],
    ['192.168.1.7', true],
    ['192.168.1.8', false],
    ['[fd12::1]', true],
    ['[fe80::1]', false],
    ['[::1]', true],
    ['[::ffff:a01:203]', true],
    ['127.0.0.1', false],
  ];
  for (const [host, allowed] of hosts) {
    it(`host – ${host} ${allowed ? 'allowed' : 'refused'}`, () =>
      assert.equal(list.permitsHost(host), allowed));
  }

  it('names – a name not listed may reach only when networks are listed (its addresses decide)', () => {
    assert.equal(list.mayReach('other.example'), true);
    assert.equal(list.mayReach('11.0.0.1'), false);
    const namesOnly = RegistryAllowList.parse('registry.example');
    assert.equal(namesOnly.mayReach('other.example'), false);
    assert.equal(namesOnly.mayReach('registry.example'), true);
  });

  it('admits – a name is resolved and every address must be inside', async () => {
    assert.equal(await RegistryAllowList.parse('127.0.0.0/8').admits('http://localhost:5000'), true);
    assert.equal(await RegistryAllowList.parse('10.0.0.0/8').admits('http://localhost:5000'), false);
    assert.equal(await RegistryAllowList.parse('localhost').admits('http://localhost:5000'), true);
    assert.equal(await list.admits('https://registry.example'), true);
    assert.equal(await list.admits('http://11.0.0.1'), false);
    assert.equal(await list.admits('http://does-not-resolve.invalid'), false);
  });

  const invalid = [
    '10.0.0.0/33',
    'fd00::/129',
    '10.0.0.0/8/1',
    'http://registry.example',
    'a b',
    '10.0.0.0/x',
  ];
  for (const entry of invalid) {
    it(`parse – refuses "${entry}", naming the variable`, () => {
      assert.throws(() => RegistryAllowList.parse(`registry.example,${entry}`), {
        code: 'INVALID_INPUT',
        field: 'REGATTA_REGISTRY_ALLOW',
      });
    });
  }
});
