import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, parseServerConfig } from './config.ts';

describe('parseServerConfig', () => {
  it('uses the documented defaults', () => {
    const config = parseServerConfig([], {});
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 4510);
    assert.equal(config.dataDir, resolve('.berth'));
    assert.equal(config.accountId, '000000000000');
    assert.equal(config.region, 'us-east-1');
    assert.equal(config.registryHost, undefined); // localhost:PORT once the port is bound
    assert.equal(config.logLevel, 'info');
    assert.equal(config.deploymentMinuteMs, 60_000);
    assert.equal(config.metricsMinuteMs, 60_000);
    assert.equal(config.metricsPublishMs, 60_000);
    assert.equal(config.agentLostSeconds, 180);
    assert.equal(config.elbHeaderTimeoutSeconds, 60);
    assert.equal(config.elbMaxConnections, 4096);
    assert.equal(config.elbMaxConnectionsTotal, undefined); // from the descriptor limit
    assert.equal(config.uploadExpirySeconds, 86_400);
  });

  it('reads the environment, and flags win over it', () => {
    const env = { BERTH_PORT: '5000', BERTH_REGION: 'eu-west-1', BERTH_REGISTRY_HOST: 'registry.local:5000' };
    const config = parseServerConfig(['--port', '6000', '--deployment-minute-ms', '500'], env);
    assert.equal(config.port, 6000);
    assert.equal(config.deploymentMinuteMs, 500);
    assert.equal(parseServerConfig([], { BERTH_AGENT_LOST_SECONDS: '30' }).agentLostSeconds, 30);
    assert.equal(parseServerConfig(['--upload-expiry-seconds', '3600'], {}).uploadExpirySeconds, 3600);
    assert.equal(parseServerConfig([], { BERTH_METRICS_PUBLISH_MS: '500' }).metricsPublishMs, 500);
    assert.equal(config.region, 'eu-west-1');
    assert.equal(config.registryHost, 'registry.local:5000');
  });

  it('serves HTTPS on 4511 with the Berth CA unless told otherwise', () => {
    assert.deepEqual(parseServerConfig([], {}).tls, {
      host: '127.0.0.1',
      port: 4511,
      certFile: undefined,
      keyFile: undefined,
      names: [],
    });
    assert.equal(parseServerConfig(['--tls-port', 'off'], {}).tls, undefined);
    const own = parseServerConfig([], {
      BERTH_HOST: '0.0.0.0',
      BERTH_TLS_HOST: '172.17.0.1',
      BERTH_TLS_CERT: '/etc/berth/cert.pem',
      BERTH_TLS_KEY: '/etc/berth/key.pem',
      BERTH_TLS_NAMES: 'berth.example,*.berth.example,10.0.0.5',
    }).tls;
    assert.equal(own?.host, '172.17.0.1');
    assert.equal(own?.certFile, '/etc/berth/cert.pem');
    assert.deepEqual(own?.names, ['berth.example', '*.berth.example', '10.0.0.5']);
    assert.throws(() => parseServerConfig([], { BERTH_TLS_CERT: '/c.pem' }), /BERTH_TLS_CERT and BERTH_TLS_KEY/);
    assert.throws(() => parseServerConfig([], { BERTH_TLS_PORT: 'yes' }), /a port or off/);
  });

  it('stores metadata in SQLite in the data folder unless --store (BERTH_STORE) names a PostgreSQL URL', () => {
    assert.deepEqual(parseServerConfig(['--data-dir', '/srv/berth'], {}).store, {
      kind: 'sqlite',
      path: '/srv/berth/berth.sqlite',
    });
    const url = 'postgres://berth:s3cret@db.internal:5432/berth';
    assert.deepEqual(parseServerConfig([], { BERTH_STORE: url }).store, { kind: 'postgres', url, multiServer: false });
    const other = 'postgresql://db.internal/berth';
    assert.deepEqual(parseServerConfig(['--store', other, '--multi-server', 'on'], { BERTH_STORE: url }).store, {
      kind: 'postgres',
      url: other,
      multiServer: true,
    });
    // Several servers need a database they can share.
    assert.throws(() => parseServerConfig([], { BERTH_MULTI_SERVER: 'on' }), /needs a PostgreSQL store/);
    assert.throws(() => parseServerConfig([], { BERTH_MULTI_SERVER: 'yes' }), /BERTH_MULTI_SERVER must be on or off/);
    // Anything else is refused, and the message never repeats the value (it may hold a password).
    for (const value of ['mysql://u:s3cret@h/db', 's3cret', 'postgres//u:s3cret@h/db']) {
      assert.throws(
        () => parseServerConfig([], { BERTH_STORE: value }),
        (error: Error) =>
          error instanceof ConfigError &&
          /^BERTH_STORE must be a postgres:\/\//.test(error.message) &&
          !error.message.includes('s3cret'),
      );
    }
  });

  const invalid: [string, string[], Record<string, string>, RegExp][] = [
    [
      'a port that is not a number',
      [],
      { BERTH_PORT: 'http' },
      /BERTH_PORT must be a port number from 0 to 65535 \(got 'http'\)/,
    ],
    ['a port out of range', ['--port', '70000'], {}, /--port must be a port number/],
    ['a metrics period over a minute', ['--metrics-publish-ms', '61000'], {}, /milliseconds from 100 to 60000/],
    ['an account id of 11 digits', [], { BERTH_ACCOUNT_ID: '12345678901' }, /12-digit AWS account id/],
    ['a region with spaces', [], { BERTH_REGION: 'us east 1' }, /region name/],
    [
      'an unknown log level',
      [],
      { BERTH_LOG_LEVEL: 'loud' },
      /BERTH_LOG_LEVEL must be fatal, error, warn, info, debug, trace, silent/,
    ],
    ['an unknown flag', ['--colour'], {}, /Unknown option '--colour'/],
    [
      'an access key without its secret',
      [],
      { BERTH_ROOT_ACCESS_KEY_ID: 'AKIAAAAAAAAAAAAAAAAA' },
      /must be set together/,
    ],
    ['quotas that are not JSON', [], { BERTH_ECS_QUOTAS: 'many' }, /BERTH_ECS_QUOTAS must be a JSON object/],
    ['an unknown quota', [], { BERTH_ECS_QUOTAS: '{"tasks":3}' }, /unknown quota 'tasks'/],
    ['a quota below 1', [], { BERTH_ECS_QUOTAS: '{"servicesPerCluster":0}' }, /positive integer/],
    ['a deployment minute that is not a number', [], { BERTH_DEPLOYMENT_MINUTE_MS: '1m' }, /milliseconds/],
    ['a metrics minute under a second', [], { BERTH_METRICS_MINUTE_MS: '500' }, /milliseconds from 1000 to 60000/],
    ['an agent-lost time under the long poll', [], { BERTH_AGENT_LOST_SECONDS: '10' }, /seconds from 30 to 86400/],
    ['a header timeout of 0', [], { BERTH_ELB_HEADER_TIMEOUT_SECONDS: '0' }, /seconds from 1 to 4000/],
    ['a connection cap of 0', ['--elb-max-connections-total', '0'], {}, /a number from 1 to 9999999/],
    ['an upload expiry under a minute', [], { BERTH_UPLOAD_EXPIRY_SECONDS: '5' }, /seconds from 60 to 31536000/],
    ['managed capacity that is neither docker nor off', [], { BERTH_MANAGED_CAPACITY: 'k8s' }, /docker or off/],
  ];
  for (const [what, argv, env, message] of invalid) {
    it(`refuses ${what}`, () => {
      assert.throws(
        () => parseServerConfig(argv, env),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
      );
    });
  }
});
