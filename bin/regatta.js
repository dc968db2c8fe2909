#!/usr/bin/env node
// The `regatta` command (`npx regatta`, `npm link`, `npm install -g .`). In a checkout it runs the
// TypeScript sources through tsx, so no build step is needed first and a stale build never runs;
// in the image, which holds only the compiled `dist/`, it runs that.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const source = new URL('../cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/cli/main.js', import.meta.url).href);
}
