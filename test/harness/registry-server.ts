import bcrypt from 'bcryptjs';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import type { TestCertificates } from './certificates.js';
import { distributionBinary, type DistributionVersion } from './distribution-binary.js';
import { eventually } from './eventually.js';
import { listeningPorts } from './listening-ports.js';

/** A header every answer of one registry start carries, with a value unique to that start. */
const instanceHeader = 'X-Regatta-Test-Instance';

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
  /** Distribution 2.8 (the default) or 3.x. */
  distribution?: DistributionVersion;
  credentials?: Credentials;
  /** Serve TLS with a certificate from the test CA. */
  tls?: TestCertificates;
  /** Extra `auth` section (for example token auth); replaces htpasswd when given. */
  auth?: Record<string, unknown>;
  notifications?: NotificationEndpoint[];
  /**
   * Distribution's in-memory cache of blob descriptors, as its packaged config.yml sets it: a HEAD
   * of a manifest no longer stats its blob on disk. Off in the test bed, where deletions must show.
   */
  blobDescriptorCache?: boolean;
}

export interface RegistryServer {
  name: string;
  distribution: DistributionVersion;
  /** Base URL, e.g. https://127.0.0.1:PORT. */
  url: string;
  host: string;
  credentials: Credentials | undefined;
  caPem: string | undefined;
  storageDir: string;
  /** A dispatcher that trusts the test CA, for tests that speak to this registry directly. */
  dispatcher: Agent;
  stop(): Promise<void>;
  /** Starts it again after `stop`, on the same address; does nothing while it runs. */
  start(): Promise<void>;
  /**
   * Stops the registry and starts it again on the same address with the same config (auth, TLS);
   * `wipe` deletes its storage folder in between, as if the site had lost its disk.
   */
  restart(options?: { wipe?: boolean }): Promise<void>;
}

/** Distribution's `notifications` section; 3.x filters media types under `ignore`, 2.8 in `ignoredmediatypes`. */
function notificationsSection(endpoints: NotificationEndpoint[], distribution: DistributionVersion) {
  return {
    events: { includereferences: true },
    endpoints: endpoints.map(({ ignoredmediatypes, ...endpoint }) => ({
      timeout: '2s',
      threshold: 3,
      backoff: '1s',
      ...endpoint,
      ...(ignoredmediatypes
        ? distribution === 3
          ? { ignore: { mediatypes: ignoredmediatypes } }
          : { ignoredmediatypes }
        : {}),
    })),
  };
}

/**
 * Starts a Distribution registry (`docker-registry serve`, 2.8, or `registry serve`, 3.x) on a
 * loopback port it binds itself (`127.0.0.1:0`, read back from /proc), and waits until `/v2/`
 * answers with this start's own identity header; a restart binds the same port again, since
 * Regatta stores the registry's URL. Both read the same configuration but for the notifications'
 * media-type filter; 3.x also exports traces unless told not to.
 */
export async function startRegistryServer(options: RegistryServerOptions): Promise<RegistryServer> {
  const distribution = options.distribution ?? 2;
  const binary = distributionBinary(distribution);
  const storageDir = join(options.dir, 'storage');
  mkdirSync(storageDir, { recursive: true });

  let auth = options.auth;
  if (!auth && options.credentials) {
    const htpasswd = join(options.dir, 'htpasswd');
    const hash = bcrypt.hashSync(options.credentials.password, 6);
    writeFileSync(htpasswd, `${options.credentials.username}:${hash}\n`);
    auth = { htpasswd: { realm: `regatta-test-${options.name}`, path: htpasswd } };
  }
  // YAML is a superset of JSON, so the registry reads this file as is.
  const configFile = join(options.dir, 'config.yml');
  const writeConfig = (port: number, instance: string) => {
    const config = {
      version: 0.1,
      log: { level: 'error', accesslog: { disabled: true }, formatter: 'text' },
      storage: {
        ...(options.blobDescriptorCache ? { cache: { blobdescriptor: 'inmemory' } } : {}),
        filesystem: { rootdirectory: storageDir },
        delete: { enabled: true },
        maintenance: { uploadpurging: { enabled: false } },
      },
      http: {
        addr: `127.0.0.1:${port}`,
        secret: `test-secret-${options.name}`,
        headers: { [instanceHeader]: [instance] },
        ...(options.tls ? { tls: { certificate: options.tls.certFile, key: options.tls.keyFile } } : {}),
      },
      ...(auth ? { auth } : {}),
      ...(options.notifications
        ? { notifications: notificationsSection(options.notifications, distribution) }
        : {}),
    };
    writeFileSync(configFile, JSON.stringify(config, null, 2));
  };

  const scheme = options.tls ? 'https' : 'http';
  const dispatcher = new Agent({ connect: options.tls ? { ca: options.tls.caPem } : {} });
  let child: ChildProcess | undefined;
  let output = '';
  /** 0 until the first start has bound a port; then every start binds that one. */
  let port = 0;

  const start = async () => {
    if (child && child.exitCode === null && child.signalCode === null) return;
    output = '';
    const instance = randomUUID();
    writeConfig(port, instance);
    const started = spawn(binary, ['serve', configFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, OTEL_TRACES_EXPORTER: 'none' },
    });
    child = started;
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
    started.stdout?.on('data', keep);
    started.stderr?.on('data', keep);
    const exited = () => started.exitCode !== null || started.signalCode !== null;
    try {
      const bound = await eventually(
        async () => (exited() ? 'exited' : listeningPorts(started.pid!)[0]),
        30_000,
        `registry ${options.name} to listen`,
      );
      if (bound === 'exited') throw new Error(`registry ${options.name} exited while starting`);
      if (port !== 0 && bound !== port)
        throw new Error(`registry ${options.name} bound ${bound}, not ${port}`);
      port = bound;
      // Answers from this start only: the header holds the identity written into its config.
      const answered = await eventually(
        async () => {
          if (exited()) return 'exited';
          const response = await request(`${scheme}://127.0.0.1:${port}/v2/`, {
            dispatcher,
            headersTimeout: 1_000,
          });
          await response.body.dump();
          return response.headers[instanceHeader.toLowerCase()] === instance && 'ready';
        },
        30_000,
        `registry ${options.name} to answer on port ${port}`,
      );
      if (answered === 'exited') throw new Error(`registry ${options.name} exited while starting`);
    } catch (error) {
      started.kill('SIGKILL');
      throw new Error(`${(error as Error).message}; its output: ${output}`, { cause: error });
    }
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
    distribution,
    url: `${scheme}://127.0.0.1:${port}`,
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
