import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseImageReference, pullTag, repoDigestOf } from './image-reference.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('parseImageReference', () => {
  const cases = [
    ['busybox', { name: 'busybox', registry: 'docker.io', repository: 'library/busybox' }, 'latest'],
    ['team/web:1.2', { name: 'team/web', registry: 'docker.io', repository: 'team/web', tag: '1.2' }, '1.2'],
    [
      'localhost:5000/web:v1',
      { name: 'localhost:5000/web', registry: 'localhost:5000', repository: 'web', tag: 'v1' },
      'v1',
    ],
    [
      '127.0.0.1:1/nope:latest',
      { name: '127.0.0.1:1/nope', registry: '127.0.0.1:1', repository: 'nope', tag: 'latest' },
      'latest',
    ],
    // A port but no tag: the last colon is before the last slash.
    ['localhost:4510/a/b', { name: 'localhost:4510/a/b', registry: 'localhost:4510', repository: 'a/b' }, 'latest'],
    ['localhost/web', { name: 'localhost/web', registry: 'localhost', repository: 'web' }, 'latest'],
    [
      `000000000000.dkr.ecr.us-east-1.amazonaws.com/web@${DIGEST}`,
      {
        name: '000000000000.dkr.ecr.us-east-1.amazonaws.com/web',
        registry: '000000000000.dkr.ecr.us-east-1.amazonaws.com',
        repository: 'web',
        digest: DIGEST,
      },
      DIGEST,
    ],
    // Tag and digest: the digest decides what is pulled.
    [
      `localhost:5000/web:v1@${DIGEST}`,
      { name: 'localhost:5000/web', registry: 'localhost:5000', repository: 'web', tag: 'v1', digest: DIGEST },
      DIGEST,
    ],
  ] as const;
  for (const [reference, expected, tag] of cases) {
    it(`${reference} → ${expected.name} (pull tag ${tag})`, () => {
      const parsed = parseImageReference(reference);
      assert.deepEqual(parsed, expected);
      assert.equal(pullTag(parsed), tag);
    });
  }

  for (const reference of ['', ':v1', 'web:', 'web@', 'web@nodigest']) {
    it(`rejects ${JSON.stringify(reference)}`, () => {
      assert.throws(() => parseImageReference(reference), /invalid image reference/);
    });
  }
});

describe('repoDigestOf', () => {
  const OTHER = `sha256:${'b'.repeat(64)}`;
  const cases: [string, string, string[], string | undefined][] = [
    [
      'the entry of the same repository',
      'localhost:5000/team/web:v1',
      [`localhost:5000/other@${OTHER}`, `localhost:5000/team/web@${DIGEST}`],
      DIGEST,
    ],
    ["Docker Hub's short names", 'busybox:1.36', [`busybox@${DIGEST}`], DIGEST],
    ["Docker Hub's long names", 'docker.io/library/busybox', [`busybox@${DIGEST}`], DIGEST],
    ['the digest the reference names', `web@${OTHER}`, [`web@${DIGEST}`], OTHER],
    ['none for an image built here', 'berth-test:1', [], undefined],
    ['none from another registry', 'localhost:5000/web:v1', [`localhost:6000/web@${DIGEST}`], undefined],
  ];
  for (const [what, reference, repoDigests, expected] of cases) {
    it(what, () => assert.equal(repoDigestOf(reference, repoDigests), expected));
  }
});
