import { isIP } from 'node:net';
import { z } from 'zod';
import { defaultNotificationSettings } from '../activities/notification-settings.js';
import { defaultExecutionsKept } from '../activities/record-execution.js';
import { errorCode, InvalidInputError } from '../errors/regatta-error.js';
import { RegistryAllowList } from '../registry/index.js';
import type { TemporalTlsSettings } from '../temporal/tls.js';
import { secretKeyProblem } from '../store/secret-key.js';

const port = z.coerce.number().int().min(0).max(65535);

/** `10.0.0.1`, `10.0.0.0/8`, `fd00::/8` or one of Express's names for a range. */
function isProxyAddress(item: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(item)) return true;
  const [address = '', bits, extra] = item.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

/** Regatta's configuration, read from the environment once at start-up (README, "Configuration"). */
export const Environment = z
  .object({
    REGATTA_API_PORT: port.default(8080),
    REGATTA_API_HOST: z.string().min(1).default('0.0.0.0'),
    /** PEM files of the API's certificate chain and private key: both serve the API over https. */
    REGATTA_TLS_CERT: z.string().min(1).optional(),
    REGATTA_TLS_KEY: z.string().min(1).optional(),
    REGATTA_DATA_DIR: z.string().min(1).default('./data'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    REGATTA_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
    REGATTA_TRUSTED_PROXY: z
      .string()
      .refine(
        (list) => list.split(',').every((item) => isProxyAddress(item.trim())),
        'must be addresses or CIDRs (or loopback, linklocal, uniquelocal), comma-separated',
      )
      .optional(),
    REGATTA_SECRET_KEY: z
      .string()
      .superRefine((value, context) => {
        const problem = secretKeyProblem(value);
        if (problem) context.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    TEMPORAL_ADDRESS: z
      .string()
      .regex(/^[^\s:/]+:\d+$/, 'must be host:port')
      .optional(),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    // TLS to TEMPORAL_ADDRESS, with Temporal's own variable names; any path set turns TLS on.
    TEMPORAL_TLS: z.enum(['true', 'false', '1', '0']).optional(),
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: z.string().min(1).optional(),
    TEMPORAL_TLS_CLIENT_CERT_PATH: z.string().min(1).optional(),
    TEMPORAL_TLS_CLIENT_KEY_PATH: z.string().min(1).optional(),
    TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
    TEMPORAL_CLI: z.string().min(1).optional(),
    TEMPORAL_UI_PORT: port.default(8233),
    /** The Temporal UI the console links runs to; unset = the dev server's UI on TEMPORAL_UI_PORT. */
    TEMPORAL_UI_URL: z
      .string()
      .regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL')
      .transform((url) => url.replace(/\/+$/, ''))
      .optional(),
    TEMPORAL_DEV_PORT: port.default(7233),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_PRETTY: z.enum(['0', '1']).optional(),
    REGATTA_WORKER_ACTIVITY_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(8),
    REGATTA_WORKER_WORKFLOW_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(40),
    /** Where a worker serves its Prometheus metrics, or `off`; unset = the command's default (worker-metrics-address.ts). */
    REGATTA_WORKER_METRICS_ADDRESS: z
      .string()
      .regex(/^([^\s:/]*:\d+|off)$/, 'must be host:port or off')
      .optional(),
    REGATTA_WORKER_SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).max(3600).default(30),
    /** Blobs one copy reads from the source at once; with the activity concurrency it sizes each registry's pool. */
    REGATTA_WORKER_BLOB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
    /** A copy (or one destination of it) with no progress for this long is cut and tried again. */
    REGATTA_STALL_TIMEOUT_SECONDS: z.coerce.number().min(1).max(3600).default(120),
    /** How long a run tries again what fails for a transient reason (a 5xx, a network error, the store down). */
    REGATTA_RETRY_BUDGET_MINUTES: z.coerce.number().min(0.1).max(1440).default(30),
    /** Closed executions kept per policy, with their tasks; older ones go as runs end. 0 keeps them all. */
    REGATTA_EXECUTIONS_KEPT: z.coerce.number().int().min(0).max(1_000_000).default(defaultExecutionsKept),
    /** How far back a policy schedule starts a run it missed while Temporal or the workers were down (Temporal's floor is 10 s). */
    REGATTA_SCHEDULE_CATCHUP_SECONDS: z.coerce.number().int().min(10).max(31_536_000).default(600),
    /** A schedule's time that comes while its last run is going: skipped, or one run kept for after it. */
    REGATTA_SCHEDULE_OVERLAP: z.enum(['skip', 'buffer_one']).default('buffer_one'),
    /** The only folder Docker config credentials are read from; unset = such credentials are refused. */
    REGATTA_DOCKER_CONFIG_DIR: z.string().min(1).optional(),
    /** Hosts, addresses and CIDR networks registries may be reached at; unset = anywhere. */
    REGATTA_REGISTRY_ALLOW: z
      .string()
      .transform((text, context) => {
        try {
          return RegistryAllowList.parse(text);
        } catch (error) {
          if (errorCode(error) !== 'INVALID_INPUT') throw error;
          context.addIssue({ code: 'custom', message: (error as Error).message.replace(/^[A-Z_]+: /, '') });
          return z.NEVER;
        }
      })
      .optional(),
    /** Webhook deliveries one client address may send at once, and per second after that. */
    REGATTA_WEBHOOK_BURST: z.coerce.number().int().min(1).max(1_000_000).default(1000),
    REGATTA_WEBHOOK_PER_SECOND: z.coerce.number().min(0.01).max(1_000_000).default(100),
    /** How long a drift GET waits for its audit before it answers 202 with a status URL. */
    REGATTA_DRIFT_WAIT_SECONDS: z.coerce.number().min(0).max(3600).default(25),
    /** Where the API answers for the readers of notifications (their links); unset = localhost and the API's port. */
    REGATTA_PUBLIC_URL: z
      .string()
      .regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'must be an http(s) URL without a query')
      .transform((url) => url.replace(/\/+$/, ''))
      .optional(),
    /** A notification's request deadline; then its retries, doubling from the first to the maximum, until it gives up. */
    REGATTA_NOTIFICATION_TIMEOUT_SECONDS: z.coerce.number().min(1).max(300).default(10),
    REGATTA_NOTIFICATION_RETRY_SECONDS: z.coerce.number().min(1).max(3600).default(10),
    REGATTA_NOTIFICATION_RETRY_MAX_SECONDS: z.coerce.number().min(1).max(86_400).default(600),
    REGATTA_NOTIFICATION_GIVE_UP_SECONDS: z.coerce
      .number()
      .min(10)
      .max(30 * 86_400)
      .default(86_400),
    /** Settled deliveries (delivered or failed) kept per notification policy; older ones go as others settle. 0 keeps them all. */
    REGATTA_NOTIFICATION_DELIVERIES_KEPT: z.coerce
      .number()
      .int()
      .min(0)
      .max(1_000_000)
      .default(defaultNotificationSettings.deliveriesKept),
  })
  .superRefine((environment, context) => {
    if (!environment.TEMPORAL_TLS_CLIENT_CERT_PATH !== !environment.TEMPORAL_TLS_CLIENT_KEY_PATH)
      context.addIssue({
        code: 'custom',
        path: [
          environment.TEMPORAL_TLS_CLIENT_CERT_PATH
            ? 'TEMPORAL_TLS_CLIENT_KEY_PATH'
            : 'TEMPORAL_TLS_CLIENT_CERT_PATH',
        ],
        message: 'a client certificate and its key go together',
      });
    // One without the other would serve plain HTTP where https was meant.
    const [given, missing] = environment.REGATTA_TLS_CERT
      ? ['REGATTA_TLS_CERT', 'REGATTA_TLS_KEY']
      : ['REGATTA_TLS_KEY', 'REGATTA_TLS_CERT'];
    if (Boolean(environment.REGATTA_TLS_CERT) !== Boolean(environment.REGATTA_TLS_KEY)) {
      context.addIssue({ code: 'custom', path: [missing], message: `is required with ${given}` });
    }
    if (environment.REGATTA_NOTIFICATION_RETRY_MAX_SECONDS < environment.REGATTA_NOTIFICATION_RETRY_SECONDS) {
      context.addIssue({
        code: 'custom',
        path: ['REGATTA_NOTIFICATION_RETRY_MAX_SECONDS'],
        message: 'must be at least REGATTA_NOTIFICATION_RETRY_SECONDS',
      });
    }
  });
export type Environment = z.infer<typeof Environment>;

/** Validates the environment; a bad value stops start-up with a message naming the variable. */
export function loadEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = Environment.safeParse(present);
  if (!result.success) {
    const issue = result.error.issues[0];
    const variable = issue?.path.join('.') ?? 'environment';
    throw new InvalidInputError(
      `invalid environment variable ${variable}: ${issue?.message ?? 'invalid'}`,
      variable,
    );
  }
  return result.data;
}

/** TLS to the Temporal server at TEMPORAL_ADDRESS (the dev server `regatta dev` starts speaks plain gRPC). */
export function temporalTlsSettings(environment: Environment): TemporalTlsSettings {
  if (!environment.TEMPORAL_ADDRESS) return { enabled: false };
  return {
    enabled: environment.TEMPORAL_TLS === 'true' || environment.TEMPORAL_TLS === '1',
    serverCaCertPath: environment.TEMPORAL_TLS_SERVER_CA_CERT_PATH,
    clientCertPath: environment.TEMPORAL_TLS_CLIENT_CERT_PATH,
    clientKeyPath: environment.TEMPORAL_TLS_CLIENT_KEY_PATH,
    serverName: environment.TEMPORAL_TLS_SERVER_NAME,
  };
}
