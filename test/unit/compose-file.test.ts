import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { taskQueue } from '../../contract/index.js';
import { Environment, loadEnvironment } from '../../server/environment.js';
import { dockerfileStages, imageRuntime, type Stage } from '../harness/dockerfile.js';

// No Docker engine runs here: these tests read docker-compose.yml, .env.example, Dockerfile and
// .dockerignore as files and check what `docker compose up` would rely on.

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (name: string): string => readFileSync(join(root, name), 'utf8');

type Scalar = string | number | boolean | null;
interface PortObject {
  target?: number | string;
  published?: number | string;
  host_ip?: string;
}
interface VolumeObject {
  type?: string;
  source?: string;
  target?: string;
}
interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  container_name?: string;
  depends_on?: string[] | Record<string, { condition?: string }>;
  environment?: Record<string, Scalar> | string[];
  env_file?: unknown;
  ports?: Array<string | number | PortObject>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  volumes?: Array<string | VolumeObject>;
  restart?: string;
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as ComposeFile;
const services = compose.services;

function service(name: string): Service {
  const found = services[name];
  assert.ok(found, `service ${name} is missing`);
  return found;
}

// --- Compose variable interpolation (${VAR}, ${VAR:-default}, ${VAR:?error}; $$ is a literal $) ---

interface Reference {
  name: string;
  hasDefault: boolean;
}

const referencePattern = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}/g;

function withoutEscapes(value: string): string {
  return value.replaceAll('$$', '');
}

function references(value: string): Reference[] {
  return [...withoutEscapes(value).matchAll(referencePattern)].map((match) => ({
    name: match[1] ?? '',
    hasDefault: match[2] === '-' || match[2] === ':-',
  }));
}

/** Replaces references as compose would, with `given` for the variables set in `.env`. */
function interpolate(value: string, given: Record<string, string>): string {
  return value.replace(referencePattern, (_whole, name: string, operator?: string, argument?: string) => {
    const set = given[name];
    if (operator === ':-' || operator === '-')
      return set === undefined || set === '' ? (argument ?? '') : set;
    assert.ok(set !== undefined, `${name} has no default and no value in the test`);
    return set;
  });
}

function* strings(node: unknown): Generator<string> {
  if (typeof node === 'string') yield node;
  else if (Array.isArray(node)) for (const item of node) yield* strings(item);
  else if (node && typeof node === 'object') for (const item of Object.values(node)) yield* strings(item);
}

const allReferences = [...strings(compose)].flatMap(references);
const requiredVariables = [...new Set(allReferences.filter((r) => !r.hasDefault).map((r) => r.name))].sort();

/** Sample values for the variables that have no default (what a user puts in .env). */
const sampleSecrets = Object.fromEntries(
  requiredVariables.map((name) => [name, `sample-${name.toLowerCase().replaceAll('_', '-')}-0123456789`]),
);

// --- Small readers ----------------------------------------------------------------------------

