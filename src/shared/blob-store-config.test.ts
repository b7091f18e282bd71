import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseServerConfig } from './config.ts';

const parse = (env: Record<string, string>) => parseServerConfig([], { BERTH_DATA_DIR: '/tmp/x', ...env });
const postgres = { BERTH_STORE: 'postgres://u@db/berth', BERTH_MULTI_SERVER: 'on' };

describe('blob store settings', () => {
  it('keeps blobs in the data folder by default, two copies among several servers', () => {
    assert.deepEqual(parse({}).blobs, { kind: 'data-folder', copies: 2, peerUrl: undefined });
    assert.deepEqual(parse({ ...postgres, BERTH_BLOB_COPIES: '3', BERTH_PEER_URL: 'http://10.0.0.1:4510/' }).blobs, {
      kind: 'data-folder',
      copies: 3,
      peerUrl: 'http://10.0.0.1:4510',
    });
  });

  it('reads an S3 bucket, its prefix, endpoint, region and credentials', () => {
    const config = parse({
      BERTH_BLOB_STORE: 's3://my-bucket/registry/blobs/',
      BERTH_BLOB_STORE_ENDPOINT: 'http://127.0.0.1:9000',
      BERTH_BLOB_STORE_ACCESS_KEY_ID: 'AKID',
      BERTH_BLOB_STORE_SECRET_ACCESS_KEY: 'secret',
    }).blobs;
    assert.equal(config.kind, 's3');
    if (config.kind !== 's3') return;
    assert.equal(config.bucket, 'my-bucket');
    assert.equal(config.prefix, 'registry/blobs');
    assert.equal(config.endpoint.origin, 'http://127.0.0.1:9000');
    assert.equal(config.region, 'us-east-1');
    const aws = parse({
      BERTH_BLOB_STORE: 's3://b1b',
      BERTH_REGION: 'eu-west-3',
      AWS_ACCESS_KEY_ID: 'A',
      AWS_SECRET_ACCESS_KEY: 'S',
      AWS_SESSION_TOKEN: 'T',
    }).blobs;
    assert.ok(aws.kind === 's3' && aws.endpoint.origin === 'https://s3.eu-west-3.amazonaws.com');
    assert.ok(aws.kind === 's3' && aws.prefix === '' && aws.sessionToken === 'T');
  });

  it('refuses settings that would not be acted on, naming them', () => {
    const refused: [Record<string, string>, RegExp][] = [
      [{ BERTH_BLOB_STORE: 'file:///x' }, /BERTH_BLOB_STORE must be s3:\/\/bucket/],
      [{ BERTH_BLOB_STORE: 's3://bucket' }, /needs credentials/],
      [{ BERTH_BLOB_STORE_ENDPOINT: 'http://x' }, /BERTH_BLOB_STORE_ENDPOINT applies to an S3 blob store/],
      [{ BERTH_BLOB_COPIES: '2' }, /BERTH_BLOB_COPIES applies to several servers/],
      [{ ...postgres, BERTH_BLOB_COPIES: '0' }, /from 1 to 9/],
      [{ ...postgres, BERTH_PEER_URL: 'ftp://x' }, /BERTH_PEER_URL must be http/],
      [
        {
          BERTH_BLOB_STORE: 's3://bucket',
          AWS_ACCESS_KEY_ID: 'A',
          AWS_SECRET_ACCESS_KEY: 'S',
          ...postgres,
          BERTH_BLOB_COPIES: '2',
        },
        /BERTH_BLOB_COPIES applies to blobs in the data folders/,
      ],
    ];
    for (const [env, message] of refused) {
      assert.throws(
        () => parse(env),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
      );
    }
  });
});
