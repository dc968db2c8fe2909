/**
 * The folders of pure code that workflows import (schemas, functions, constants; lint holds them
 * to it: eslint/layers.js). The worker tells webpack their modules have no side effects, and each
 * workflow thread loads them once for all its workflows (workflows/pure-modules.ts).
 */
export const pureFolders = ['contract', 'policies', 'oci', 'errors'] as const;
