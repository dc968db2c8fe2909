// The peers as their users run them, for the benches: regsync (`once`, parallel 8) and skopeo
// (`sync --src yaml`), pinned versions built with `go install` when missing.
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const maxBuffer = 64 * 1024 * 1024;
export const goBin = join(homedir(), 'go', 'bin');

const pinnedPeers = {
  regsync: 'github.com/regclient/regclient/cmd/regsync@v0.11.7',
  crane: 'github.com/google/go-containerregistry/cmd/crane@v0.22.1',
};

/** Builds a pinned peer with `go install` when ~/go/bin does not have it (the first run only). */
export async function ensurePeer(name: keyof typeof pinnedPeers): Promise<void> {
  if (existsSync(join(goBin, name))) return;
  console.log(`bench: building ${pinnedPeers[name]}`);
  await run('go', ['install', pinnedPeers[name]], { maxBuffer });
}

/** `regsync once` copying each repository (every tag) from `source` to each site, 8 at a time. */
export async function regsyncOnce(
  dir: string,
  source: string,
  sites: readonly string[],
  repositories: readonly string[],
): Promise<void> {
  const lines = [
    'version: 1',
    'creds:',
    ...[source, ...sites].flatMap((host) => [`  - registry: ${host}`, '    tls: disabled']),
  ];
  lines.push('defaults:', '  parallel: 8', 'sync:');
  for (const site of sites)
    for (const repository of repositories)
      lines.push(
        `  - source: ${source}/${repository}`,
        `    target: ${site}/${repository}`,
        '    type: repository',
      );
  const config = join(dir, 'regsync.yaml');
  writeFileSync(config, `${lines.join('\n')}\n`);
  await run(join(goBin, 'regsync'), ['once', '-c', config, '-v', 'warn'], { maxBuffer });
}

/** `skopeo sync` of the `repository:tag` images from `source` to the sites, the sites at once. */
export async function skopeoSync(
  dir: string,
  source: string,
  sites: readonly string[],
  images: readonly string[],
): Promise<void> {
  const config = join(dir, 'skopeo.yaml');
  const byRepository = new Map<string, string[]>();
  for (const image of images) {
    const [repository, tag] = image.split(':') as [string, string];
    byRepository.set(repository, [...(byRepository.get(repository) ?? []), tag]);
  }
  const lines = [...byRepository].map(([repository, tags]) => `    ${repository}: [${tags.join(', ')}]`);
  writeFileSync(config, `${source}:\n  tls-verify: false\n  images:\n${lines.join('\n')}\n`);
  await Promise.all(
    sites.map((site) =>
      run('skopeo', ['sync', '--src', 'yaml', '--dest', 'docker', '--dest-tls-verify=false', config, site], {
        maxBuffer,
      }),
    ),
  );
}
