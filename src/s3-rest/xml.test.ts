import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorDocument, listObjectsV2Document, locationConstraintOf } from './xml.ts';

describe('S3 XML documents', () => {
  it('writes errors as S3 does, escaped', () => {
    assert.equal(
      errorDocument({
        code: 'NoSuchKey',
        message: 'The specified key does not exist.',
        details: { Key: 'a<b>&c' },
        requestId: 'r1',
      }),
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>a&lt;b&gt;&amp;c</Key><RequestId>r1</RequestId></Error>',
    );
  });

  it('URL-encodes keys and prefixes for encoding-type=url', () => {
    const document = listObjectsV2Document(
      {
        bucket: 'b',
        prefix: 'a b/',
        delimiter: '/',
        maxKeys: 1000,
        continuationToken: undefined,
        startAfter: undefined,
        urlEncoded: true,
      },
      {
        contents: [
          {
            bucket: 'b',
            key: 'a b/c+d.env',
            digest: 'sha256:00',
            size: 3,
            etag: 'abc',
            contentType: 'text/plain',
            lastModified: new Date('2026-01-02T03:04:05.006Z'),
            headers: {},
          },
        ],
        commonPrefixes: ['a b/sub/'],
        isTruncated: false,
        nextContinuationToken: undefined,
      },
    );
    assert.match(document, /<Prefix>a%20b%2F<\/Prefix><Delimiter>%2F<\/Delimiter>/);
    assert.match(document, /<EncodingType>url<\/EncodingType><KeyCount>2<\/KeyCount><IsTruncated>false<\/IsTruncated>/);
    assert.match(
      document,
      /<Contents><Key>a%20b%2Fc%2Bd.env<\/Key><LastModified>2026-01-02T03:04:05.006Z<\/LastModified><ETag>&quot;abc&quot;<\/ETag><Size>3<\/Size>/,
    );
    assert.match(document, /<CommonPrefixes><Prefix>a%20b%2Fsub%2F<\/Prefix><\/CommonPrefixes>/);
  });

  it('reads a CreateBucket body’s LocationConstraint', () => {
    assert.equal(
      locationConstraintOf(
        '<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>',
      ),
      'eu-west-1',
    );
    assert.equal(locationConstraintOf(''), undefined);
  });
});
