import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommandArguments, resolveConnection } from '../../cli/commands/arguments.js';
import { findCommand, type CommandSpec } from '../../cli/commands/command-specs.js';
import { registryAddBody } from '../../cli/commands/registry.js';
import { progressLine, type Execution } from '../../cli/commands/runs.js';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('resolveConnection', () => {
  const cases: Array<
    [string, Record<string, string>, NodeJS.ProcessEnv, { baseUrl: string; authorization: string }]
  > = [
    [
      'token flag',
      { url: 'http://api:8080', token: 't1' },
      {},
      { baseUrl: 'http://api:8080', authorization: 'Bearer t1' },
    ],
    [
      'env only, token',
      {},
      { REGATTA_URL: 'https://api/', REGATTA_TOKEN: 't2' },
      { baseUrl: 'https://api', authorization: 'Bearer t2' },
    ],
    [
      'password, default user admin',
      { url: 'http://api' },
      { REGATTA_PASSWORD: 'pw' },
      { baseUrl: 'http://api', authorization: basic('admin', 'pw') },
    ],
    [
      'user and password flags',
      { url: 'http://api', user: 'ops', password: 'pw' },
      {},
      { baseUrl: 'http://api', authorization: basic('ops', 'pw') },
    ],
    [
      'flag wins over env',
      { url: 'http://flag' },
      { REGATTA_URL: 'http://env', REGATTA_TOKEN: 't' },
      { baseUrl: 'http://flag', authorization: 'Bearer t' },
    ],
    [
      '--password wins over REGATTA_TOKEN',
      { url: 'http://api', password: 'pw' },
      { REGATTA_TOKEN: 't' },
      { baseUrl: 'http://api', authorization: basic('admin', 'pw') },
    ],
    [
      'API path in the URL is dropped',
      { url: 'http://api/api/v2.0/' },
      { REGATTA_TOKEN: 't' },
      { baseUrl: 'http://api', authorization: 'Bearer t' },
    ],
  ];
  for (const [name, values, env, expected] of cases) {
    it(name, () => assert.deepEqual(resolveConnection(values, env), expected));
  }

  const failures: Array<[string, Record<string, string>, NodeJS.ProcessEnv, RegExp]> = [
    ['no URL', {}, { REGATTA_TOKEN: 't' }, /no API URL/],
    ['not a URL', { url: 'api:8080:x' }, { REGATTA_TOKEN: 't' }, /is not a URL|http:\/\/ or https:\/\//],
    ['not http', { url: 'ftp://api' }, { REGATTA_TOKEN: 't' }, /http:\/\/ or https:\/\//],
    ['credentials in the URL', { url: 'http://a:b@api' }, {}, /not the URL/],
    ['no credentials', { url: 'http://api' }, {}, /no credentials/],
    ['token and password', { url: 'http://api', token: 't', password: 'p' }, {}, /not both/],
  ];
  for (const [name, values, env, message] of failures) {
    it(`fails – ${name}`, () =>
      assert.throws(
        () => resolveConnection(values, env),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, 'USAGE');
          assert.match(error.message, message);
          return true;
        },
      ));
  }
});

describe('parseCommandArguments', () => {
  const run = findCommand('run')!;
  it('connection flags, command flags and positionals', () => {
    const parsed = parseCommandArguments(['cli-policy', '--wait', '--json', '--url', 'http://x'], run);
    assert.deepEqual(parsed.positionals, ['cli-policy']);
    assert.equal(parsed.values.wait, true);
    assert.equal(parsed.values.json, true);
    assert.equal(parsed.values.url, 'http://x');
  });
  const bad: Array<[string, string[], CommandSpec]> = [
    ['unknown flag', ['--force'], run],
    ['string flag without value', ['--url'], run],
    ["another command's flag", ['--wait'], findCommand('policy list')!],
    ['connection flag on a server command', ['--url', 'http://x'], findCommand('api')!],
  ];
  for (const [name, argv, spec] of bad) {
    it(`USAGE – ${name}`, () => assert.throws(() => parseCommandArguments(argv, spec), { code: 'USAGE' }));
  }
});

describe('registryAddBody', () => {
  const base = { name: 'dc-a', url: 'https://dc-a.example', insecure: false, env: { SECRET: 's3cret' } };
  it('secret from the named variable', () =>
    assert.deepEqual(registryAddBody({ ...base, accessKey: 'bot', accessSecretEnv: 'SECRET' }).credential, {
      type: 'basic',
      access_key: 'bot',
      access_secret: 's3cret',
    }));
  it('anonymous without key and secret', () => assert.equal(registryAddBody(base).credential, undefined));
  it('MISSING_VARIABLE when the variable is not set', () =>
    assert.throws(() => registryAddBody({ ...base, accessSecretEnv: 'NOPE' }), { code: 'MISSING_VARIABLE' }));
  it('USAGE for a bad URL, naming the field', () =>
    assert.throws(() => registryAddBody({ ...base, url: 'dc-a' }), { code: 'USAGE', message: /^url: / }));
});

describe('progressLine', () => {
  const execution = (counts: Partial<Execution>): Execution => ({
    id: 7,
    policy_id: 1,
    status: 'InProgress',
    trigger: 'manual',
    start_time: '',
    end_time: null,
    status_text: '',
    total: 0,
    succeed: 0,
    failed: 0,
    in_progress: 0,
    stopped: 0,
    ...counts,
  });
  const cases: Array<[Partial<Execution>, string]> = [
    [{}, 'run 7 InProgress [----------] 0/0 done, 0 succeeded, 0 failed'],
    [
      { total: 4, succeed: 1, failed: 1, in_progress: 2 },
      'run 7 InProgress [#####-----] 2/4 done, 1 succeeded, 1 failed',
    ],
    [
      { status: 'Succeed', total: 3, succeed: 3 },
      'run 7 Succeed [##########] 3/3 done, 3 succeeded, 0 failed',
    ],
  ];
  for (const [counts, line] of cases) it(line, () => assert.equal(progressLine(execution(counts), 10), line));
});