function environmentOf(entry: Service): Record<string, string> {
  const environment = entry.environment ?? {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      environment.map((line) => {
        const at = line.indexOf('=');
        return at < 0 ? [line, ''] : [line.slice(0, at), line.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(environment).map(([key, value]) => [key, value === null ? '' : String(value)]),
  );
}

function dependenciesOf(entry: Service): Record<string, string> {
  const dependsOn = entry.depends_on ?? {};
  if (Array.isArray(dependsOn)) return Object.fromEntries(dependsOn.map((name) => [name, 'service_started']));
  return Object.fromEntries(
    Object.entries(dependsOn).map(([name, options]) => [name, options.condition ?? 'service_started']),
  );
}

interface Published {
  hostPort: number;
  containerPort: number;
  hostIp: string;
}

function publishedPorts(entry: Service): Published[] {
  const result: Published[] = [];
  for (const port of entry.ports ?? []) {
    if (typeof port === 'object') {
      if (port.published === undefined) continue;
      result.push({
        hostPort: Number(interpolate(String(port.published), {})),
        containerPort: Number(port.target),
        hostIp: port.host_ip ?? '',
      });
      continue;
    }
    const parts = interpolate(String(port), {})
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    if (parts.length < 2) continue; // container port only: Docker picks a free host port
    const containerPort = Number(parts.pop());
    const hostPort = Number(parts.pop());
    result.push({ hostPort, containerPort, hostIp: parts.join(':') });
  }
  return result;
}

function volumeEntries(entry: Service): Array<{ source: string; target: string }> {
  return (entry.volumes ?? []).map((volume) => {
    if (typeof volume === 'object') return { source: volume.source ?? '', target: volume.target ?? '' };
    const [source = '', target = ''] = volume.split(':');
    return { source, target };
  });
}

// --- The compose file -------------------------------------------------------------------------

const expectedServices = [
  'api',
  'registry-dc-a',
  'registry-dc-b',
  'registry-dc-c',
  'registry-hq',
  'regatta-postgresql',
  'temporal',
  'temporal-namespace',
  'temporal-postgresql',
  'temporal-schema',
  'temporal-ui',
  'worker',
];

const regattaProcesses = ['api', 'worker'] as const;

describe('docker-compose.yml', () => {
  it('services – the full stack and nothing else', () => {
    assert.deepEqual(Object.keys(services).sort(), [...expectedServices].sort());
  });

  it('images – Temporal server with the admin-tools schema job (not auto-setup), registry:2, postgres', () => {
    assert.match(service('temporal').image ?? '', /^temporalio\/server:/);
    assert.match(service('temporal-schema').image ?? '', /^temporalio\/admin-tools:/);
    assert.match(service('temporal-namespace').image ?? '', /^temporalio\/admin-tools:/);
    assert.match(service('temporal-ui').image ?? '', /^temporalio\/ui:/);
    for (const name of Object.keys(services)) {
      assert.doesNotMatch(
        services[name]?.image ?? '',
        /auto-setup/,
        `${name} uses the deprecated auto-setup`,
      );
    }
    for (const name of ['registry-hq', 'registry-dc-a', 'registry-dc-b', 'registry-dc-c']) {
      assert.equal(service(name).image, 'registry:2', name);
    }
    for (const name of ['temporal-postgresql', 'regatta-postgresql']) {
      assert.match(service(name).image ?? '', /^postgres:\d+/, name);
    }
    // Schema and server from the same Temporal release: the schema must match the server.
    const tag = (image?: string) => image?.slice(image.indexOf(':') + 1);
    assert.equal(tag(service('temporal-schema').image), tag(service('temporal').image));
  });

  it('depends_on – names only services of the file, with conditions they can meet', () => {
    for (const [name, entry] of Object.entries(services)) {
      for (const [target, condition] of Object.entries(dependenciesOf(entry))) {
        const dependency = services[target];
        assert.ok(dependency, `${name} depends on ${target}, which is not a service`);
        assert.ok(
          ['service_started', 'service_healthy', 'service_completed_successfully'].includes(condition),
          `${name} → ${target}: unknown condition ${condition}`,
        );
        if (condition === 'service_healthy') {
          assert.ok(
            dependency.healthcheck?.test && !dependency.healthcheck.disable,
            `${name} waits for ${target} to be healthy, but ${target} has no health check`,
          );
        }
        if (condition === 'service_completed_successfully') {
          assert.ok(
            dependency.restart === undefined || dependency.restart === 'no',
            `${name} waits for ${target} to complete, but ${target} restarts (${dependency.restart})`,
          );
        }
      }
    }
  });

  it('depends_on – no cycle', () => {
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (name: string, path: string[]) => {
      if (state.get(name) === 'done') return;
      assert.notEqual(state.get(name), 'visiting', `cycle: ${[...path, name].join(' → ')}`);
      state.set(name, 'visiting');
      for (const target of Object.keys(dependenciesOf(service(name)))) visit(target, [...path, name]);
      state.set(name, 'done');
    };
    for (const name of Object.keys(services)) visit(name, []);
  });

  it('start order – schema before server, namespace before Regatta, databases healthy first', () => {
    assert.deepEqual(dependenciesOf(service('temporal-schema')), {
      'temporal-postgresql': 'service_healthy',
    });
    assert.deepEqual(dependenciesOf(service('temporal')), {
      'temporal-schema': 'service_completed_successfully',
    });
    assert.deepEqual(dependenciesOf(service('temporal-namespace')), { temporal: 'service_healthy' });
    for (const name of regattaProcesses) {
      assert.deepEqual(
        dependenciesOf(service(name)),
        {
          temporal: 'service_healthy',
          'temporal-namespace': 'service_completed_successfully',
          'regatta-postgresql': 'service_healthy',
        },
        name,
      );
    }
  });

  it('api and worker – one image, two commands', () => {
    const api = service('api');
    const worker = service('worker');
    assert.ok(api.image, 'api names its image');
    assert.equal(worker.image, api.image);
    assert.deepEqual(worker.build, api.build);
    assert.deepEqual(api.command, ['api']);
    assert.deepEqual(worker.command, ['worker']);
  });

  it('api and worker – pass only variables that Regatta reads', () => {
    const known = new Set(Object.keys(Environment.shape));
    for (const name of regattaProcesses) {
      const entry = service(name);
      assert.equal(entry.env_file, undefined, `${name} must not pass a whole env_file`);
      const passed = Object.keys(environmentOf(entry));
      assert.ok(passed.length > 0, `${name} passes no environment`);
      for (const variable of passed) {
        assert.ok(known.has(variable), `${name} passes ${variable}, which Regatta does not read`);
      }
    }
  });

  it('api and worker – their environment passes Regatta validation and points at the stack', () => {
    for (const name of regattaProcesses) {
      const resolved = Object.fromEntries(
        Object.entries(environmentOf(service(name))).map(([key, value]) => [
          key,
          interpolate(value, sampleSecrets),
        ]),
      );
      const environment = loadEnvironment(resolved);
      const [temporalHost] = (environment.TEMPORAL_ADDRESS ?? '').split(':');
      assert.equal(temporalHost, 'temporal', `${name}: TEMPORAL_ADDRESS`);
      assert.ok(environment.DATABASE_URL, `${name}: DATABASE_URL (PostgreSQL store, shared by all)`);
      assert.equal(new URL(environment.DATABASE_URL).hostname, 'regatta-postgresql', `${name}: DATABASE_URL`);
      assert.ok(environment.REGATTA_SECRET_KEY, `${name}: REGATTA_SECRET_KEY shared by the API and workers`);
    }
    const api = loadEnvironment(
      Object.fromEntries(
        Object.entries(environmentOf(service('api'))).map(([key, value]) => [
          key,
          interpolate(value, sampleSecrets),
        ]),
      ),
    );
    assert.ok(api.REGATTA_ADMIN_PASSWORD, 'the API gets its admin password from .env');
    assert.deepEqual(
      publishedPorts(service('api')).map((port) => port.containerPort),
      [api.REGATTA_API_PORT],
      'the API publishes the port it listens on',
    );
    assert.ok(
      (service('api').healthcheck?.test ?? []).toString().includes(`:${api.REGATTA_API_PORT}/`),
      'the API health check asks the port it listens on',
    );
  });

  it('worker – scalable with --scale: no container_name, no host port', () => {
    const worker = service('worker');
    assert.equal(worker.container_name, undefined);
    assert.deepEqual(publishedPorts(worker), []);
  });

  it('ports – the expected host ports, none published twice', () => {
    const byService = Object.fromEntries(
      Object.entries(services)
        .map(([name, entry]) => [name, publishedPorts(entry).map((port) => port.hostPort)] as const)
        .filter(([, ports]) => ports.length > 0),
    );
    assert.deepEqual(byService, {
      temporal: [7233],
      'temporal-ui': [8233],
      api: [8080],
      'registry-hq': [5000],
      'registry-dc-a': [5001],
      'registry-dc-b': [5002],
      'registry-dc-c': [5003],
    });
    const seen = new Map<number, string>();
    for (const [name, ports] of Object.entries(byService)) {
      for (const port of ports) {
        assert.ok(!seen.has(port), `host port ${port} is published by ${seen.get(port)} and ${name}`);
        seen.set(port, name);
      }
    }
    assert.deepEqual(
      publishedPorts(service('temporal-ui')).map((port) => port.containerPort),
      [8080],
      'the Temporal UI listens on 8080 inside',
    );
    // Services without authentication are reachable from this host only; so is the API by
    // default, since it speaks plain HTTP unless given a certificate.
    for (const name of [
      'api',
      'temporal',
      'temporal-ui',
      'registry-hq',
      'registry-dc-a',
      'registry-dc-b',
      'registry-dc-c',
    ]) {
      for (const port of publishedPorts(service(name))) assert.equal(port.hostIp, '127.0.0.1', name);
    }
  });

  it('registry-hq – notifies the API with a bearer secret from .env', () => {
    const endpoints = parse(
      environmentOf(service('registry-hq')).REGISTRY_NOTIFICATIONS_ENDPOINTS ?? '',
    ) as Array<{
      url?: string;
      headers?: Record<string, string[]>;
    }>;
    assert.equal(endpoints.length, 1);
    const [endpoint] = endpoints;
    const apiPort = environmentOf(service('api')).REGATTA_API_PORT;
    assert.equal(endpoint?.url, `http://api:${apiPort}/webhooks/registries/1`);
    const authorization = endpoint?.headers?.Authorization ?? [];
    assert.equal(authorization.length, 1);
    assert.match(authorization[0] ?? '', /^Bearer \$\{HQ_WEBHOOK_SECRET(:\?[^}]*)?\}$/);
  });

  it('health checks – every long-running service has one, except the worker and the UI', () => {
    const oneShot = ['temporal-schema', 'temporal-namespace'];
    for (const [name, entry] of Object.entries(services)) {
      if (oneShot.includes(name) || name === 'worker' || name === 'temporal-ui') continue;
      assert.ok(entry.healthcheck?.test, `${name} has no health check`);
    }
    for (const name of oneShot) assert.equal(service(name).restart, 'no', `${name} runs once`);
  });

  it('volumes – state in named volumes; bind mounts name files of the repository', () => {
    const declared = Object.keys(compose.volumes ?? {});
    const mounts = (name: string) => volumeEntries(service(name));
    for (const name of ['temporal-postgresql', 'regatta-postgresql']) {
      const data = mounts(name).find((volume) => volume.target === '/var/lib/postgresql/data');
      assert.ok(data && declared.includes(data.source), `${name} keeps its data in a named volume`);
    }
    for (const name of ['registry-hq', 'registry-dc-a', 'registry-dc-b', 'registry-dc-c']) {
      const data = mounts(name).find((volume) => volume.target === '/var/lib/registry');
      assert.ok(data && declared.includes(data.source), `${name} keeps its blobs in a named volume`);
    }
    for (const name of Object.keys(services)) {
      for (const { source } of mounts(name)) {
        if (source.startsWith('.') || source.startsWith('/')) {
          assert.ok(existsSync(join(root, source)), `${name} mounts ${source}, which does not exist`);
        } else {
          assert.ok(declared.includes(source), `${name} mounts volume ${source}, which is not declared`);
        }
      }
    }
    for (const script of ['setup-schema.sh', 'create-namespace.sh']) {
      assert.ok(existsSync(join(root, 'deploy/temporal', script)), script);
    }
  });

  it("temporal – its dynamic config writes Regatta's task queue to one partition, and reads them all", () => {
    const file = service('temporal').environment as Record<string, Scalar>;
    assert.equal(file.DYNAMIC_CONFIG_FILE_PATH, '/etc/temporal/config/dynamicconfig/regatta.yaml');
    type Values = Array<{ value: unknown; constraints?: Record<string, unknown> }>;
    const config = parse(read('deploy/temporal/dynamicconfig/regatta.yaml')) as Record<string, Values>;
    assert.deepEqual(config['matching.numTaskqueueWritePartitions'], [
      { value: 1, constraints: { taskQueueName: taskQueue } },
    ]);
    // Fewer read partitions would strand the tasks already queued in the others.
    assert.equal(config['matching.numTaskqueueReadPartitions'], undefined);
  });
});

// --- Secrets ----------------------------------------------------------------------------------

function envExample(): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of read('.env.example').split('\n')) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (match?.[1]) entries.set(match[1], match[2] ?? '');
  }
  return entries;
}

