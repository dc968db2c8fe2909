import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

// The image installs `npm ci --omit=dev` and runs the compiled dist/: what only builds, checks or
// runs sources in a checkout stays out of what it ships.
describe('package.json – build-only packages are devDependencies', () => {
  for (const name of ['tsx', 'esbuild', 'typescript', 'eslint', 'prettier', 'playwright-core']) {
    it(`${name} – not a runtime dependency`, () => {
      assert.equal(manifest.dependencies[name], undefined);
    });
  }
  it('tsx – a devDependency, for npm start, the tests and bin/regatta.js in a checkout', () => {
    assert.ok(manifest.devDependencies.tsx);
  });
});
