import { z } from 'zod';
import { InvalidInputError } from '../errors/regatta-error.js';

const port = z.coerce.number().int().min(0).max(65535);

/** Regatta's configuration, read from the environment once at start-up (DESIGN.md, "Configuration"). */
export const Environment = z.object({
  REGATTA_API_PORT: port.default(8080),
  REGATTA_API_HOST: z.string().min(1).default('0.0.0.0'),
  REGATTA_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  REGATTA_ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  REGATTA_SECRET_KEY: z.string().min(1).optional(),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:/]+:\d+$/, 'must be host:port')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
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
