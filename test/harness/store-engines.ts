import type { DialectKind } from '../../store/dialect.js';

/** The engines the store's tests run on, one `describe` each; PostgreSQL from postgres-server.ts. */
export const storeEngines: readonly DialectKind[] = ['sqlite', 'postgresql'];
