import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import {
  NotificationAddress,
  NotificationPolicyInput,
  notificationAddressProblem,
  notificationPolicyFromInput,
  notificationPolicyView,
  parseInput,
  wantsEvent,
  type NotificationPolicyDefinition,
} from '../../policies/index.js';

const body = (target: object = {}, rest: object = {}) => ({
  name: 'ops',
  event_types: ['run_failed'],
  targets: [{ address: 'https://hooks.example/regatta', ...target }],
  ...rest,
});

describe('notification address – http(s) to a real host, a path and query, no credentials', () => {
  const cases: Array<[string, RegExp | undefined]> = [
    ['https://hooks.example/regatta', undefined],
    ['http://127.0.0.1:8080', undefined],
    ['https://hooks.slack.com/services/T000/B000/XXXX', undefined],
    ['https://hooks.example/in?token=a&b=c', undefined],
    ['http://[::1]:9000/x', undefined],
    ['ftp://hooks.example/x', /must be http\(s\)/],
    ['https://user:pass@hooks.example/x', /user name or password/],
    ['https://user@hooks.example', /user name or password/],
    ['https://hooks.example/x#frag', /must be http\(s\)/],
    ['https://hooks.example/a b', /must be http\(s\)/],
    ['https://hooks.example/a\\b', /must be http\(s\)/],
    ['https://hooks.example?x=1', /must be http\(s\)/],
    ['http://0/x', /real host/],
    ['http://0.0.0.0/hook', /real host/],
    ['https://hooks.example:99999/x', /must be http\(s\)/],
  ];
  const pattern = new RegExp(z.toJSONSchema(NotificationAddress).pattern ?? 'none');
  for (const [address, problem] of cases) {
    it(`${problem ? 'refuses' : 'accepts'} – ${address}; the documented pattern agrees`, () => {
      const found = notificationAddressProblem(address);
      if (problem) assert.match(found ?? 'accepted', problem);
      else assert.equal(found, undefined);
      assert.equal(pattern.test(address), found === undefined);
    });
  }
});

describe('notification policy body – a 400 naming the field', () => {
  const refused: Array<[string, unknown, string]> = [
    ['no name', { event_types: ['run_failed'], targets: [{ address: 'http://a.example' }] }, 'name'],
    ['no event types', body({}, { event_types: [] }), 'event_types'],
    ['an unknown event type', body({}, { event_types: ['PUSH_ARTIFACT'] }), 'event_types[0]'],
    ['an event type twice', body({}, { event_types: ['run_failed', 'run_failed'] }), 'event_types'],
    [
      'two targets',
      body({}, { targets: [{ address: 'http://a.example' }, { address: 'http://b.example' }] }),
      'targets',
    ],
    ['no target', body({}, { targets: [] }), 'targets'],
    ['a target without address', body({}, { targets: [{ type: 'http' }] }), 'targets[0].address'],
    ['credentials in the address', body({ address: 'https://u:p@a.example/x' }), 'targets[0].address'],
    ['an unknown notify type', body({ type: 'email' }), 'targets[0].type'],
    ['CloudEvents', body({ payload_format: 'CloudEvents' }), 'targets[0].payload_format'],
    ['a short HMAC secret', body({ hmac_secret: 'short' }), 'targets[0].hmac_secret'],
    ['a header with a line break', body({ auth_header: 'Bearer a\r\nX-Evil: 1' }), 'targets[0].auth_header'],
    ['an unknown target field', body({ secret: 'x' }), 'targets[0].secret'],
    ['an unknown field', body({}, { project: 1 }), 'project'],
  ];
  for (const [title, input, field] of refused) {
    it(`refuses – ${title}`, () => {
      assert.throws(
        () => parseInput(NotificationPolicyInput, input),
        (error: Error & { field?: string }) => {
          assert.equal(error.field, field, error.message);
          assert.ok(error.message.startsWith(`${field}: `), error.message);
          return true;
        },
      );
    });
  }

  it("accepts – Harbor's WebhookPolicy as its clients send it, fields of a GET included", () => {
    const parsed = parseInput(NotificationPolicyInput, {
      id: 4,
      project_id: 1,
      creator: 'admin',
      name: 'ops',
      description: '',
      enabled: true,
      event_types: ['run_failed', 'drift_detected'],
      targets: [
        {
          type: 'http',
          address: 'https://a.example/x',
          auth_header: 'Bearer t',
          skip_cert_verify: false,
          payload_format: 'Default',
        },
      ],
      creation_time: '2026-01-01T00:00:00Z',
    });
    assert.deepEqual(parsed.event_types, ['run_failed', 'drift_detected']);
  });
});

