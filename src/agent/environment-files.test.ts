import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  mergeEnvironmentFiles,
  parseEnvironmentFile,
  parseS3ObjectArn,
  readEnvironmentFiles,
  MAX_ENVIRONMENT_FILE_BYTES,
} from './environment-files.ts';

describe('parseEnvironmentFile (Docker env-file lines)', () => {
  const cases: [string, string, Record<string, string>][] = [
    ['one variable', 'A=1\n', { A: '1' }],
    ['comments and blank lines are skipped', '# note\n\nA=1\n   \n#B=2\n', { A: '1' }],
    ['the value is everything after the first =', 'URL=http://x/?a=b&c=d\n', { URL: 'http://x/?a=b&c=d' }],
    ['values are literal: quotes and spaces kept', 'Q="quoted" \nS= spaced\n', { Q: '"quoted" ', S: ' spaced' }],
    ['an empty value is a value', 'EMPTY=\n', { EMPTY: '' }],
    ['leading whitespace before the name is ignored', '  A=1\n', { A: '1' }],
    ['lines without = or without a name are skipped', 'JUSTNAME\n=value\nA B=1\n', {}],
    ['a later line wins within a file', 'A=1\nA=2\n', { A: '2' }],
    ['CRLF line ends', 'A=1\r\nB=2\r\n', { A: '1', B: '2' }],
    ['no final newline', 'A=1', { A: '1' }],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => assert.deepEqual(parseEnvironmentFile(text), expected));
  }
});

describe('environment files of a task', () => {
  it('parses S3 object ARNs', () => {
    assert.deepEqual(parseS3ObjectArn('arn:aws:s3:::bucket/dir/app.env'), { bucket: 'bucket', key: 'dir/app.env' });
    assert.equal(parseS3ObjectArn('arn:aws:s3:::bucket'), undefined);
    assert.equal(parseS3ObjectArn('s3://bucket/key'), undefined);
  });

  it('lets the first file that sets a variable win', () => {
    assert.deepEqual(
      mergeEnvironmentFiles([
        { A: '1', B: 'first' },
        { B: 'second', C: '3' },
      ]),
      {
        A: '1',
        B: 'first',
        C: '3',
      },
    );
  });

  it('reads each container’s files through the reader, and names every file it could not read', async () => {
    const objects: Record<string, string> = { 'b/one.env': 'A=1\n', 'b/two.env': 'A=2\nB=2\n' };
    const read = async (bucket: string, key: string) => {
      const text = objects[`${bucket}/${key}`];
      if (text === undefined) throw new Error('NoSuchKey: The specified key does not exist. status code: 404');
      return Buffer.from(text);
    };
    const files = await readEnvironmentFiles(
      [
        {
          name: 'app',
          environmentFiles: [
            { type: 's3', value: 'arn:aws:s3:::b/one.env' },
            { type: 's3', value: 'arn:aws:s3:::b/two.env' },
          ],
        },
        { name: 'plain' },
      ],
      read,
    );
    assert.deepEqual(Object.fromEntries(files), { app: { A: '1', B: '2' } });

    await assert.rejects(
      readEnvironmentFiles(
        [{ name: 'app', environmentFiles: [{ type: 's3', value: 'arn:aws:s3:::b/gone.env' }] }],
        read,
      ),
      {
        name: 'ResourceInitializationError',
        message:
          'failed to download env files: unable to download env file with key gone.env from bucket b, error: NoSuchKey: The specified key does not exist. status code: 404',
      },
    );
    await assert.rejects(
      readEnvironmentFiles([{ name: 'app', environmentFiles: [{ type: 's3', value: 'arn:aws:s3:::b/big.env' }] }], () =>
        Promise.resolve(new Uint8Array(MAX_ENVIRONMENT_FILE_BYTES + 1)),
      ),
      /over Berth's 10485760-byte limit/,
    );
  });
});
