import {
  PrometheusRule,
  ServiceMonitor,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { runCommand } from '../harness/run-command.js';
import { setupTool } from '../harness/setup-tools.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const chart = join(root, 'deploy/helm/regatta');
const valuesFiles = readdirSync(join(chart, 'ci')).filter((name) => name.endsWith('.yaml'));
// The oldest Kubernetes the chart supports (Chart.yaml's kubeVersion) and the newest with schemas here.
const kubernetesVersions = ['1.27.0', '1.35.0'];

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string } };
}
interface Container {
  name: string;
  args: string[];
  env: EnvVar[];
  volumeMounts: Array<{ name: string; mountPath: string }>;
  livenessProbe?: { httpGet?: { path: string; port: string }; tcpSocket?: { port: string } };
  readinessProbe?: { httpGet?: { path: string; port: string } };
}
interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: {
    replicas?: number;
    template?: {
      spec: {
        terminationGracePeriodSeconds?: number;
        containers: Container[];
        volumes: Array<{ name: string; secret?: { secretName: string } }>;
      };
    };
    endpoints?: Array<{
      port: string;
      relabelings: Array<{ targetLabel: string; replacement: string }>;
      authorization?: { type: string; credentials: { name: string; key: string } };
    }>;
    groups?: unknown;
  };
}

async function helm(args: string[]) {
  return runCommand(setupTool('helm'), args, { timeout: 60_000 });
}

/** `helm template` of the chart with one values file (or none), as documents. */
async function template(valuesFile: string | undefined, set: string[] = []) {
  const values = valuesFile ? ['--values', join(chart, 'ci', valuesFile)] : [];
  const sets = set.flatMap((assignment) => ['--set', assignment]);
  const args = ['template', 'r', chart, '--namespace', 'regatta', '--kube-version', kubernetesVersions[0]!];
  return helm([...args, ...values, ...sets]);
}

