import type { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import protos from '@temporalio/proto';
import type { Logger } from 'pino';

const IndexedValueType = protos.temporal.api.enums.v1.IndexedValueType;
const indexedValueType = {
  TEXT: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  BOOL: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KEYWORD_LIST: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
} as const;

/** Registers search attributes in the namespace when they are missing (idempotent). */
export async function registerSearchAttributes(
  connection: Connection,
  namespace: string,
  searchAttributeKeys: ReadonlyArray<{ name: string; type: SearchAttributeType }>,
  logger: Logger,
): Promise<void> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = searchAttributeKeys.filter((key) => !known.has(key.name));
  if (missing.length === 0) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((key) => [key.name, indexedValueType[key.type]])),
  });
  logger.info({ searchAttributes: missing.map((key) => key.name) }, 'registered search attributes');
}
