// Regatta's folders and what each may import: the architecture (docs/architecture.md) as a lint
// rule. A relative import into another top-level folder must be allowed by `folders`; a package
// import must be in `packages` where a folder has an allow-list, and never in `deniedPackages`.
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Folder (or subfolder: the most specific wins) → the Regatta folders it may import. */
export const folders = {
  errors: [],
  oci: ['errors'],
  policies: ['errors', 'oci'],
  registry: ['errors', 'oci'],
  contract: ['errors', 'oci', 'policies'],
  store: ['errors', 'oci', 'policies', 'contract'],
  temporal: ['errors'],
  workflows: ['contract', 'policies'],
  notifications: ['errors', 'oci', 'policies', 'contract'],
  activities: ['errors', 'oci', 'policies', 'registry', 'store', 'contract', 'notifications'],
  service: ['errors', 'oci', 'policies', 'registry', 'store', 'contract', 'temporal', 'notifications'],
  api: ['errors', 'oci', 'policies', 'contract', 'service', 'console'],
  console: ['errors', 'oci', 'policies', 'contract', 'service'],
  worker: ['errors', 'contract'],
  server: [
    'errors',
    'oci',
    'policies',
    'registry',
    'store',
    'contract',
    'temporal',
    'notifications',
    'service',
    'activities',
    'api',
    'console',
    'worker',
  ],
  cli: ['errors', 'server'],
  'cli/commands': ['errors', 'oci', 'policies'],
};

const pure = ['zod'];
/** Folders whose code is pure (workflows import it): only these packages. */
export const packages = {
  errors: [],
  oci: pure,
  policies: [...pure, 'minimatch', 'semver'],
  contract: [...pure, '@temporalio/common', '@temporalio/workflow'],
  workflows: ['@temporalio/workflow'],
};

// Temporal and the database, which only the service (and the composition root) hold.
const serviceOnly = ['@temporalio/client', '@temporalio/worker', 'kysely', 'better-sqlite3', 'pg'];
/** Packages a folder must reach only through another folder. */
export const deniedPackages = {
  api: serviceOnly,
  console: serviceOnly,
  'cli/commands': serviceOnly,
};

/** Workflow code is replayed and must be deterministic: these folders are bundled into workflows. */
export const workflowFolders = ['workflows', 'contract', 'policies', 'oci', 'errors'];

export const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

function layerOf(file) {
  const relative = path.relative(root, file).split(path.sep).join('/');
  const matches = Object.keys(folders).filter((key) => relative.startsWith(`${key}/`));
  return matches.sort((a, b) => b.length - a.length)[0];
}

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: "imports follow Regatta's layers (docs/architecture.md)" },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const layer = layerOf(file);
    if (!layer) return {};
    const check = (node, specifier) => {
      if (typeof specifier !== 'string') return;
      if (specifier.startsWith('.')) {
        const target = path.relative(root, path.resolve(path.dirname(file), specifier)).split(path.sep)[0];
        if (target === layer.split('/')[0] || folders[layer].includes(target)) return;
        context.report({
          node,
          message: `${layer}/ may not import ${target}/ (allowed: ${folders[layer].join(', ') || 'none'})`,
        });
        return;
      }
      const name = packageName(specifier);
      const allowed = packages[layer];
      if (allowed && !allowed.includes(name))
        context.report({
          node,
          message: `${layer}/ may not import ${name} (allowed: ${allowed.join(', ') || 'none'})`,
        });
      if (deniedPackages[layer]?.includes(name))
        context.report({ node, message: `${layer}/ may not import ${name}: go through service/` });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export const plugin = { rules: { layers: rule } };

/**
 * The flat-config entries that hold the layers: the import table, and determinism in workflow code.
 * @type {import('eslint').Linter.Config[]}
 */
export const layerConfig = [
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { regatta: plugin },
    rules: { 'regatta/layers': 'error' },
  },
  {
    files: workflowFolders.map((folder) => `${folder}/**/*.ts`),
    rules: {
      'no-restricted-imports': ['error', { paths: nodeBuiltins }],
      'no-restricted-globals': ['error', 'setInterval', 'setImmediate', 'process'],
    },
  },
];
