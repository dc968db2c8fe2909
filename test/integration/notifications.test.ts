import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { StartedApi } from '../../server/start-api.js';
import { apiSession, type ApiSession, type ExecutionView } from '../harness/api-session.js';
import {
  startCapturingServer,
  type CapturedRequest,
  type CapturingServer,
} from '../harness/capturing-server.js';
import { eventually } from '../harness/eventually.js';
import { freePort } from '../harness/free-port.js';
import { harborRegistryBody } from '../harness/harbor-registry-body.js';
import { scanAllHistories } from '../harness/history-secrets.js';
import { pushImage, type PushedImage } from '../harness/images.js';
import { rawDeleteManifest } from '../harness/raw-client.js';
import { startRegattaApi } from '../harness/regatta-api.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import { runCommand } from '../harness/run-command.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';

const hmacSecret = 'notify-test-hmac-secret-1f6c';
const receiverToken = 'Bearer notify-test-receiver-token-8a0d';
const wrongPassword = 'notify-test-wrong-password-33';
const publicUrl = 'https://regatta.example';

/** The ```sh block of README's "Notifications", as a reader copies it. */
function readmeBlock(): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = /```sh\n([\s\S]*?)\n```/.exec(readme.slice(readme.indexOf('\n### Notifications\n')));
  assert.ok(block?.[1], 'README\'s "Notifications" has a sh block');
  return block[1];
}

type Delivery = {
  policy_name: string;
  event_type: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error_code: string | null;
  update_time: string;
  delivered_time: string | null;
};
type Execution = ExecutionView & { notifications?: Delivery[] };

/**
 * Outbound notifications on the real system: the worker with short retries, the API, real
 * registries and a capturing receiver on loopback. Runs that succeed and fail, a receiver that is
 * down and comes back, Slack's format, drift that begins and ends, and endpoints that get only
 * the events they name.
 */