describe('secrets', () => {
  it('compose – the secrets are the variables without a default', () => {
    assert.deepEqual(requiredVariables, [
      'HQ_WEBHOOK_SECRET',
      'REGATTA_ADMIN_PASSWORD',
      'REGATTA_DB_PASSWORD',
      'REGATTA_SECRET_KEY',
      'TEMPORAL_DB_PASSWORD',
    ]);
  });

  it('.env.example – lists every variable without a default, with an empty placeholder', () => {
    const example = envExample();
    for (const name of requiredVariables) {
      assert.ok(example.has(name), `${name} is used without a default but missing from .env.example`);
      assert.equal(example.get(name), '', `${name} must not have a value in .env.example`);
    }
    const used = new Set(allReferences.map((reference) => reference.name));
    for (const name of example.keys())
      assert.ok(used.has(name), `.env.example sets ${name}, which compose never uses`);
  });

  it('compose – no password, secret or key is written in the file', () => {
    for (const [name, entry] of Object.entries(services)) {
      for (const [key, value] of Object.entries(environmentOf(entry))) {
        if (!/PASSWORD|PWD|SECRET|TOKEN|_KEY$/.test(key)) continue;
        assert.ok(
          references(value).some((reference) => !reference.hasDefault),
          `${name}: ${key} must come from a variable without a default`,
        );
      }
    }
    for (const name of regattaProcesses) {
      const url = environmentOf(service(name)).DATABASE_URL ?? '';
      assert.match(url, /^postgres:\/\/[^:@]+:\$\{[A-Z_]+(:\?[^}]*)?\}@/, `${name}: DATABASE_URL password`);
    }
  });

  it('compose – variables are written ${VAR}, never $VAR', () => {
    for (const value of strings(compose)) {
      assert.doesNotMatch(withoutEscapes(value), /\$(?!\{)/, `unbraced variable in: ${value}`);
    }
  });
});

