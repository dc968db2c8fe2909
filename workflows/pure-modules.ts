// Loaded once per workflow thread, before any workflow starts (the bundle's preloadModules). The
// workflow sandbox evaluates every module anew for each workflow, and Regatta's pure modules build
// their zod schemas as they load: some 15–20 ms of each run's first workflow task. Loaded here,
// they are evaluated once and shared by every workflow of the thread. Nothing of them reads the
// clock or randomness as it loads (no workflow exists yet, and the SDK refuses both), and what they
// keep is the same for every workflow: their constants, their schemas, and caches of pure results.
//
// The bundle holds only the pure modules that workflows import (create-worker.ts marks them free of
// side effects), so loading every one here loads nothing workflows do not use. Module ids are
// paths from the checkout (the bundle's context, named).
import { pureFolders } from '../contract/pure-folders.js';

declare const __webpack_modules__: Record<string, unknown>;
declare const __webpack_require__: (id: string) => unknown;
const moduleCache = (
  globalThis as unknown as { __webpack_module_cache__: Record<string, object | undefined> }
).__webpack_module_cache__;

const pureModule = new RegExp(`^\\./(?:${pureFolders.join('|')})/`);
const ids = Object.keys(__webpack_modules__);
const loadedBefore = new Set(ids.filter((id) => moduleCache[id] !== undefined));

const frozen = new Set<object>();
for (const id of ids.filter((id) => pureModule.test(id))) freezeData(__webpack_require__(id), frozen);

// The SDK freezes shared modules deeply, and stops at an object frozen already. A zod schema builds
// its parts on first use (its methods, its parser) and fails frozen: every module loaded here is
// frozen at its record, which no workflow can then swap, and the data the pure modules export is
// frozen above, all but their schemas.
for (const id of ids) {
  const record = moduleCache[id];
  if (record !== undefined && !loadedBefore.has(id)) Object.freeze(record);
}

/** Freezes the objects `value` reaches, as the SDK would, but for zod schemas; functions are not followed. */
function freezeData(value: unknown, seen: Set<object>): void {
  if (typeof value !== 'object' || value === null || seen.has(value) || Object.hasOwn(value, '_zod')) return;
  seen.add(value);
  for (const key of Reflect.ownKeys(value)) freezeData(Reflect.get(value, key), seen);
  Object.freeze(value);
}