describe('notifications – runs and drift told to receivers, signed, durably', () => {
  let bed: TestBed;
  let regatta: RegattaUnderTest;
  let api: StartedApi;
  let session: ApiSession;
  let receiver: CapturingServer;
  let okPolicy: number;
  let failPolicy: number;
  let image: PushedImage;

  const at = (path: string) => receiver.requests.filter((request) => request.path === path);
  const events = (path: string) => at(path).map((request) => request.headers['x-regatta-event']);
  const json = (request: CapturedRequest) => JSON.parse(request.body ?? '') as Record<string, unknown>;
  const execution = async (id: number) =>
    (await session.call('GET', `/replication/executions/${id}`)).json as Execution;
  const runOnce = async (policyId: number) => {
    const id = await session.createdId('/replication/executions', { policy_id: policyId });
    return { id, run: await session.finishedExecution(id) };
  };
  const notificationPolicy = (name: string, address: string, eventTypes: string[], target: object = {}) =>
    session.createdId('/webhook/policies', {
      name,
      event_types: eventTypes,
      targets: [{ address: `${address}`, ...target }],
    });

  before(async () => {
    bed = await startTestBed();
    regatta = await startRegattaWorker(bed, {
      environment: {
        REGATTA_PUBLIC_URL: publicUrl,
        REGATTA_NOTIFICATION_RETRY_SECONDS: '1',
        REGATTA_NOTIFICATION_RETRY_MAX_SECONDS: '1',
        REGATTA_NOTIFICATION_TIMEOUT_SECONDS: '5',
        REGATTA_NOTIFICATION_GIVE_UP_SECONDS: '120',
        // One settled delivery kept per policy: the drift test sees the older one go.
        REGATTA_NOTIFICATION_DELIVERIES_KEPT: '1',
      },
    });
    api = await startRegattaApi(bed, regatta);
    session = apiSession(api.url);
    receiver = await startCapturingServer({
      bodies: true,
      respond: (_request, response) => void response.writeHead(204).end(),
    });
    const hq = await regatta.addRegistry(bed.hq);
    const site = await regatta.addRegistry(bed.sites[1]);
    const refusing = (
      await regatta.store.registries.create({
        ...harborRegistryBody(bed.sites[1]),
        name: 'site-refusing',
        credential: { type: 'basic', access_key: 'site-user', access_secret: wrongPassword },
      })
    ).id;
    image = await pushImage({ registry: bed.hq }, 'ok/app', 'v1', { layerSizes: [2048] });
    await pushImage({ registry: bed.hq }, 'fail/app', 'v1', { layerSizes: [1024] });
    okPolicy = (
      await regatta.createPolicy({
        name: 'ok-to-site',
        src_registry: { id: hq },
        dest_registry: { id: site },
        filters: [{ type: 'name', value: 'ok/**' }],
      })
    ).id;
    failPolicy = (
      await regatta.createPolicy({
        name: 'fail-to-site',
        src_registry: { id: hq },
        dest_registry: { id: refusing },
        filters: [{ type: 'name', value: 'fail/**' }],
      })
    ).id;
  });
  after(async () => {
    await api?.stop();
    await regatta?.stop();
    await receiver?.stop();
    await bed?.stop();
  });

  it("README's block – runs as written: two policies, a ping signed with the secret it gave, the deliveries", async () => {
    const script = readmeBlock()
      .replaceAll('localhost:8080', new URL(api.url).host)
      .replaceAll('https://hooks.example.com/regatta', `${receiver.url}/readme`)
      .replaceAll('https://hooks.slack.com/services/T000/B000/XXXX', `${receiver.url}/readme-slack`);
    const strictCurl =
      'set -euo pipefail\nA="-u admin:test-admin-password -H content-type:application/json"\n' +
      'curl() { command curl --fail-with-body --silent --show-error "$@"; echo; }\n';
    const result = await runCommand('bash', ['-c', strictCurl + script], { env: { PATH: process.env.PATH } });
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /\{"status_code":204\}/);
    assert.match(result.stdout, /^\[\]$/m, 'a ping is not a delivery: the list is empty');
    const [ping] = at('/readme');
    const timestamp = String(ping!.headers['x-regatta-timestamp']);
    const signature = createHmac('sha256', 'another-long-random-secret').update(`${timestamp}.${ping!.body}`);
    assert.equal(ping!.headers['x-regatta-signature'], `sha256=${signature.digest('hex')}`);
    const listed = await session.call('GET', '/webhook/policies?sort=id');
    assert.deepEqual(
      (listed.json as Array<{ name: string; targets: Array<{ type: string }> }>).map((policy) => [
        policy.name,
        policy.targets[0]!.type,
      ]),
      [
        ['ops', 'http'],
        ['chat', 'slack'],
      ],
    );
    for (const policy of listed.json as Array<{ id: number }>)
      assert.equal((await session.call('DELETE', `/webhook/policies/${policy.id}`)).status, 200);
  });

  it('API – created by an admin only, secrets never shown, bad input a 400 naming the field, a test ping', async () => {
    const { token } = await regatta.store.tokens.create({ name: 'reader', role: 'viewer' });
    const viewer = apiSession(api.url, `Bearer ${token}`);
    const body = {
      name: 'probe',
      event_types: ['run_failed'],
      targets: [{ address: `${receiver.url}/probe`, auth_header: receiverToken, hmac_secret: hmacSecret }],
    };
    assert.equal((await viewer.call('POST', '/webhook/policies', body)).status, 403);
    const id = await session.createdId('/webhook/policies', body);
    const shown = await session.call('GET', `/webhook/policies/${id}`);
    assert.equal(shown.status, 200);
    assert.doesNotMatch(shown.text, new RegExp(`${hmacSecret}|${receiverToken}`));
    assert.deepEqual(shown.json, {
      id,
      name: 'probe',
      description: '',
      enabled: true,
      event_types: ['run_failed'],
      targets: [
        {
          type: 'http',
          address: `${receiver.url}/probe`,
          auth_header: '*****',
          skip_cert_verify: false,
          payload_format: 'Default',
          hmac_secret: '*****',
        },
      ],
      creation_time: (shown.json as { creation_time: string }).creation_time,
      update_time: (shown.json as { update_time: string }).update_time,
    });
    assert.equal((await viewer.call('GET', '/webhook/policies')).status, 200);
    assert.equal((await viewer.call('PUT', `/webhook/policies/${id}`, body)).status, 403);
    assert.equal((await viewer.call('DELETE', `/webhook/policies/${id}`)).status, 403);
    assert.equal((await viewer.call('POST', `/webhook/policies/${id}/test`)).status, 403);
    const refused = await session.call('POST', '/webhook/policies', {
      ...body,
      name: 'bad',
      targets: [{ address: 'https://user:pw@hooks.example/x' }],
    });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /targets\[0\]\.address: must not hold a user name or password/);
    assert.doesNotMatch(refused.text, /user:pw/);
    const moved = await session.call('PUT', `/webhook/policies/${id}`, {
      ...body,
      targets: [{ address: 'http://127.0.0.2:9/elsewhere', auth_header: '*****' }],
    });
    assert.equal(moved.status, 400);
    assert.match(moved.text, /targets\[0\]\.auth_header: the address moves the policy/);

    const ping = await session.call('POST', `/webhook/policies/${id}/test`);
    assert.equal(ping.status, 200, ping.text);
    assert.deepEqual(ping.json, { status_code: 204 });
    const [sent] = at('/probe');
    assert.equal(sent!.headers['x-regatta-event'], 'ping');
    assert.equal(sent!.headers.authorization, receiverToken);
    assert.deepEqual(json(sent!).notification_policy, { id, name: 'probe' });
    assert.equal((await session.call('DELETE', `/webhook/policies/${id}`)).status, 200);
    assert.equal((await session.call('GET', `/webhook/policies/${id}`)).status, 404);
  });

  it('run succeeded – one signed delivery whose HMAC verifies, no secret in it, shown on the execution', async () => {
    await notificationPolicy('all-runs', `${receiver.url}/all`, ['run_succeeded', 'run_failed'], {
      auth_header: receiverToken,
      hmac_secret: hmacSecret,
    });
    await notificationPolicy('failures', `${receiver.url}/failures`, ['run_failed']);
    const { id, run } = await runOnce(okPolicy);
    assert.equal(run.status, 'Succeed', run.status_text);

    const sent = await eventually(async () => at('/all')[0], 30_000, 'the run_succeeded delivery');
    const body = sent.body!;
    const timestamp = String(sent.headers['x-regatta-timestamp']);
    assert.ok(Math.abs(Number(timestamp) - Date.now() / 1000) < 300, `timestamp ${timestamp}`);
    const hmac = createHmac('sha256', hmacSecret).update(`${timestamp}.${body}`).digest('hex');
    assert.equal(sent.headers['x-regatta-signature'], `sha256=${hmac}`);
    assert.equal(sent.headers.authorization, receiverToken);
    assert.equal(sent.headers['x-regatta-event'], 'run_succeeded');
    const payload = json(sent);
    assert.equal(payload.type, 'run_succeeded');
    assert.deepEqual(payload.policy, { id: okPolicy, name: 'ok-to-site' });
    assert.deepEqual((payload.source as { name: string }).name, 'hq');
    assert.deepEqual(
      (payload.sites as Array<{ name: string }>).map((site) => site.name),
      ['site-basic'],
    );
    const told = payload.execution as Record<string, unknown>;
    assert.deepEqual([told.id, told.status, told.total, told.succeed, told.failed], [id, 'Succeed', 1, 1, 0]);
    assert.equal(told.url, `${publicUrl}/api/v2.0/replication/executions/${id}`);
    for (const secret of ['hq-password-0', 'site-password-1', hmacSecret, receiverToken])
      assert.ok(!body.includes(secret), `the body holds ${secret}`);

    const shown = await eventually(
      async () => {
        const found = await execution(id);
        return found.notifications?.[0]?.status === 'delivered' && found;
      },
      10_000,
      'the delivery on the execution',
    );
    assert.deepEqual(
      shown.notifications!.map((delivery) => [
        delivery.policy_name,
        delivery.event_type,
        delivery.attempts,
        delivery.last_status_code,
      ]),
      [['all-runs', 'run_succeeded', 1, 204]],
      'the run_failed-only policy was not told of a success',
    );
    assert.equal(at('/all').length, 1);
    assert.equal(at('/failures').length, 0);
  });

  it('run failed – run_failed with its reason to both policies that want it, and Slack gets its format', async () => {
    await notificationPolicy('slack', `${receiver.url}/slack/T000/B000/XXXX`, ['run_failed'], {
      type: 'slack',
    });
    const { id, run } = await runOnce(failPolicy);
    assert.equal(run.status, 'Failed', run.status_text);

    const failed = await eventually(
      async () => at('/all').find((request) => request.headers['x-regatta-event'] === 'run_failed'),
      30_000,
      'run_failed at the policy that wants both',
    );
    const payload = json(failed);
    assert.equal((payload.execution as { id: number }).id, id);
    assert.deepEqual(
      (payload.failures as Array<{ site: string; code: string; tasks: number }>).map((failure) => [
        failure.site,
        failure.code,
        failure.tasks,
      ]),
      [['site-refusing', 'REGISTRY_UNAUTHORIZED', 1]],
    );
    assert.ok(!failed.body!.includes(wrongPassword), 'the body holds the registry password');
    const onlyFailures = await eventually(
      async () => at('/failures')[0],
      30_000,
      'run_failed at the failures policy',
    );
    assert.equal(onlyFailures.headers['x-regatta-event'], 'run_failed');
    assert.equal(
      onlyFailures.headers['x-regatta-signature'],
      undefined,
      'a policy without a secret signs nothing',
    );

    const slack = await eventually(async () => at('/slack/T000/B000/XXXX')[0], 30_000, 'the Slack message');
    const message = json(slack);
    assert.deepEqual(Object.keys(message), ['text']);
    assert.match(
      String(message.text),
      new RegExp(`^Regatta: run #${id} of \\*fail-to-site\\* :x: failed \\(hq → site-refusing\\)`),
    );
    assert.match(String(message.text), /• site-refusing: REGISTRY_UNAUTHORIZED ×1/);
    assert.match(
      String(message.text),
      new RegExp(`<${publicUrl}/api/v2\\.0/replication/executions/${id}\\|`),
    );
  });

  it('a receiver down, then back – its Retry-After waited out, delivered once it answers; the tries show on the execution', async () => {
    const port = await freePort();
    const flaky = await notificationPolicy('flaky', `http://127.0.0.1:${port}/flaky`, ['run_succeeded']);
    const { id, run } = await runOnce(okPolicy);
    assert.equal(run.status, 'Succeed', run.status_text);
    const flakyDelivery = async () =>
      (await execution(id)).notifications?.find((d) => d.policy_name === 'flaky');
    const down = await eventually(
      async () => {
        const delivery = await flakyDelivery();
        return delivery && delivery.attempts >= 2 && delivery;
      },
      30_000,
      'two refused tries',
    );
    assert.deepEqual([down.status, down.last_error_code], ['pending', 'NOTIFICATION_UNREACHABLE']);

    // Back, but still not ready: one 503 asking for 3 s (the worker's own backoff is 1 s), then it takes them.
    const answeredAt: number[] = [];
    const back = await startCapturingServer({
      bodies: true,
      port,
      respond: (_request, response) => {
        if (answeredAt.push(Date.now()) === 1) response.writeHead(503, { 'retry-after': '3' }).end();
        else response.writeHead(204).end();
      },
    });
    try {
      const delivered = await eventually(
        async () => {
          const delivery = await flakyDelivery();
          return delivery?.status === 'delivered' && delivery;
        },
        30_000,
        'the delivery after the receiver came back',
      );
      assert.ok(delivered.attempts >= 4, `attempts ${delivered.attempts}: two refused, a 503, the one taken`);
      assert.equal(delivered.last_status_code, 204);
      assert.equal(back.requests.length, 2);
      const waited = answeredAt[1]! - answeredAt[0]!;
      assert.ok(
        waited >= 2_900,
        `the receiver's Retry-After: 3 was waited out, not the 1 s backoff (${waited} ms)`,
      );
      const [first, second] = back.requests;
      assert.equal(first!.body, second!.body, 'every try sends the same body');
      assert.equal(first!.headers['x-regatta-delivery'], second!.headers['x-regatta-delivery']);
      assert.ok(
        new Date((await execution(id)).end_time!) < new Date(delivered.delivered_time!),
        'the run ended before it was told, not held open by the receiver',
      );
      const listed = await session.call('GET', `/webhook/policies/${flaky}/deliveries`);
      assert.equal(listed.headers.get('x-total-count'), '1');
      assert.equal((listed.json as Delivery[])[0]!.status, 'delivered');
    } finally {
      await back.stop();
      await session.call('DELETE', `/webhook/policies/${flaky}`);
    }
  });

  it('drift – told when a site begins to drift and when it is back in sync, not at every audit', async () => {
    const drift = await notificationPolicy('drift', `${receiver.url}/drift`, [
      'drift_detected',
      'drift_cleared',
    ]);
    const audit = async () => {
      const reply = await session.call('GET', `/replication/policies/${okPolicy}/drift`);
      assert.equal(reply.status, 200, reply.text);
      return reply.json as { in_sync: boolean };
    };
    const told = async () =>
      Number(
        (await session.call('GET', `/webhook/policies/${drift}/deliveries`)).headers.get('x-total-count'),
      );

    assert.equal((await audit()).in_sync, true);
    assert.equal(await told(), 0, 'a first audit in sync tells nothing');
    await rawDeleteManifest({ registry: bed.sites[1] }, 'ok/app', image.digest);
    assert.equal((await audit()).in_sync, false);
    const detected = await eventually(async () => at('/drift')[0], 30_000, 'drift_detected');
    assert.equal(detected.headers['x-regatta-event'], 'drift_detected');
    const payload = json(detected);
    assert.deepEqual(payload.site, { id: (payload.site as { id: number }).id, name: 'site-basic' });
    assert.equal((payload.drift as { missing: number }).missing, 1);
    assert.equal(payload.url, `${publicUrl}/api/v2.0/replication/policies/${okPolicy}/drift/last`);

    assert.equal((await audit()).in_sync, false);
    assert.equal(await told(), 1, 'drift found again is not told again');

    const { run } = await runOnce(okPolicy);
    assert.equal(run.status, 'Succeed', run.status_text);
    assert.equal((await audit()).in_sync, true);
    await eventually(async () => at('/drift').length === 2, 30_000, 'drift_cleared');
    assert.deepEqual(events('/drift'), ['drift_detected', 'drift_cleared']);
    // Drift's deliveries belong to no run; the policy keeps its newest settled one (kept 1 here).
    const kept = await eventually(
      async () => {
        const { json } = await session.call('GET', `/webhook/policies/${drift}/deliveries`);
        const deliveries = json as Array<{ event_type: string; status: string }>;
        return deliveries.length === 1 && deliveries[0]!.status !== 'pending' ? deliveries : undefined;
      },
      30_000,
      'the older drift delivery swept',
    );
    assert.deepEqual(
      kept.map((delivery) => [delivery.event_type, delivery.status]),
      [['drift_cleared', 'delivered']],
    );
    assert.ok(
      events('/all').every((event) => event === 'run_succeeded' || event === 'run_failed'),
      'a policy of run events is told no drift',
    );
  });

  it('secrets – in no request a receiver got but where they belong, and in no workflow history', async () => {
    for (const request of receiver.requests) {
      const { authorization, ...headers } = request.headers;
      const seen = JSON.stringify(headers) + (request.body ?? '');
      for (const secret of ['hq-password-0', 'site-password-1', wrongPassword, hmacSecret, receiverToken])
        assert.ok(!seen.includes(secret), `${request.path} got ${secret}`);
      if (authorization) assert.equal(authorization, receiverToken);
    }
    const scan = await scanAllHistories(
      regatta.client,
      { hmacSecret, receiverToken, wrongPassword, hq: 'hq-password-0', site: 'site-password-1' },
      'ok-to-site',
    );
    assert.ok(scan.probeSeen, 'the scan read the payloads');
    assert.ok(
      scan.workflows.some((workflow) => workflow.type === 'deliverNotifications'),
      'the deliveries ran as workflows the scan read',
    );
    assert.deepEqual(scan.findings, []);
  });
});
