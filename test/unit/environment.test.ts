import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadEnvironment } from '../../server/environment.js';
import { notificationSettings } from '../../server/start-worker.js';

describe('loadEnvironment', () => {
  it('defaults – embedded settings when nothing is set', () => {
    const environment = loadEnvironment({});
    assert.equal(environment.REGATTA_API_PORT, 8080);
    assert.equal(environment.REGATTA_DATA_DIR, './data');
    assert.equal(environment.TEMPORAL_ADDRESS, undefined);
    assert.equal(environment.TEMPORAL_NAMESPACE, 'default');
    assert.equal(environment.LOG_LEVEL, 'info');
    assert.equal(environment.REGATTA_EXECUTIONS_KEPT, 50);
    assert.equal(loadEnvironment({ REGATTA_EXECUTIONS_KEPT: '0' }).REGATTA_EXECUTIONS_KEPT, 0);
  });

  it('registry rules – the allow-list parsed; unset, anywhere and no Docker config folder', () => {
    const environment = loadEnvironment({
      REGATTA_REGISTRY_ALLOW: 'registry.example, 10.0.0.0/8',
      REGATTA_DOCKER_CONFIG_DIR: '/etc/regatta/docker',
    });
    assert.equal(environment.REGATTA_REGISTRY_ALLOW?.permitsHost('10.2.3.4'), true);
    assert.equal(environment.REGATTA_REGISTRY_ALLOW?.permitsHost('11.2.3.4'), false);
    assert.equal(environment.REGATTA_DOCKER_CONFIG_DIR, '/etc/regatta/docker');
    assert.equal(loadEnvironment({}).REGATTA_REGISTRY_ALLOW, undefined);
    assert.equal(loadEnvironment({}).REGATTA_DOCKER_CONFIG_DIR, undefined);
  });

  it('trusted proxy – addresses, CIDRs and range names', () => {
    const list = 'loopback, 10.0.0.0/8,192.168.1.7,fd00::/8';
    assert.equal(loadEnvironment({ REGATTA_TRUSTED_PROXY: list }).REGATTA_TRUSTED_PROXY, list);
  });

  it('notifications – links from REGATTA_PUBLIC_URL (else the API on localhost), the delivery schedule', () => {
    assert.deepEqual(notificationSettings(loadEnvironment({})), {
      baseUrl: 'http://localhost:8080',
      schedule: {
        timeoutSeconds: 10,
        firstRetrySeconds: 10,
        maximumRetrySeconds: 600,
        giveUpSeconds: 86_400,
      },
      deliveriesKept: 1000,
    });
    const set = notificationSettings(
      loadEnvironment({
        REGATTA_PUBLIC_URL: 'https://regatta.example.com/',
        REGATTA_NOTIFICATION_TIMEOUT_SECONDS: '5',
        REGATTA_NOTIFICATION_RETRY_SECONDS: '2',
        REGATTA_NOTIFICATION_RETRY_MAX_SECONDS: '60',
        REGATTA_NOTIFICATION_GIVE_UP_SECONDS: '3600',
        REGATTA_NOTIFICATION_DELIVERIES_KEPT: '0',
      }),
    );
    assert.deepEqual(set, {
      baseUrl: 'https://regatta.example.com',
      schedule: { timeoutSeconds: 5, firstRetrySeconds: 2, maximumRetrySeconds: 60, giveUpSeconds: 3600 },
      deliveriesKept: 0,
    });
  });

  it('empty values – count as unset', () => {
    assert.equal(loadEnvironment({ TEMPORAL_ADDRESS: '' }).TEMPORAL_ADDRESS, undefined);
  });

  const invalid: Array<[string, Record<string, string>, RegExp]> = [
    ['port not a number', { REGATTA_API_PORT: 'eighty' }, /REGATTA_API_PORT/],
    ['port out of range', { REGATTA_API_PORT: '70000' }, /REGATTA_API_PORT/],
    ['address without port', { TEMPORAL_ADDRESS: 'temporal' }, /TEMPORAL_ADDRESS: must be host:port/],
    ['unknown log level', { LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    ['database not postgres', { DATABASE_URL: 'mysql://x' }, /DATABASE_URL: must be a postgres/],
    [
      'allow-list entry that is no host or network',
      { REGATTA_REGISTRY_ALLOW: 'registry.example,10.0.0.0/40' },
      /REGATTA_REGISTRY_ALLOW: "10\.0\.0\.0\/40" is not a host name/,
    ],
    ['TLS yes/no not a boolean', { TEMPORAL_TLS: 'yes' }, /TEMPORAL_TLS/],
    [
      'client certificate without key',
      { TEMPORAL_TLS_CLIENT_CERT_PATH: '/c.pem' },
      /TEMPORAL_TLS_CLIENT_KEY_PATH/,
    ],
    [
      'client key without certificate',
      { TEMPORAL_TLS_CLIENT_KEY_PATH: '/c.key' },
      /TEMPORAL_TLS_CLIENT_CERT_PATH/,
    ],
    [
      'short admin password',
      { REGATTA_ADMIN_PASSWORD: 'elevenchars' },
      /REGATTA_ADMIN_PASSWORD: must be at least 12/,
    ],
    [
      'trusted proxy not an address',
      { REGATTA_TRUSTED_PROXY: '10.0.0.1,proxy.example' },
      /REGATTA_TRUSTED_PROXY/,
    ],
    [
      'TLS certificate without its key',
      { REGATTA_TLS_CERT: '/etc/regatta/api.pem' },
      /REGATTA_TLS_KEY: is required with REGATTA_TLS_CERT/,
    ],
    [
      'TLS key without its certificate',
      { REGATTA_TLS_KEY: '/etc/regatta/api.key' },
      /REGATTA_TLS_CERT: is required with REGATTA_TLS_KEY/,
    ],
    [
      'short secret passphrase',
      { REGATTA_SECRET_KEY: 'fifteen chars!!' },
      /REGATTA_SECRET_KEY: a passphrase must be at least 16 characters/,
    ],
    ['trusted proxy bad CIDR', { REGATTA_TRUSTED_PROXY: '10.0.0.0/33' }, /REGATTA_TRUSTED_PROXY/],
    ['public URL not http', { REGATTA_PUBLIC_URL: 'ftp://regatta.example' }, /REGATTA_PUBLIC_URL/],
    ['public URL with a query', { REGATTA_PUBLIC_URL: 'https://regatta.example/?a=1' }, /REGATTA_PUBLIC_URL/],
    [
      'notification retries shrinking',
      { REGATTA_NOTIFICATION_RETRY_SECONDS: '60', REGATTA_NOTIFICATION_RETRY_MAX_SECONDS: '10' },
      /REGATTA_NOTIFICATION_RETRY_MAX_SECONDS: must be at least REGATTA_NOTIFICATION_RETRY_SECONDS/,
    ],
    ['executions kept negative', { REGATTA_EXECUTIONS_KEPT: '-1' }, /REGATTA_EXECUTIONS_KEPT/],
    [
      'notification deliveries kept fractional',
      { REGATTA_NOTIFICATION_DELIVERIES_KEPT: '1.5' },
      /REGATTA_NOTIFICATION_DELIVERIES_KEPT/,
    ],
    ['executions kept a fraction', { REGATTA_EXECUTIONS_KEPT: '2.5' }, /REGATTA_EXECUTIONS_KEPT/],
    [
      'a notification never given up',
      { REGATTA_NOTIFICATION_GIVE_UP_SECONDS: '0' },
      /REGATTA_NOTIFICATION_GIVE_UP_SECONDS/,
    ],
  ];
  for (const [name, env, message] of invalid) {
    it(`invalid – ${name} names the variable`, () => {
      assert.throws(
        () => loadEnvironment(env),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, 'INVALID_INPUT');
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});
