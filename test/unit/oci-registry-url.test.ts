import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registryOrigin, registryUrlProblem, RegistryUrl } from '../../oci/index.js';
import { z } from 'zod';
import { RegistryInput, parseInput } from '../../policies/index.js';

describe('registry URL – parsed with the WHATWG URL parser', () => {
  const accepted: Array<[string, string]> = [
    ['https://registry.example', 'https://registry.example'],
    ['https://registry.example:5000/', 'https://registry.example:5000'],
    ['HTTP://Registry.Example:80', 'http://registry.example'],
    ['https://registry.example:443', 'https://registry.example'],
    ['http://127.0.0.1:5000', 'http://127.0.0.1:5000'],
    ['http://[::1]:5000', 'http://[::1]:5000'],
    ['http://[FD00::1]', 'http://[fd00::1]'],
    ['http://localhost', 'http://localhost'],
  ];
  for (const [url, origin] of accepted) {
    it(`accepts – ${url}, origin ${origin}`, () => {
      assert.equal(registryUrlProblem(url), undefined);
      assert.equal(registryOrigin(url), origin);
    });
  }

  const refused: Array<[string, RegExp]> = [
    ['http://[0]', /must be http\(s\):\/\/host\[:port\]/],
    ['http://0', /real host \(0 reads as 0\.0\.0\.0\)/],
    ['http://0.0.0.0:5000', /real host/],
    ['http://[::]', /real host/],
    ['http://0x7f.1', /real host \(0x7f\.1 reads as 127\.0\.0\.1\)/],
    ['http://2130706433', /real host/],
    ['http://1.2.3', /real host/],
    ['http://[::ffff:127.0.0.1]', /real host/],
    ['http://ex%61mple.com', /real host/],
    ['http://under_score', /real host/],
    ['http://trailing.', /real host/],
    ['http://u:p@h', /user name or password/],
    ['http://@h', /user name or password/],
    ['http://h/v2/', /no path, query or fragment/],
    ['http://h/?', /no path, query or fragment/],
    ['http://h#x', /no path, query or fragment/],
    ['http://h\\x', /no path, query or fragment/],
    ['http://h:', /must be http\(s\)/],
    ['http://h:99999', /must be http\(s\)/],
    ['ftp://h', /must be http\(s\)/],
    ['file:///etc/passwd', /must be http\(s\)/],
    ['http:h', /must be http\(s\)/],
    [' http://h', /must be http\(s\)/],
    ['http://', /must be http\(s\)/],
  ];
  for (const [url, message] of refused) {
    it(`refuses – ${url}`, () => assert.match(registryUrlProblem(url) ?? 'accepted', message));
  }

  it('bodies – a refused url is a 400 naming url, and the message holds no user or password', () => {
    for (const url of ['http://[0]', 'http://0', 'http://u:s3cret@h']) {
      assert.throws(
        () => parseInput(RegistryInput, { name: 'a', url }),
        (error: Error & { field?: string }) => {
          assert.equal(error.field, 'url');
          assert.match(error.message, /^url: /);
          assert.doesNotMatch(error.message, /s3cret/);
          return true;
        },
      );
    }
  });
});

describe('registry URL – the pattern the API documents accepts exactly what the parser accepts', () => {
  const pattern = new RegExp(z.toJSONSchema(RegistryUrl).pattern ?? 'none');
  const urls = [
    'http://registry.example:5000',
    'https://a-b.c',
    'http://1.2.3.4',
    'http://1.2.3.04',
    'http://0.0.0.0',
    'http://0',
    'http://1.2.3',
    'http://a.0x',
    'http://a.0x7f',
    'http://a.0xg',
    'http://1.2.3.x',
    'http://xn--a.example',
    'http://a..b',
    'http://[::1]',
    'http://[0:0:0:0:0:0:0:1]',
    'http://[0:0:0:0:0:0:0:0]',
    'http://[::]',
    'http://[::ffff:127.0.0.1]',
    'http://[FD00::1]:443',
    'http://h:65535',
    'http://h:65536',
    'http://h:0',
  ];
  for (const url of urls) {
    it(`agree – ${url}`, () => assert.equal(pattern.test(url), registryUrlProblem(url) === undefined));
  }
});
