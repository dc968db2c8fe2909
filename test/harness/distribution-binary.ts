import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Which Distribution a test registry runs: 2.8 (Debian's `docker-registry`) or 3.x. */
export type DistributionVersion = 2 | 3;

/** The release scripts/setup installs with `go install`. */
export const distribution3Release = 'v3.1.2';

let found: string | undefined;

function isDistribution3(path: string): boolean {
  const version = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return version.status === 0 && version.stdout.includes(`distribution/v3 ${distribution3Release}`);
}

/** Where `go install` puts binaries: GOBIN, else GOPATH/bin (GOPATH defaults to ~/go). */
function goBinDirectories(): string[] {
  const fromEnvironment = [
    process.env.GOBIN,
    ...(process.env.GOPATH ?? '').split(delimiter).map((path) => path && join(path, 'bin')),
    join(homedir(), 'go', 'bin'),
  ];
  const go = spawnSync('go', ['env', 'GOBIN', 'GOPATH'], { encoding: 'utf8', timeout: 10_000 });
  const [gobin, gopath] = go.status === 0 ? go.stdout.split('\n') : [];
  return [...fromEnvironment, gobin, gopath && join(gopath, 'bin')].filter((path): path is string => !!path);
}

/**
 * The command that serves a Distribution registry. Distribution 3 is `registry` from
 * `REGATTA_DISTRIBUTION3_BIN`, or where `go install` put it, or PATH; a test that needs it fails
 * with what to run when it is not there (it never skips).
 */
export function distributionBinary(version: DistributionVersion): string {
  if (version === 2) return 'docker-registry';
  if (found) return found;
  const candidates = [
    process.env.REGATTA_DISTRIBUTION3_BIN,
    ...goBinDirectories().map((directory) => join(directory, 'registry')),
    ...(process.env.PATH ?? '').split(delimiter).map((directory) => join(directory, 'registry')),
  ].filter((path): path is string => !!path && existsSync(path));
  found = candidates.find(isDistribution3);
  if (!found)
    throw new Error(
      `Distribution ${distribution3Release} (registry) not found: run bash scripts/setup, or set REGATTA_DISTRIBUTION3_BIN`,
    );
  return found;
}
