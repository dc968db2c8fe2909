import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestCertificates, type TestCertificates } from './certificates.js';
import type { DistributionVersion } from './distribution-binary.js';
import { startRegistryServer, type NotificationEndpoint, type RegistryServer } from './registry-server.js';
import { startTestTemporal, type TestTemporal } from './temporal-server.js';

export interface TestBed {
  dir: string;
  certificates: TestCertificates;
  temporal: TestTemporal | undefined;
  /** HQ: basic auth over TLS from the test CA. */
  hq: RegistryServer;
  /**
   * Sites: plain HTTP, basic auth, TLS with the test CA. The basic-auth site runs Distribution 3,
   * the others 2.8, so every test that copies to the sites meets both.
   */
  sites: [RegistryServer, RegistryServer, RegistryServer];
  stop(): Promise<void>;
}

export interface TestBedOptions {
  temporal?: boolean;
  /** Keep Temporal's state in a file, so the server can be stopped and started again without loss. */
  persistentTemporal?: boolean;
  hqNotifications?: NotificationEndpoint[];
  /** HQ's Distribution: 2.8 unless asked (a 3.x source, its notifications included). */
  hqDistribution?: DistributionVersion;
}

/** `REGATTA_TEST_DISTRIBUTION=3` runs every registry of every test bed on Distribution 3, for a whole pass. */
function everyRegistry(): DistributionVersion | undefined {
  const value = process.env.REGATTA_TEST_DISTRIBUTION;
  if (value === undefined || value === '') return undefined;
  if (value !== '2' && value !== '3') throw new Error('REGATTA_TEST_DISTRIBUTION must be 2 or 3');
  return Number(value) as DistributionVersion;
}

/**
 * The real parts every integration test runs against. Starting it throws when a part cannot
 * start (missing binary, port clash): the test fails, it never skips.
 */
export async function startTestBed(options: TestBedOptions = {}): Promise<TestBed> {
  const dir = mkdtempSync(join(tmpdir(), 'regatta-testbed-'));
  const folder = (name: string) => {
    const path = join(dir, name);
    mkdirSync(path, { recursive: true });
    return path;
  };
  const started: Array<{ stop(): Promise<void> }> = [];
  const stop = async () => {
    for (const part of started.reverse()) await part.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const certificates = makeTestCertificates(folder('ca'));
    const temporalPromise =
      options.temporal === false
        ? Promise.resolve(undefined)
        : startTestTemporal(options.persistentTemporal ? join(folder('temporal'), 'temporal.db') : undefined);
    const all = everyRegistry();
    const [hq, plain, basic, tls] = await Promise.all([
      startRegistryServer({
        name: 'hq',
        dir: folder('hq'),
        credentials: { username: 'hq-user', password: 'hq-password-0' },
        tls: certificates,
        notifications: options.hqNotifications,
        distribution: all ?? options.hqDistribution ?? 2,
      }),
      startRegistryServer({ name: 'site-plain', dir: folder('site-plain'), distribution: all ?? 2 }),
      startRegistryServer({
        name: 'site-basic',
        dir: folder('site-basic'),
        credentials: { username: 'site-user', password: 'site-password-1' },
        distribution: all ?? 3,
      }),
      startRegistryServer({
        name: 'site-tls',
        dir: folder('site-tls'),
        tls: certificates,
        distribution: all ?? 2,
      }),
    ]);
    started.push(hq, plain, basic, tls);
    const temporal = await temporalPromise;
    if (temporal) started.push(temporal);
    return { dir, certificates, temporal, hq, sites: [plain, basic, tls], stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
