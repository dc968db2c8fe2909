import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { commandSpecs, flagsOf } from '../../cli/commands/command-specs.js';
import type { StartedApi } from '../../server/start-api.js';
import { startRegattaApi } from '../harness/regatta-api.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import { runCommand } from '../harness/run-command.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';

const checkout = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The `regatta` command as README gives it: `npx regatta` in a checkout right after setup (no
 * build), and `regatta` on PATH after `npm install -g .`; `--help` on every command; completion.
 */
describe('regatta on PATH', () => {
  let bed: TestBed;
  let regatta: RegattaUnderTest;
  let api: StartedApi;
  let dir: string;
  /** The environment of a person's shell: npm's cache and global prefix of their own. */
  let env: NodeJS.ProcessEnv;

  before(async () => {
    bed = await startTestBed();
    regatta = await startRegattaWorker(bed, { worker: false });
    api = await startRegattaApi(bed, regatta);
    dir = mkdtempSync(join(tmpdir(), 'regatta-path-'));
    const prefix = join(dir, 'global');
    env = {
      PATH: `${join(prefix, 'bin')}${delimiter}${process.env.PATH}`,
      HOME: dir,
      // A fresh npm cache: npx links this checkout anew, as on a machine that never ran it.
      npm_config_cache: join(dir, 'npm-cache'),
      npm_config_prefix: prefix,
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      REGATTA_URL: api.url,
      REGATTA_PASSWORD: 'test-admin-password',
    };
  });

  after(async () => {
    await api?.stop();
    await regatta?.stop();
    await bed?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('npx regatta – usage straight from the checkout, without a build', async () => {
    const help = await runCommand('npx', ['--offline', 'regatta', '--help'], { env, cwd: checkout });
    assert.equal(help.code, 0, help.stderr);
    for (const spec of commandSpecs) assert.ok(help.stdout.includes(`  ${spec.name}`), spec.name);
  });

  it('npm install -g . – regatta on PATH talks to the real API', async () => {
    const install = await runCommand('npm', ['install', '--global', '--offline', '.'], {
      env,
      cwd: checkout,
    });
    assert.equal(install.code, 0, install.stderr);
    const { url } = bed.sites[0];
    const add = await runCommand('regatta', ['registry', 'add', 'site-plain', url, '--insecure'], {
      env,
      cwd: dir,
    });
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /^\+ registry site-plain \(id \d+\)$/m);
    const [list, ping] = await Promise.all([
      runCommand('regatta', ['registry', 'list', '--json'], { env, cwd: dir }),
      runCommand('regatta', ['registry', 'ping', 'site-plain'], { env, cwd: dir }),
    ]);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(
      (JSON.parse(list.stdout) as Array<{ name: string; url: string }>).map(({ name, url }) => ({
        name,
        url,
      })),
      [{ name: 'site-plain', url }],
    );
    assert.equal(ping.code, 0, ping.stderr);
  });

  it('--help on every command – its usage and every flag, exit 0, nothing started', async () => {
    // Independent commands run together: each CLI start costs seconds.
    const results = await Promise.all(
      commandSpecs.map((spec) =>
        runCommand(process.execPath, [join(checkout, 'bin/regatta.js'), ...spec.name.split(' '), '--help'], {
          env,
          cwd: dir,
        }),
      ),
    );
    commandSpecs.forEach((spec, index) => {
      const { code, stdout, stderr } = results[index]!;
      assert.equal(code, 0, `${spec.name}: ${stderr}`);
      assert.ok(stdout.startsWith(`usage: regatta ${spec.name}`), `${spec.name}: ${stdout}`);
      for (const flag of Object.keys(flagsOf(spec)))
        assert.ok(stdout.includes(`--${flag}`), `${spec.name} --${flag}`);
    });
  });

  describe('completion', () => {
    const scripts: Record<string, string> = {};
    before(async () => {
      for (const shell of ['bash', 'zsh']) {
        const printed = await runCommand('regatta', ['completion', shell], { env, cwd: dir });
        assert.equal(printed.code, 0, printed.stderr);
        scripts[shell] = join(dir, `completion.${shell}`);
        writeFileSync(scripts[shell], printed.stdout);
      }
      writeFileSync(join(dir, 'policies.yaml'), 'policies: []\n');
    });

    // [command line typed so far, what must be offered, what must not]
    const cases: Array<[string[], string[], string[]]> = [
      [['po'], ['policy'], ['registry']],
      [[''], ['dev', 'api', 'worker', 'policy', 'run', 'runs', 'status', 'registry', 'completion'], []],
      [['policy', ''], ['apply', 'list'], ['ping']],
      [['registry', 'p'], ['ping'], ['add']],
      [
        ['policy', 'apply', '--'],
        ['--file', '--prune', '--dry-run', '--rotate-secrets', '--url', '--help'],
        ['--wait'],
      ],
      [['run', 'nightly', '--'], ['--wait', '--dry-run', '--token'], ['--prune']],
      [['completion', ''], ['bash', 'zsh'], []],
    ];

    /** What the completion function offers for a command line typed so far, run by the real shell. */
    const complete = async (shell: 'bash' | 'zsh', words: string[]) => {
      const line = ['regatta', ...words].map((word) => `'${word}'`).join(' ');
      // Outside a completion widget zsh's `words` and `CURRENT` are plain variables, so the function
      // runs as it would in one, with compadd and _files (as the glob it would expand) recording
      // what they are given.
      const program =
        shell === 'bash'
          ? `source "$1"; COMP_WORDS=(${line}); COMP_CWORD=${words.length}; _regatta; printf '%s\\n' "\${COMPREPLY[@]}"`
          : `compdef() {}; compadd() { [[ $1 == -- ]] && shift; print -rl -- "$@"; }; _files() { print -r -- "\${words[CURRENT]}*"; }
source "$1"; words=(${line}); CURRENT=${words.length + 1}; _regatta`;
      const result = await runCommand(shell, ['-fc', program, shell, scripts[shell]!], { env, cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      const candidates = result.stdout.split('\n').filter(Boolean);
      // compadd keeps only the candidates that match what is typed; bash's compgen did that already.
      return candidates.filter((word) => word.startsWith(words.at(-1) ?? ''));
    };

    for (const shell of ['bash', 'zsh'] as const) {
      it(`${shell} – commands, subcommands, flags and file names`, async () => {
        for (const [words, offered, notOffered] of cases) {
          const reply = await complete(shell, words);
          for (const word of offered)
            assert.ok(reply.includes(word), `${words.join(' ')} offers ${word}: ${reply.join(' ')}`);
          for (const word of notOffered)
            assert.ok(!reply.includes(word), `${words.join(' ')} does not offer ${word}`);
        }
        const files = await complete(shell, ['policy', 'apply', '-f', 'pol']);
        assert.deepEqual(files, shell === 'bash' ? ['policies.yaml'] : ['pol*']);
      });
    }
  });
});
