import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { EnvironmentError } from '../errors/regatta-error.js';

/** How Regatta reaches Temporal over TLS: PEM files by path, each named by the variable that set it. */
export interface TemporalTlsSettings {
  /** TLS even without any file: the server's certificate is signed by a CA the system trusts. */
  enabled: boolean;
  serverCaCertPath?: string | undefined;
  clientCertPath?: string | undefined;
  clientKeyPath?: string | undefined;
  /** The name the server's certificate must carry, when it is not the address's host. */
  serverName?: string | undefined;
}

function readPem(path: string, variable: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new EnvironmentError(`${variable}: cannot read ${path}: ${(error as Error).message}`);
  }
}

/**
 * The TLS options of a connection to Temporal, files read now (a missing file stops start-up);
 * undefined for plain gRPC. A client certificate and key make it mutual TLS.
 */
export function loadTemporalTls(settings: TemporalTlsSettings): TLSConfig | undefined {
  const { serverCaCertPath, clientCertPath, clientKeyPath, serverName } = settings;
  if (!settings.enabled && !serverCaCertPath && !clientCertPath && !serverName) return undefined;
  return {
    ...(serverName ? { serverNameOverride: serverName } : {}),
    ...(serverCaCertPath
      ? { serverRootCACertificate: readPem(serverCaCertPath, 'TEMPORAL_TLS_SERVER_CA_CERT_PATH') }
      : {}),
    ...(clientCertPath && clientKeyPath
      ? {
          clientCertPair: {
            crt: readPem(clientCertPath, 'TEMPORAL_TLS_CLIENT_CERT_PATH'),
            key: readPem(clientKeyPath, 'TEMPORAL_TLS_CLIENT_KEY_PATH'),
          },
        }
      : {}),
  };
}
