import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsChunkedDecoder } from './aws-chunked.ts';

async function decodeAll(parts: string[]): Promise<{ body: string; trailers: Record<string, string> }> {
  const decoder = new AwsChunkedDecoder(
    (async function* () {
      for (const part of parts) yield Buffer.from(part, 'latin1');
    })(),
  );
  const chunks: Buffer[] = [];
  for await (const chunk of decoder.decode()) chunks.push(Buffer.from(chunk));
  return { body: Buffer.concat(chunks).toString('latin1'), trailers: decoder.trailers };
}

describe('AwsChunkedDecoder', () => {
  it('decodes what the AWS SDK v3 sends (STREAMING-UNSIGNED-PAYLOAD-TRAILER)', async () => {
    // Captured from @aws-sdk/client-s3 PutObject with a stream body.
    const sent = '6\r\nhello \r\n5\r\nworld\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n';
    assert.deepEqual(await decodeAll([sent]), {
      body: 'hello world',
      trailers: { 'x-amz-checksum-crc32': 'DUoRhQ==' },
    });
  });

  it('decodes whatever way the bytes are split across reads', async () => {
    const sent = 'a;chunk-signature=00\r\n0123456789\r\n3\r\nabc\r\n0\r\n\r\n';
    for (let cut = 1; cut < sent.length; cut++) {
      const { body } = await decodeAll([sent.slice(0, cut), sent.slice(cut)]);
      assert.equal(body, '0123456789abc', `cut at ${cut}`);
    }
  });

  it('accepts a body that ends after its last trailer', async () => {
    assert.deepEqual(await decodeAll(['1\r\nx\r\n0\r\nx-amz-checksum-sha256:abc\r\n']), {
      body: 'x',
      trailers: { 'x-amz-checksum-sha256': 'abc' },
    });
  });

  it('refuses a truncated body and a bad chunk header', async () => {
    await assert.rejects(decodeAll(['5\r\nabc']), { code: 'IncompleteBody' });
    await assert.rejects(decodeAll(['zz\r\nabc\r\n']), /Invalid chunk header/);
    await assert.rejects(decodeAll(['3\r\nabcX\r\n0\r\n\r\n']), /does not end with CRLF/);
  });
});
