import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import type { ComputedDigests } from '../s3/index.ts';
import { payloadCheck, streamingMode } from './checksums.ts';

function digestsOf(text: string): ComputedDigests {
  const bytes = Buffer.from(text);
  return {
    size: bytes.length,
    md5: createHash('md5').update(bytes).digest(),
    sha256: createHash('sha256').update(bytes).digest(),
    sha1: createHash('sha1').update(bytes).digest(),
    crc32: crc32(bytes),
  };
}

describe('payloadCheck', () => {
  const body = digestsOf('A=1\nB=2\n');
  it('accepts matching Content-MD5, x-amz-content-sha256 and x-amz-checksum-crc32 (header or trailer)', () => {
    const headers = {
      'content-md5': 'EYLPb2Sg7SC0Er/YzhxJpQ==', // what the AWS CLI sent for this body
      'x-amz-content-sha256': 'beb5f2519a8d4a22ff19d6b4ba05806c75710dc1ad7e2ef37ee1d1a950d4b074',
      'x-amz-checksum-crc32': '3DxOOw==', // what botocore sent for it
    };
    payloadCheck(headers, () => ({}))(body);
    payloadCheck({}, () => ({ 'x-amz-checksum-crc32': '3DxOOw==' }))(body);
    payloadCheck({ 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, () => ({}))(body);
  });

  it('names what does not match', () => {
    assert.throws(() => payloadCheck({ 'content-md5': 'AAAAAAAAAAAAAAAAAAAAAA==' }, () => ({}))(body), {
      code: 'BadDigest',
      message: 'The Content-MD5 you specified did not match what we received.',
    });
    assert.throws(() => payloadCheck({ 'content-md5': 'short' }, () => ({})), { code: 'InvalidDigest' });
    assert.throws(() => payloadCheck({ 'x-amz-content-sha256': '0'.repeat(64) }, () => ({}))(body), {
      code: 'XAmzContentSHA256Mismatch',
    });
    assert.throws(() => payloadCheck({}, () => ({ 'x-amz-checksum-crc32': 'AAAAAA==' }))(body), {
      code: 'BadDigest',
      message: 'The CRC32 you specified did not match the calculated checksum.',
    });
  });
});

describe('streamingMode', () => {
  it('reads unsigned aws-chunked bodies and refuses signed chunks', () => {
    assert.equal(streamingMode({ 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }), 'plain');
    assert.equal(streamingMode({ 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' }), 'aws-chunked');
    assert.throws(() => streamingMode({ 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' }), {
      code: 'InvalidRequest',
    });
  });
});

describe('x-amz-decoded-content-length', () => {
  it('must match the decoded body', () => {
    const body = digestsOf('hello');
    payloadCheck({ 'x-amz-decoded-content-length': '5' }, () => ({}))(body);
    assert.throws(() => payloadCheck({ 'x-amz-decoded-content-length': '6' }, () => ({}))(body), {
      code: 'IncompleteBody',
    });
  });
});
