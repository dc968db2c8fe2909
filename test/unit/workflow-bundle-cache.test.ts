// The checkout's workflow bundle cache, with the real bundler (webpack in its child process) on a
// small workflow entry in a temporary directory that imports a second module.
import assert from 'node:assert/strict';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bundleInChild, bundleWorkflowsApart } from '../../worker/bundle-workflows-apart.js';
import { cachedWorkflowBundle, recordInputs } from '../../worker/workflow-bundle-cache.js';

const nodeModules = fileURLToPath(new URL('../../node_modules', import.meta.url));

describe('workflow bundle cache', () => {
  let dir: string;
  let cacheDir: string;
  let entry: string;
  let made = 0;
  const cached = () =>
    cachedWorkflowBundle(cacheDir, entry, () => {
      made += 1;
      return bundleInChild(entry);
    });
  const entryFile = () =>
    join(cacheDir, readdirSync(cacheDir).find((name) => name.endsWith('.json')) ?? 'none');

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'regatta-bundle-cache-'));
    cacheDir = join(dir, 'cache');
    entry = join(dir, 'workflows.ts');
    // The workflow code finds @temporalio/workflow where Regatta's does.
    symlinkSync(nodeModules, join(dir, 'node_modules'));
    writeFileSync(
      entry,
      "import { greeting } from './greeting.js';\nexport const greet = async () => greeting;\n",
    );
    writeFileSync(join(dir, 'greeting.js'), "export const greeting = 'hello';\n");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The cache's answer when it must bundle: the bundler called once more, the bundle holding `text`. */
  async function bundledAnew(text: string): Promise<string> {
    const calls = made;
    const answer = await cached();
    assert.equal(answer.hit, false);
    assert.equal(made, calls + 1, 'the bundler was called');
    assert.ok(answer.bundle.code.includes(text), text);
    return answer.bundle.code;
  }

  it('miss then hit – the second start takes the stored bundle without bundling', async () => {
    const code = await bundledAnew("'hello'");
    const second = await cached();
    assert.equal(second.hit, true);
    assert.equal(made, 1, 'the bundler was not called');
    assert.equal(second.bundle.code, code);
  });

  it('an imported module edited – bundled anew, with the edit, then a hit', async () => {
    writeFileSync(join(dir, 'greeting.js'), "export const greeting = 'hello again';\n");
    await bundledAnew("'hello again'");
    assert.equal((await cached()).hit, true);
  });

  it('a file webpack looked for and did not find now exists – bundled anew', async () => {
    // './greeting.js' is looked for as greeting.ts first.
    writeFileSync(join(dir, 'greeting.ts'), "export const greeting: string = 'from typescript';\n");
    await bundledAnew("'from typescript'");
  });

  it('a truncated entry – bundled anew, never a crash, and stored whole again', async () => {
    const file = entryFile();
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, 1000));
    await bundledAnew("'from typescript'");
    assert.equal((await cached()).hit, true);
  });

  it('an entry made under another key (another Node, SDK, or npm install) – bundled anew, then a hit', async () => {
    // Its inputs are today's: only the key (what else shaped the bundle) tells it apart.
    const file = entryFile();
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { key: string; code: string };
    writeFileSync(file, JSON.stringify({ ...stored, key: 'made by another Node', code: 'stale marker' }));
    const code = await bundledAnew("'from typescript'");
    assert.ok(!code.includes('stale marker'));
    assert.equal((await cached()).hit, true);
  });

  it('bundleWorkflowsApart – from a checkout, answers the stored bundle', async () => {
    // A stored entry whose code is a marker: the answer can only have come from the cache.
    const file = entryFile();
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), code: 'stored marker' }));
    assert.equal((await bundleWorkflowsApart({ entry, cacheDir })).code, 'stored marker');
  });
});

describe('workflow bundle cache – the inputs recorded after bundling', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'regatta-bundle-inputs-'));
    for (const name of ['workflows.ts', 'module.ts']) writeFileSync(join(dir, name), name);
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'workflows.ts'), past, past);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const cases: Array<{ title: string; files: string[]; missing: string[]; recorded: boolean }> = [
    {
      title: 'files unchanged since – recorded',
      files: ['workflows.ts', '.'],
      missing: ['gone.ts'],
      recorded: true,
    },
    {
      title: 'a file written after bundling began – not recorded',
      files: ['module.ts'],
      missing: [],
      recorded: false,
    },
    {
      title: 'a path then missing now there – not recorded',
      files: [],
      missing: ['workflows.ts'],
      recorded: false,
    },
    { title: 'a file gone – not recorded', files: ['gone.ts'], missing: [], recorded: false },
  ];
  for (const { title, files, missing, recorded } of cases) {
    it(title, () => {
      const at = (name: string) => join(dir, name);
      // module.ts was written just before: bundling "began" a moment before that.
      const inputs = recordInputs(
        at('workflows.ts'),
        { files: [...files, 'workflows-autogenerated-entrypoint.cjs'].map(at), missing: missing.map(at) },
        Date.now() - 30_000,
      );
      assert.equal(inputs !== undefined, recorded);
      if (inputs) {
        assert.deepEqual(Object.keys(inputs.files), files.map(at), 'the generated entrypoint is left out');
        assert.equal(inputs.files[at('.')], 'directory');
        assert.match(inputs.files[at('workflows.ts')] ?? '', /^[0-9a-f]{64}$/);
      }
    });
  }
});
