import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadPolicyFiles, parsePolicyFile, substituteVariables } from '../../cli/commands/policy-file.js';

describe('substituteVariables', () => {
  const env = { PASSWORD: 'pw', EMPTY: '' };
  const cases: Array<[string, unknown, unknown]> = [
    ['whole value', '${PASSWORD}', 'pw'],
    ['inside a string', 'a-${PASSWORD}-b', 'a-pw-b'],
    ['set but empty', '${EMPTY}', ''],
    ['default when unset', '${UNSET:-fallback}', 'fallback'],
    ['value wins over default', '${PASSWORD:-fallback}', 'pw'],
    ['escaped', '$${PASSWORD}', '${PASSWORD}'],
    ['no variable', 'plain $text', 'plain $text'],
    ['nested', { a: [{ b: '${PASSWORD}' }], n: 1, t: true }, { a: [{ b: 'pw' }], n: 1, t: true }],
  ];
  for (const [name, input, expected] of cases)
    it(name, () => assert.deepEqual(substituteVariables(input, env), expected));

  it('an unset variable is MISSING_VARIABLE, naming it and where', () =>
    assert.throws(() => substituteVariables({ registries: [{ url: '${HQ_URL}' }] }, env), {
      code: 'MISSING_VARIABLE',
      message: 'registries[0].url: environment variable HQ_URL is not set',
    }));
});

describe('parsePolicyFile', () => {
  const env = { HQ_PASSWORD: 'hq-secret' };
  it('YAML with registries and policies; registries by name or {name}', () => {
    const parsed = parsePolicyFile(
      'f.yaml',
      `registries:
  - name: hq
    url: https://hq.example/
    credential: { type: basic, access_key: bot, access_secret: "\${HQ_PASSWORD}" }
policies:
  - name: p
    src_registry: { name: hq }
    dest_registries: [dc-a, { name: dc-b }]
`,
      env,
    );
    assert.equal(parsed.registries[0]?.input.credential?.type, 'basic');
    assert.deepEqual(parsed.registries[0]?.input.credential, {
      type: 'basic',
      access_key: 'bot',
      access_secret: 'hq-secret',
    });
    assert.equal(parsed.policies[0]?.entry.src_registry, 'hq');
    assert.deepEqual(parsed.policies[0]?.entry.dest_registries, ['dc-a', 'dc-b']);
  });
  it('JSON', () =>
    assert.equal(
      parsePolicyFile('f.json', '{"policies":[{"name":"p","src_registry":"hq","dest_registry":"dc"}]}', env)
        .policies[0]?.entry.dest_registry,
      'dc',
    ));
  it('empty or comments only: nothing', () =>
    assert.deepEqual(parsePolicyFile('f.yaml', '# nothing yet\n', env), { registries: [], policies: [] }));

  const invalid: Array<[string, string, RegExp]> = [
    ['not YAML', 'registries: [', /^f\.yaml: not YAML or JSON/],
    ['unknown top-level key', 'replications: []', /^f\.yaml: replications: is not a known field/],
    ['bad registry url', 'registries: [{ name: x, url: nope }]', /^f\.yaml: registries\[0\]: url: /],
    [
      'registry field unknown',
      'registries: [{ name: x, url: "http://x", colour: red }]',
      /registries\[0\]: colour: is not a known field/,
    ],
    ['policy without source', 'policies: [{ name: p, dest_registry: dc }]', /policies\[0\]: src_registry: /],
    [
      'registry id instead of name',
      'policies: [{ name: p, src_registry: { id: 1 }, dest_registry: dc }]',
      /policies\[0\]: src_registry/,
    ],
  ];
  for (const [name, text, message] of invalid) {
    it(`INVALID_FILE – ${name}`, () =>
      assert.throws(
        () => parsePolicyFile('f.yaml', text, env),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, 'INVALID_FILE');
          assert.match(error.message, message);
          return true;
        },
      ));
  }
  it('a secret is never repeated in an error', () =>
    assert.throws(
      () =>
        parsePolicyFile(
          'f.yaml',
          'registries: [{ name: x, url: "http://x", credential: { type: basic, access_key: k, access_secret: 1 } }]',
          env,
        ),
      (error: Error) => !error.message.includes('hq-secret'),
    ));
});

describe('loadPolicyFiles', () => {
  it('the examples load: a directory, YAML and JSON, in name order', () => {
    const env = Object.fromEntries(
      [
        'HQ_PASSWORD',
        'HQ_WEBHOOK_SECRET',
        'DC_A_PASSWORD',
        'DC_B_PASSWORD',
        'DC_C_PASSWORD',
        'DR_PASSWORD',
      ].map((name) => [name, 'x'.repeat(16)]),
    );
    const loaded = loadPolicyFiles('examples', env);
    assert.deepEqual(loaded.files, [
      'examples/dr-mirror.json',
      'examples/production-fanout.yaml',
      'examples/registries.yaml',
    ]);
    assert.deepEqual(
      loaded.registries.map((registry) => registry.input.name),
      ['hq', 'dc-a', 'dc-b', 'dc-c', 'dr'],
    );
    assert.deepEqual(
      loaded.policies.map((policy) => policy.entry.name),
      ['dr-mirror', 'production-to-sites', 'production-to-sites-nightly'],
    );
  });

  it('a name defined twice across files is INVALID_FILE naming both places', () => {
    const dir = mkdtempSync(join(tmpdir(), 'regatta-cli-unit-'));
    try {
      writeFileSync(join(dir, 'a.yaml'), 'policies: [{ name: p, src_registry: hq, dest_registry: dc }]');
      writeFileSync(
        join(dir, 'b.json'),
        '{"policies":[{"name":"p","src_registry":"hq","dest_registry":"dc"}]}',
      );
      writeFileSync(join(dir, 'notes.txt'), 'not read');
      assert.throws(() => loadPolicyFiles(dir, {}), {
        code: 'INVALID_FILE',
        message: /b\.json: policies\[0\]: policy "p" is also defined at .*a\.yaml: policies\[0\]/,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a missing path is INVALID_FILE', () =>
    assert.throws(() => loadPolicyFiles('no/such/dir', {}), { code: 'INVALID_FILE' }));
});