// --- Dockerfile -------------------------------------------------------------------------------

describe('Dockerfile', () => {
  const stages = dockerfileStages(read('Dockerfile'));
  const runtime = stages.at(-1);
  const stageNamed = (name: string) => stages.find((stage) => stage.name === name);
  /** The stage and the stages it is built on, innermost first. */
  const lineage = (stage: Stage): Stage[] => {
    const parent = stageNamed(stage.base);
    return parent ? [stage, ...lineage(parent)] : [stage];
  };
  const runs = (stage: Stage) =>
    lineage(stage).flatMap((s) => s.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args));
  const npmInstalls = (stage: Stage) =>
    runs(stage).filter((command) => /\bnpm (ci|install|i)\b/.test(command));

  it('multi-stage – a build stage compiles, the runtime stage starts from a clean Node image', () => {
    assert.ok(stages.length >= 2, 'at least two stages');
    assert.ok(runtime);
    assert.match(runtime.base, /^node:/, 'the runtime stage starts from a Node image, not from the build');
    assert.ok(
      stages.some((stage) => runs(stage).some((command) => command.includes('npm run build'))),
      'a stage runs npm run build',
    );
    assert.ok(
      !runs(runtime).some((command) => /apt-get install|g\+\+|npm run build/.test(command)),
      'no compiler or build in the runtime stage',
    );
  });

  it('production dependencies – node_modules of the runtime come from npm ci --omit=dev', () => {
    assert.ok(runtime);
    assert.equal(npmInstalls(runtime).length, 0, 'the runtime stage itself installs nothing');
    const copies = runtime.instructions.filter((i) => i.keyword === 'COPY' && /node_modules/.test(i.args));
    assert.equal(copies.length, 1, 'node_modules is copied once');
    const from = /--from=(\S+)/.exec(copies[0]?.args ?? '')?.[1] ?? '';
    const source = stageNamed(from);
    assert.ok(source, `node_modules comes from stage ${from}`);
    const installs = npmInstalls(source);
    assert.ok(installs.length > 0, `stage ${from} installs the dependencies`);
    for (const command of installs)
      assert.match(command, /npm ci\b.*--omit=dev/, `stage ${from}: ${command}`);
  });

  it('runtime – a non-root user runs node dist/cli/main.js', () => {
    assert.ok(runtime);
    const users = runtime.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args);
    assert.ok(users.length > 0, 'the runtime stage sets USER');
    assert.ok(!['root', '0', '0:0', 'root:root'].includes(users.at(-1) ?? ''), `USER ${users.at(-1)}`);
    const start = runtime.instructions
      .filter((i) => i.keyword === 'ENTRYPOINT' || i.keyword === 'CMD')
      .map((i) => i.args)
      .join(' ');
    assert.match(start, /"node",\s*"dist\/cli\/main\.js"/);
  });

  it('runtime – two malloc arenas, not one per thread; large blocks mapped on their own', () => {
    // As the benches read it (BENCH_BUILT runs Regatta with this environment).
    const { env } = imageRuntime(read('Dockerfile'));
    assert.equal(env.MALLOC_ARENA_MAX, '2');
    assert.equal(env.MALLOC_MMAP_THRESHOLD_, '131072');
    assert.equal(env.NODE_ENV, 'production');
  });

  it('runtime – `regatta` on PATH is the bin, which runs dist/ where there are no sources', () => {
    assert.ok(runtime);
    const args = runtime.instructions.map((i) => `${i.keyword} ${i.args}`);
    assert.ok(
      args.some((line) => /^COPY .*\bbin \.\/bin$/.test(line)),
      'the runtime stage copies bin/',
    );
    assert.ok(
      args.includes('RUN ln -s /app/bin/regatta.js /usr/local/bin/regatta'),
      'regatta is linked onto PATH',
    );
    assert.match(read('bin/regatta.js'), /dist\/cli\/main\.js/);
  });

  it('.dockerignore – keeps dependencies, build output, local state and secrets out', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const entry of ['node_modules', 'dist', 'data', '.git', '.env', '.env.*']) {
      assert.ok(ignored.includes(entry), `.dockerignore lacks ${entry}`);
    }
  });
});
