import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DistributionEnvelope, distributionRegistryEvents } from '../../api/webhooks/distribution-events.js';
import {
  HarborCloudEvent,
  HarborDefaultPayload,
  harborRegistryEvents,
} from '../../api/webhooks/harbor-events.js';
import { eventTime } from '../../api/webhooks/event-time.js';
import { parseWebhookBody } from '../../api/webhooks/parse-webhook-body.js';

const digest = `sha256:${'a'.repeat(64)}`;
const manifest = 'application/vnd.docker.distribution.manifest.v2+json';

describe('distributionRegistryEvents', () => {
  const cases: Array<[string, object, object[]]> = [
    [
      'tagged manifest push',
      { action: 'push', target: { mediaType: manifest, repository: 'production/api', digest, tag: 'v1' } },
      [{ action: 'push', repository: 'production/api', tag: 'v1', digest, eventId: '1' }],
    ],
    [
      'OCI index push',
      {
        action: 'push',
        target: {
          mediaType: 'application/vnd.oci.image.index.v1+json',
          repository: 'p/x',
          digest,
          tag: 'v2',
        },
      },
      [{ action: 'push', repository: 'p/x', tag: 'v2', digest, eventId: '1' }],
    ],
    [
      'untagged manifest push',
      { action: 'push', target: { mediaType: manifest, repository: 'p/x', digest } },
      [],
    ],
    [
      'blob push',
      {
        action: 'push',
        target: { mediaType: 'application/octet-stream', repository: 'p/x', digest, tag: 'v1' },
      },
      [],
    ],
    ['pull', { action: 'pull', target: { mediaType: manifest, repository: 'p/x', digest, tag: 'v1' } }, []],
    ['mount', { action: 'mount', target: { mediaType: manifest, repository: 'p/x', digest } }, []],
    [
      'delete by digest (2.x)',
      { action: 'delete', target: { repository: 'p/x', digest } },
      [{ action: 'delete', repository: 'p/x', tag: undefined, digest, eventId: '1' }],
    ],
    // 3.x writes its target's descriptor whole: an absent digest or media type is "".
    [
      'delete by digest (3.x)',
      { action: 'delete', target: { mediaType: '', digest, size: 0, repository: 'p/x' } },
      [{ action: 'delete', repository: 'p/x', tag: undefined, digest, eventId: '1' }],
    ],
    [
      'tag delete (3.x)',
      { action: 'delete', target: { mediaType: '', digest: '', size: 0, repository: 'p/x', tag: 'v1' } },
      [{ action: 'delete', repository: 'p/x', tag: 'v1', digest: undefined, eventId: '1' }],
    ],
    [
      'repository delete (3.x)',
      { action: 'delete', target: { mediaType: '', digest: '', size: 0, repository: 'p/x' } },
      [],
    ],
  ];
  for (const [name, event, expected] of cases) {
    it(`event – ${name}`, () => {
      const envelope = DistributionEnvelope.parse({
        events: [{ id: '1', timestamp: '2026-11-28T13:00:00Z', ...event }],
      });
      const occurredAt = '2026-11-28T13:00:00.000Z';
      assert.deepEqual(
        distributionRegistryEvents(envelope),
        expected.map((event) => ({ ...event, occurredAt })),
      );
    });
  }
});

describe('parseWebhookBody – Distribution 3', () => {
  it('accepts – a v2 envelope with a tag delete, as a 3.x registry sends it (a 400 would stop its queue)', () => {
    const event = {
      id: '01a2287b-bb3d-7cce-8731-17dcc0a7f2f1',
      timestamp: '2026-11-29T18:05:27.230028566Z',
      action: 'delete',
      target: { mediaType: '', digest: '', size: 0, repository: 'production/untag', tag: 'v1' },
      request: { id: 'r', addr: '127.0.0.1:1', host: '127.0.0.1:2', method: 'DELETE', useragent: 'ua' },
      actor: {},
      source: { addr: 'hq:5000', instanceID: 'i' },
    };
    assert.deepEqual(parseWebhookBody({ events: [event] }), [
      {
        action: 'delete',
        repository: 'production/untag',
        tag: 'v1',
        digest: undefined,
        occurredAt: '2026-11-29T18:05:27.230Z',
        eventId: event.id,
      },
    ]);
  });
});

describe('harborRegistryEvents', () => {
  const data = {
    resources: [
      { digest, tag: 'v1', resource_url: 'harbor.example.com/production/api:v1' },
      { digest, tag: 'latest', resource_url: 'harbor.example.com/production/api:latest' },
    ],
    repository: {
      name: 'api',
      namespace: 'production',
      repo_full_name: 'production/api',
      repo_type: 'private',
    },
  };

  it('default – PUSH_ARTIFACT gives one push per tag', () => {
    const payload = HarborDefaultPayload.parse({
      type: 'PUSH_ARTIFACT',
      occur_at: 1,
      operator: 'admin',
      event_data: data,
    });
    assert.deepEqual(harborRegistryEvents(payload.type, payload.event_data), [
      { action: 'push', repository: 'production/api', tag: 'v1', digest },
      { action: 'push', repository: 'production/api', tag: 'latest', digest },
    ]);
  });

  it('cloudevents – harbor.artifact.deleted gives deletes', () => {
    const payload = HarborCloudEvent.parse({
      specversion: '1.0',
      id: 'x',
      source: '/p',
      type: 'harbor.artifact.deleted',
      data,
    });
    assert.deepEqual(
      harborRegistryEvents(payload.type, payload.data).map((event) => event.action),
      ['delete', 'delete'],
    );
  });

  it('other types – PULL_ARTIFACT and scans start nothing', () => {
    assert.deepEqual(harborRegistryEvents('PULL_ARTIFACT', data), []);
    assert.deepEqual(harborRegistryEvents('SCANNING_COMPLETED', data), []);
  });

  it('repository – built from namespace and name without repo_full_name', () => {
    const [event] = harborRegistryEvents('PUSH_ARTIFACT', {
      ...data,
      repository: { name: 'api', namespace: 'production' },
    });
    assert.equal(event?.repository, 'production/api');
  });
});

describe('eventTime', () => {
  const cases: Array<[string, string | number | undefined, { occurredAt?: string }]> = [
    ['absent', undefined, {}],
    [
      'RFC 3339 with nanoseconds and offset',
      '2016-03-09T14:44:26.402973972-08:00',
      { occurredAt: '2016-03-09T22:44:26.402Z' },
    ],
    ['Harbor occur_at (Unix seconds)', 1795870800, { occurredAt: '2026-11-28T13:00:00.000Z' }],
    ['unreadable', 'yesterday-ish', {}],
  ];
  for (const [name, value, expected] of cases) {
    it(name, () => assert.deepEqual(eventTime(value), expected));
  }

  it('default payload – occur_at reaches every event', () => {
    const events = harborRegistryEvents(
      'PUSH_ARTIFACT',
      { resources: [{ digest, tag: 'v1' }], repository: { name: 'p/x' } },
      1795870800,
    );
    assert.deepEqual(events, [
      { action: 'push', repository: 'p/x', tag: 'v1', digest, occurredAt: '2026-11-28T13:00:00.000Z' },
    ]);
  });
});
