import bcrypt from 'bcryptjs';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import type { TestCertificates } from './certificates.js';
import { freePort } from './free-port.js';

export interface Credentials {
  username: string;
  password: string;
}

/** A Distribution notification endpoint (the registry's own `notifications.endpoints`). */
export interface NotificationEndpoint {
  name: string;
  url: string;
  headers: Record<string, string[]>;
  /** How often the registry retries a failed delivery. */
  backoff?: string;
  ignoredmediatypes?: string[];
}

export interface RegistryServerOptions {
  name: string;
  dir: string;
  credentials?: Credentials;
  /** Serve TLS with a certificate from the test CA. */
  tls?: TestCertificates;
  /** Extra `auth` section (for example token auth); replaces htpasswd when given. */
  auth?: Record<string, unknown>;
  notifications?: NotificationEndpoint[];
  /** Distribution 3 (`registry`, built by scripts/setup) instead of Debian's 2.8 `docker-registry`. */
  distribution3?: boolean;
}

/** Distribution 3's `registry`: REGATTA_DISTRIBUTION3 names it, else Go's default bin folder. */
export function distribution3Binary(): string {
  return process.env.REGATTA_DISTRIBUTION3 ?? join(homedir(), 'go', 'bin', 'registry');
}

export interface RegistryServer {
  name: string;
  /** Base URL, e.g. https://127.0.0.1:PORT. */
  url: string;
  host: string;
  credentials: Credentials | undefined;
  caPem: string | undefined;
  storageDir: string;
  /** A dispatcher that trusts the test CA, for tests that speak to this registry directly. */
  dispatcher: Agent;
  stop(): Promise<void>;
  start(): Promise<void>;
  /**
   * Stops the registry and starts it again on the same address with the same config (auth, TLS);
   * `wipe` deletes its storage folder in between, as if the site had lost its disk.
   */
  restart(options?: { wipe?: boolean }): Promise<void>;
}

/** Starts `docker-registry serve` (Distribution 2.8) on a free loopback port; waits until `/v2/` answers. */
export async function startRegistryServer(options: RegistryServerOptions): Promise<RegistryServer> {
  const port = await freePort();
  const storageDir = join(options.dir, 'storage');
  mkdirSync(storageDir, { recursive: true });

  let auth = options.auth;
  if (!auth && options.credentials) {
    const htpasswd = join(options.dir, 'htpasswd');
    const hash = bcrypt.hashSync(options.credentials.password, 6);
    writeFileSync(htpasswd, `${options.credentials.username}:${hash}\n`);
    auth = { htpasswd: { realm: `regatta-test-${options.name}`, path: htpasswd } };
  }
  const config = {
    version: 0.1,
    log: { level: 'error', accesslog: { disabled: true }, formatter: 'text' },
    storage: {
      filesystem: { rootdirectory: storageDir },
      delete: { enabled: true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: {
      addr: `127.0.0.1:${port}`,
      secret: `test-secret-${options.name}`,
      ...(options.tls ? { tls: { certificate: options.tls.certFile, key: options.tls.keyFile } } : {}),
    },
    ...(auth ? { auth } : {}),
    ...(options.notifications
      ? {
          notifications: {
            events: { includereferences: true },
            endpoints: options.notifications.map((endpoint) => ({
              timeout: '2s',
              threshold: 3,
              backoff: '1s',
              ...endpoint,
            })),
          },
        }
      : {}),
  };
  // YAML is a superset of JSON, so the registry reads this file as is.
  const configFile = join(options.dir, 'config.yml');
  writeFileSync(configFile, JSON.stringify(config, null, 2));

  const scheme = options.tls ? 'https' : 'http';
  const url = `${scheme}://127.0.0.1:${port}`;
  const dispatcher = new Agent({ connect: options.tls ? { ca: options.tls.caPem } : {} });
  let child: ChildProcess | undefined;
  let output = '';

  const start = async () => {
    output = '';
    const binary = options.distribution3 ? distribution3Binary() : 'docker-registry';
    child = spawn(binary, ['serve', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.once('error', (error) => (output += `cannot start ${binary}: ${error.message}`));
    child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) break;
      try {
        const response = await request(`${url}/v2/`, { dispatcher, headersTimeout: 1_000 });
        await response.body.dump();
        if (response.statusCode === 200 || response.statusCode === 401) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    child.kill('SIGKILL');
    throw new Error(`registry ${options.name} did not start on ${url}: ${output}`);
  };
  const stop = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child?.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  await start();
  return {
    name: options.name,
    url,
    host: `127.0.0.1:${port}`,
    credentials: options.credentials,
    caPem: options.tls?.caPem,
    storageDir,
    dispatcher,
    start,
    stop,
    async restart({ wipe = false } = {}) {
      await stop();
      if (wipe) {
        rmSync(storageDir, { recursive: true, force: true });
        mkdirSync(storageDir, { recursive: true });
      }
      await start();
    },
  };
}
