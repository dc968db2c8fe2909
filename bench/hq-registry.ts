import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';

/** HQ's registry: plain HTTP, on loopback or inside the uplink namespace. */
export async function startHqRegistry(dir: string, address: string, port: number, namespace?: string) {
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    JSON.stringify({
      version: 0.1,
      log: { level: 'error', accesslog: { disabled: true } },
      storage: { filesystem: { rootdirectory: join(dir, 'storage') }, delete: { enabled: true } },
      http: { addr: `${address}:${port}`, secret: 'bench' },
    }),
  );
  const command = namespace ? ['ip', 'netns', 'exec', namespace, 'docker-registry'] : ['docker-registry'];
  const child: ChildProcess = spawn(command[0]!, [...command.slice(1), 'serve', config], { stdio: 'ignore' });
  const url = `http://${address}:${port}`;
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const response = await request(`${url}/v2/`, { headersTimeout: 1000 });
      await response.body.dump();
      if (response.statusCode === 200) break;
    } catch {
      await sleep(100);
    }
  }
  return {
    url,
    host: `${address}:${port}`,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