describe('notification policy from a body – defaults, secrets kept or removed, origins', () => {
  const stored: NotificationPolicyDefinition = {
    name: 'ops',
    description: 'old',
    enabled: true,
    event_types: ['run_failed'],
    targets: [
      {
        type: 'http',
        address: 'https://hooks.example/a',
        auth_header: 'Bearer stored-token',
        skip_cert_verify: false,
        payload_format: 'Default',
        hmac_secret: 'stored-hmac-secret-0123',
      },
    ],
  };
  const input = (target: object = {}) =>
    parseInput(NotificationPolicyInput, body({ address: 'https://hooks.example/b', ...target }));

  const cases: Array<[string, object, { auth_header: string | null; hmac_secret: string | null }]> = [
    ['left out: kept', {}, { auth_header: 'Bearer stored-token', hmac_secret: 'stored-hmac-secret-0123' }],
    [
      '"*****": kept',
      { auth_header: '*****', hmac_secret: '*****' },
      { auth_header: 'Bearer stored-token', hmac_secret: 'stored-hmac-secret-0123' },
    ],
    ['"": removed', { auth_header: '', hmac_secret: '' }, { auth_header: null, hmac_secret: null }],
    [
      'new ones: replaced',
      { auth_header: 'Bearer new', hmac_secret: 'a-new-hmac-secret-456' },
      { auth_header: 'Bearer new', hmac_secret: 'a-new-hmac-secret-456' },
    ],
  ];
  for (const [title, target, secrets] of cases) {
    it(`PUT – secrets ${title}`, () => {
      const next = notificationPolicyFromInput(input(target), stored);
      assert.equal(next.targets[0]!.auth_header, secrets.auth_header);
      assert.equal(next.targets[0]!.hmac_secret, secrets.hmac_secret);
      assert.equal(next.description, '', 'PUT takes the whole policy: what is left out is the default');
    });
  }

  it('POST – Harbor defaults; "*****" with nothing stored is a 400 naming the field', () => {
    assert.deepEqual(notificationPolicyFromInput(input()).targets[0], {
      type: 'http',
      address: 'https://hooks.example/b',
      auth_header: null,
      skip_cert_verify: false,
      payload_format: 'Default',
      hmac_secret: null,
    });
    assert.throws(
      () => notificationPolicyFromInput(input({ hmac_secret: '*****' })),
      /^.*targets\[0\]\.hmac_secret: is "\*\*\*\*\*"/,
    );
  });

  it('PUT – a stored auth_header is never taken to another origin', () => {
    assert.throws(
      () => notificationPolicyFromInput(input({ address: 'https://elsewhere.example/b' }), stored),
      (error: Error & { field?: string }) => {
        assert.equal(error.field, 'targets[0].auth_header');
        assert.doesNotMatch(error.message, /stored-token/);
        return true;
      },
    );
    const moved = notificationPolicyFromInput(
      input({ address: 'https://elsewhere.example/b', auth_header: 'Bearer other' }),
      stored,
    );
    assert.equal(moved.targets[0]!.auth_header, 'Bearer other');
  });

  it('view – every secret that is set reads "*****", those not set are left out', () => {
    const view = notificationPolicyView({ ...stored, id: 1, creation_time: 't', update_time: 't' });
    assert.equal(view.targets[0]!.auth_header, '*****');
    assert.equal(view.targets[0]!.hmac_secret, '*****');
    assert.doesNotMatch(JSON.stringify(view), /stored-token|stored-hmac/);
    const none = notificationPolicyView({
      ...stored,
      id: 1,
      creation_time: 't',
      update_time: 't',
      targets: [{ ...stored.targets[0]!, auth_header: null, hmac_secret: null }],
    });
    assert.deepEqual(Object.keys(none.targets[0]!).sort(), [
      'address',
      'payload_format',
      'skip_cert_verify',
      'type',
    ]);
  });
});

describe('event matching – an enabled policy is told the event types it names', () => {
  const cases: Array<[boolean, string[], string, boolean]> = [
    [true, ['run_failed'], 'run_failed', true],
    [true, ['run_failed'], 'run_succeeded', false],
    [true, ['drift_detected', 'drift_cleared'], 'drift_cleared', true],
    [false, ['run_failed'], 'run_failed', false],
  ];
  for (const [enabled, events, type, told] of cases) {
    it(`${enabled ? 'enabled' : 'disabled'}, ${events.join('+')}: ${type} ${told ? 'told' : 'not told'}`, () => {
      assert.equal(
        wantsEvent(
          { enabled, event_types: events as NotificationPolicyDefinition['event_types'] },
          type as 'run_failed',
        ),
        told,
      );
    });
  }
});