describe('Helm chart deploy/helm/regatta', () => {
  let dir: string;
  /** Each values file → what the chart renders with it. */
  const rendered = new Map<string, { text: string; resources: Resource[] }>();

  const resources = (file: string) => rendered.get(file)!.resources;
  const find = (file: string, kind: string, suffix = '') =>
    resources(file).find((resource) => resource.kind === kind && resource.metadata.name.endsWith(suffix));
  const container = (file: string, component: 'api' | 'worker') =>
    find(file, 'Deployment', `-${component}`)!.spec!.template!.spec.containers[0]!;
  const env = (file: string, component: 'api' | 'worker', name: string) =>
    container(file, component).env.find((variable) => variable.name === name);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'regatta-helm-'));
    for (const file of valuesFiles) {
      const result = await template(file);
      assert.equal(result.code, 0, `${file}: ${result.stderr}`);
      const documents = parseAllDocuments(result.stdout).map(
        (document) => document.toJS() as Resource | null,
      );
      rendered.set(file, {
        text: result.stdout,
        resources: documents.filter((resource) => resource !== null),
      });
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('helm lint --strict – with every values file', async () => {
    for (const file of valuesFiles) {
      const lint = await helm(['lint', chart, '--strict', '--values', join(chart, 'ci', file)]);
      assert.equal(lint.code, 0, `${file}: ${lint.stdout}${lint.stderr}`);
    }
  });

  it("Kubernetes' schemas – every built-in resource validates, strictly, on the oldest and newest versions", async () => {
    const files = valuesFiles.map((file) => {
      const path = join(dir, file);
      writeFileSync(path, rendered.get(file)!.text);
      return path;
    });
    const versions = kubernetesVersions.flatMap((version) => ['-k', version]);
    const validated = await runCommand(setupTool('kubernetes-validate'), [
      '--strict',
      '--quiet',
      ...versions,
      ...files,
    ]);
    assert.equal(validated.code, 0, validated.stdout + validated.stderr);
    // Only the Prometheus operator's kinds lack a schema there; they are validated below.
    for (const line of validated.stdout.split('\n').filter(Boolean))
      assert.match(
        line,
        /^WARN .* kind (ServiceMonitor|PrometheusRule) with api version monitoring\.coreos\.com\/v1/,
      );
    const kinds = new Set(valuesFiles.flatMap((file) => resources(file).map((resource) => resource.kind)));
    assert.deepEqual([...kinds].sort(), [
      'ConfigMap',
      'Deployment',
      'PrometheusRule',
      'Secret',
      'Service',
      'ServiceMonitor',
    ]);
  });

  it("the Prometheus operator's schemas – ServiceMonitor and PrometheusRule validate", () => {
    let checked = 0;
    for (const file of valuesFiles) {
      for (const resource of resources(file)) {
        if (resource.kind === 'ServiceMonitor') new ServiceMonitor(resource as never).validate();
        else if (resource.kind === 'PrometheusRule') new PrometheusRule(resource as never).validate();
        else continue;
        checked++;
      }
    }
    assert.equal(checked, 2);
  });

  it('API – probes on /healthz and /readyz; workers – scaled by values, grace matching the worker’s own plus a margin', () => {
    for (const file of valuesFiles) {
      const api = container(file, 'api');
      assert.deepEqual(api.args, ['api']);
      assert.deepEqual(api.livenessProbe?.httpGet, { path: '/healthz', port: 'http' });
      assert.deepEqual(api.readinessProbe?.httpGet, { path: '/readyz', port: 'http' });
      assert.deepEqual(container(file, 'worker').args, ['worker']);
    }
    const defaults = 'inline-secrets-values.yaml';
    assert.equal(env(defaults, 'worker', 'REGATTA_WORKER_SHUTDOWN_GRACE_SECONDS')?.value, '30');
    assert.equal(
      find(defaults, 'Deployment', '-worker')!.spec!.template!.spec.terminationGracePeriodSeconds,
      45,
    );
    const mtls = 'temporal-mtls-values.yaml';
    assert.equal(find(mtls, 'Deployment', '-worker')!.spec!.replicas, 6);
    assert.equal(env(mtls, 'worker', 'REGATTA_WORKER_SHUTDOWN_GRACE_SECONDS')?.value, '120');
    assert.equal(
      find(mtls, 'Deployment', '-worker')!.spec!.template!.spec.terminationGracePeriodSeconds,
      150,
    );
    assert.equal(env(mtls, 'worker', 'REGATTA_WORKER_METRICS_ADDRESS')?.value, '0.0.0.0:9464');
  });

  it('secrets – inline values go into the chart’s Secret; existing Secrets are referenced by name and key', () => {
    const inline = 'inline-secrets-values.yaml';
    const secret = find(inline, 'Secret')!;
    const decoded = Object.fromEntries(
      Object.entries(secret.data!).map(([key, value]) => [key, Buffer.from(value, 'base64').toString()]),
    );
    assert.deepEqual(decoded, {
      'admin-password': 'ci-admin-password',
      'secret-key': 'ci-secret-key-0123456789abcdef',
      'database-url': 'postgres://regatta:ci-password@postgresql.db.svc:5432/regatta',
    });
    const ref = (name: string, key: string) => ({ secretKeyRef: { name, key } });
    assert.deepEqual(
      env(inline, 'api', 'REGATTA_ADMIN_PASSWORD')?.valueFrom,
      ref(secret.metadata.name, 'admin-password'),
    );
    for (const component of ['api', 'worker'] as const) {
      assert.deepEqual(
        env(inline, component, 'DATABASE_URL')?.valueFrom,
        ref(secret.metadata.name, 'database-url'),
      );
      assert.deepEqual(
        env(inline, component, 'REGATTA_SECRET_KEY')?.valueFrom,
        ref(secret.metadata.name, 'secret-key'),
      );
    }
    // The admin password is the API's alone.
    assert.equal(env(inline, 'worker', 'REGATTA_ADMIN_PASSWORD'), undefined);

    const existing = 'existing-secrets-monitoring-values.yaml';
    assert.equal(find(existing, 'Secret'), undefined, 'no Secret of its own when every secret exists');
    assert.deepEqual(
      env(existing, 'api', 'REGATTA_ADMIN_PASSWORD')?.valueFrom,
      ref('regatta-admin', 'password'),
    );
    assert.deepEqual(
      env(existing, 'worker', 'REGATTA_SECRET_KEY')?.valueFrom,
      ref('regatta-keys', 'secret-key'),
    );
    assert.deepEqual(env(existing, 'worker', 'DATABASE_URL')?.valueFrom, ref('regatta-postgresql', 'uri'));
    assert.equal(env(existing, 'api', 'TEMPORAL_NAMESPACE')?.value, 'replication');
  });

  it('notifications – the workers link to publicUrl when it is given, to their default when not', () => {
    const existing = 'existing-secrets-monitoring-values.yaml';
    assert.equal(env(existing, 'worker', 'REGATTA_PUBLIC_URL')?.value, 'https://regatta.example.com');
    assert.equal(env('inline-secrets-values.yaml', 'worker', 'REGATTA_PUBLIC_URL'), undefined);
  });

  it('Temporal mTLS – the client certificate, key and CA mounted from the Secret, where TEMPORAL_TLS_* point', () => {
    const mtls = 'temporal-mtls-values.yaml';
    for (const component of ['api', 'worker'] as const) {
      const deployment = find(mtls, 'Deployment', `-${component}`)!.spec!.template!.spec;
      const volume = deployment.volumes.find(
        (candidate) => candidate.secret?.secretName === 'regatta-temporal-client',
      );
      assert.ok(volume, `${component} mounts the TLS Secret`);
      const mount = deployment.containers[0]!.volumeMounts.find(
        (candidate) => candidate.name === volume.name,
      )!;
      assert.equal(env(mtls, component, 'TEMPORAL_TLS')?.value, 'true');
      assert.equal(env(mtls, component, 'TEMPORAL_TLS_SERVER_NAME')?.value, 'temporal.example.internal');
      assert.equal(
        env(mtls, component, 'TEMPORAL_TLS_SERVER_CA_CERT_PATH')?.value,
        `${mount.mountPath}/ca.crt`,
      );
      assert.equal(
        env(mtls, component, 'TEMPORAL_TLS_CLIENT_CERT_PATH')?.value,
        `${mount.mountPath}/tls.crt`,
      );
      assert.equal(env(mtls, component, 'TEMPORAL_TLS_CLIENT_KEY_PATH')?.value, `${mount.mountPath}/tls.key`);
    }
    assert.equal(env('inline-secrets-values.yaml', 'api', 'TEMPORAL_TLS'), undefined);
  });

  it('monitoring – jobs named as the rules expect, the API scraped with its token, the same rules file and dashboard', () => {
    const file = 'existing-secrets-monitoring-values.yaml';
    const endpoints = find(file, 'ServiceMonitor')!.spec!.endpoints!;
    const job = (port: string) =>
      endpoints.find((endpoint) => endpoint.port === port)?.relabelings[0]?.replacement;
    assert.equal(job('metrics'), 'regatta-workers');
    assert.equal(job('http'), 'regatta-api');
    assert.deepEqual(endpoints.find((endpoint) => endpoint.port === 'http')!.authorization, {
      type: 'Bearer',
      credentials: { name: 'regatta-prometheus-token', key: 'token' },
    });
    const rulesFile = parse(
      readFileSync(join(root, 'deploy/prometheus/regatta-rules.yaml'), 'utf8'),
    ) as object;
    assert.deepEqual(find(file, 'PrometheusRule')!.spec, rulesFile);
    assert.deepEqual(
      JSON.parse(find(file, 'ConfigMap', '-dashboard')!.data!['regatta-dashboard.json']!),
      JSON.parse(readFileSync(join(root, 'deploy/grafana/regatta-dashboard.json'), 'utf8')),
    );
    assert.equal(find('inline-secrets-values.yaml', 'ServiceMonitor'), undefined, 'off unless asked for');
  });

  it('required values – a release without Temporal or a secret fails to render, naming the value', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /temporal\.address is required/],
      [['temporal.address=t:7233'], /databaseUrl is required/],
      [['temporal.address=t:7233', 'databaseUrl.value=postgres://x/y'], /secretKey is required/],
      [
        ['temporal.address=t:7233', 'databaseUrl.value=postgres://x/y', 'secretKey.value=k'],
        /adminPassword is required/,
      ],
    ];
    for (const [set, message] of cases) {
      const result = await template(undefined, set);
      assert.notEqual(result.code, 0, set.join(' '));
      assert.match(result.stderr, message);
    }
  });
});
