import { execFileSync, spawn, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { freePort } from './free-port.js';

export interface TestPostgres {
  /** `postgres://regatta:PASSWORD@127.0.0.1:PORT/regatta`, an empty database. */
  url: string;
  password: string;
  /** The cluster's files, for tests that look at what reaches the disk. */
  dataDir: string;
  /** Kills the server and removes its files. */
  stop(): Promise<void>;
  /** Stops the server as an outage would, keeping its files; `restart` brings it back on its port. */
  halt(): Promise<void>;
  restart(): Promise<void>;
}

const binRoot = '/usr/lib/postgresql';
const user = 'regatta';

/** The newest Debian PostgreSQL server binaries (package `postgresql`, installed by scripts/setup). */
function serverBinaries(): string {
  const versions = existsSync(binRoot)
    ? readdirSync(binRoot)
        .filter((version) => existsSync(join(binRoot, version, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      `no PostgreSQL server under ${binRoot}/<version>/bin: install Debian's postgresql package (scripts/setup)`,
    );
  }
  return join(binRoot, versions[0]!, 'bin');
}

/** initdb and postgres refuse to run as root: as root they run as the `postgres` system user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch (error) {
    throw new Error(
      'running as root, PostgreSQL needs the postgres system user (Debian package postgresql)',
      {
        cause: error,
      },
    );
  }
}

function run(command: string, args: string[], options: SpawnOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}: ${output}`)),
    );
  });
}

/**
 * A throwaway PostgreSQL cluster: initdb into a temporary folder, `postgres` on a free loopback
 * port with its socket in that folder, password authentication over TCP. Throws (the test fails,
 * never skips) when it cannot start within 30 s.
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = serverBinaries();
  const owner = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'regatta-postgres-'));
  const dataDir = join(dir, 'data');
  const password = randomBytes(12).toString('hex');
  const passwordFile = join(dir, 'password');
  writeFileSync(passwordFile, `${password}\n`);
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chownSync(passwordFile, owner.uid, owner.gid);
  }
  const asOwner: SpawnOptions = owner ? { uid: owner.uid, gid: owner.gid } : {};
  try {
    // ICU en-US, as production's image collates (en_US), so tests see non-byte text order.
    await run(
      join(bin, 'initdb'),
      [
        ...['-D', dataDir, '-U', user, `--pwfile=${passwordFile}`],
        ...['--auth-local=trust', '--auth-host=scram-sha-256', '--encoding=UTF8', '--no-sync'],
        ...['--locale=C.UTF-8', '--locale-provider=icu', '--icu-locale=en-US'],
      ],
      asOwner,
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${(error as Error).message}`);
  }

  for (let attempt = 1; ; attempt++) {
    const launched = await launch(bin, dataDir, dir, asOwner, password);
    if (launched !== 'port taken') return launched;
    // The port was free when picked; another process bound it first. A new port is tried.
    if (attempt === 3) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error('postgres found its port taken 3 times');
    }
  }
}

/**
 * Starts `postgres` on a free port and waits until it accepts this cluster's password (which only
 * this cluster knows, so the server answering is the one started); 'port taken' when it could not bind.
 */
async function launch(
  bin: string,
  dataDir: string,
  dir: string,
  asOwner: SpawnOptions,
  password: string,
): Promise<TestPostgres | 'port taken'> {
  const port = await freePort();
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000));
  // fsync off: the cluster is thrown away; nothing here tests PostgreSQL's own durability.
  const spawnServer = () => {
    const child = spawn(
      join(bin, 'postgres'),
      ['-D', dataDir, '-h', '127.0.0.1', '-p', String(port), '-k', dir, '-c', 'fsync=off'],
      { ...asOwner, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    return { child, exited: once(child, 'exit') };
  };
  let { child: server, exited } = spawnServer();
  const halt = async () => {
    if (server.exitCode === null && server.signalCode === null) {
      // SIGQUIT: immediate shutdown, the server ends its backends itself.
      server.kill('SIGQUIT');
      const timer = setTimeout(() => server.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const stop = async () => {
    await halt();
    rmSync(dir, { recursive: true, force: true });
  };

  const admin = `postgres://${user}:${password}@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 30_000;
  let lastError: unknown;
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null) {
      if (/Address already in use/i.test(output)) return 'port taken';
      await stop();
      throw new Error(`postgres exited while starting (${server.exitCode ?? server.signalCode}): ${output}`);
    }
    const client = new pg.Client({ connectionString: admin });
    try {
      await client.connect();
      await client.query(`create database ${user}`);
      await client.end();
      break;
    } catch (error) {
      lastError = error;
      await client.end().catch(() => undefined);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `postgres did not accept connections on 127.0.0.1:${port} within 30 s (${(lastError as Error).message}): ${output}`,
      );
    }
    await sleep(100);
  }
  const url = `postgres://${user}:${password}@127.0.0.1:${port}/${user}`;
  const restart = async () => {
    ({ child: server, exited } = spawnServer());
    const until = Date.now() + 30_000;
    for (;;) {
      const client = new pg.Client({ connectionString: url });
      try {
        await client.connect();
        await client.end();
        return;
      } catch (error) {
        await client.end().catch(() => undefined);
        if (Date.now() > until || server.exitCode !== null)
          throw new Error(
            `postgres did not come back on port ${port}: ${(error as Error).message}: ${output}`,
          );
      }
      await sleep(100);
    }
  };
  return { url, password, dataDir, stop, halt, restart };
}
