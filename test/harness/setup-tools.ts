import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const checkout = fileURLToPath(new URL('../..', import.meta.url));

/** Where `go install` puts what scripts/setup builds: GOBIN, else GOPATH's bin, else ~/go/bin. */
const goBin = process.env.GOBIN || join(process.env.GOPATH?.split(':')[0] || join(homedir(), 'go'), 'bin');

const tools = {
  /** The project's Python (harborapi, kubernetes-validate), in the virtual environment setup makes. */
  python: join(checkout, '.venv', 'bin', 'python'),
  'kubernetes-validate': join(checkout, '.venv', 'bin', 'kubernetes-validate'),
  helm: join(goBin, 'helm'),
  /** tools/rules-check, which setup builds into the checkout's .tools. */
  'rules-check': join(checkout, '.tools', 'rules-check'),
};

/** The path of a program scripts/setup installs outside npm; throws, naming setup, when it is missing. */
export function setupTool(name: keyof typeof tools): string {
  const path = tools[name];
  if (!existsSync(path)) throw new Error(`${name} is not at ${path}: run bash scripts/setup`);
  return path;
}
