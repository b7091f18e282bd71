import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerDefinition } from '../../ecs/index.ts';
import { ResourceInitializationError } from '../runtime.ts';
import {
  describeApiError,
  needsSecrets,
  resolveRepositoryCredentials,
  resolveSecrets,
  type SecretsApi,
} from './resolve-secrets.ts';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret';
const DB = `${ARN}:db-AbCdEf`;
const PREFIX = 'unable to pull secrets or registry auth: execution resource retrieval failed: ';

class ApiError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** Secrets by `SecretId|stage|version` (stage AWSCURRENT when none is asked); parameters by name. */
function fakeApi(
  secrets: Record<string, { SecretString?: string; SecretBinary?: string } | Error>,
  parameters: Record<string, string>,
) {
  const calls = { getSecretValue: [] as unknown[], getParameters: [] as string[][] };
  const api: SecretsApi = {
    async getSecretValue(input) {
      calls.getSecretValue.push(input);
      const found = secrets[`${input.SecretId}|${input.VersionStage ?? 'AWSCURRENT'}|${input.VersionId ?? ''}`];
      if (found === undefined) {
        throw new ApiError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
      }
      if (found instanceof Error) throw found;
      return { ARN: input.SecretId, ...found };
    },
    async getParameters(input) {
      calls.getParameters.push(input.Names);
      assert.equal(input.WithDecryption, true);
      assert.ok(input.Names.length <= 10);
      const known = input.Names.filter((name) => name in parameters);
      return {
        Parameters: known.map((name) => ({ Name: name, Value: parameters[name]! })),
        InvalidParameters: input.Names.filter((name) => !(name in parameters)),
      };
    },
  };
  return { api, calls };
}

function container(name: string, more: Partial<ContainerDefinition>): ContainerDefinition {
  return { name, image: 'app:1', ...more };
}

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ResourceInitializationError);
    return error.message;
  }
  assert.fail('expected a ResourceInitializationError');
}

describe('resolveSecrets', () => {
  it('gives each container its variables and log options, from every valueFrom form', async () => {
    const { api } = fakeApi(
      {
        [`${DB}|AWSCURRENT|`]: { SecretString: '{"user":"app","password":"s3cret","port":5432}' },
        [`${DB}|AWSPREVIOUS|`]: { SecretString: '{"password":"old"}' },
        [`${DB}|AWSCURRENT|v-7`]: { SecretString: '{"password":"seven"}' },
        [`${ARN}:token-123456|AWSCURRENT|`]: { SecretString: 'plain-token' },
      },
      { plain: 'one', '/app/key': 'two', 'arn:aws:ssm:us-east-1:123456789012:parameter/app/arn': 'three' },
    );
    const resolved = await resolveSecrets(
      [
        container('web', {
          secrets: [
            { name: 'WHOLE', valueFrom: DB },
            { name: 'USER', valueFrom: `${DB}:user::` },
            { name: 'PORT', valueFrom: `${DB}:port::` },
            { name: 'OLD', valueFrom: `${DB}:password:AWSPREVIOUS:` },
            { name: 'SEVEN', valueFrom: `${DB}:password::v-7` },
            { name: 'PLAIN', valueFrom: 'plain' },
            { name: 'PATH_NAME', valueFrom: '/app/key' },
            { name: 'BY_ARN', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/app/arn' },
          ],
          logConfiguration: {
            logDriver: 'splunk',
            options: { 'splunk-url': 'https://splunk' },
            secretOptions: [{ name: 'splunk-token', valueFrom: `${ARN}:token-123456` }],
          },
        }),
        container('sidecar', { secrets: [{ name: 'KEY', valueFrom: '/app/key' }] }),
        container('bare', {}),
      ],
      api,
    );
    assert.deepEqual(resolved, {
      environment: {
        web: {
          WHOLE: '{"user":"app","password":"s3cret","port":5432}',
          USER: 'app',
          PORT: '5432',
          OLD: 'old',
          SEVEN: 'seven',
          PLAIN: 'one',
          PATH_NAME: 'two',
          BY_ARN: 'three',
        },
        sidecar: { KEY: 'two' },
      },
      logOptions: { web: { 'splunk-token': 'plain-token' } },
    });
  });

  it('fetches a secret version once for all its json keys, across containers', async () => {
    const { api, calls } = fakeApi({ [`${DB}|AWSCURRENT|`]: { SecretString: '{"a":"1","b":"2"}' } }, {});
    await resolveSecrets(
      [
        container('one', { secrets: [{ name: 'A', valueFrom: `${DB}:a::` }] }),
        container('two', {
          secrets: [
            { name: 'B', valueFrom: `${DB}:b::` },
            { name: 'ALL', valueFrom: DB },
          ],
        }),
      ],
      api,
    );
    assert.deepEqual(calls.getSecretValue, [{ SecretId: DB }]);
  });

  it('asks for a stage and a version only when the valueFrom names them', async () => {
    const { api, calls } = fakeApi(
      {
        [`${DB}|AWSPENDING|`]: { SecretString: '{"k":"p"}' },
        [`${DB}|AWSCURRENT|v-1`]: { SecretString: '{"k":"v"}' },
        [`${DB}|AWSPREVIOUS|v-2`]: { SecretString: '{"k":"b"}' },
      },
      {},
    );
    await resolveSecrets(
      [
        container('c', {
          secrets: [
            { name: 'P', valueFrom: `${DB}:k:AWSPENDING:` },
            { name: 'V', valueFrom: `${DB}:k::v-1` },
            { name: 'B', valueFrom: `${DB}:k:AWSPREVIOUS:v-2` },
          ],
        }),
      ],
      api,
    );
    assert.deepEqual(calls.getSecretValue, [
      { SecretId: DB, VersionStage: 'AWSPENDING' },
      { SecretId: DB, VersionId: 'v-1' },
      { SecretId: DB, VersionStage: 'AWSPREVIOUS', VersionId: 'v-2' },
    ]);
  });

  it('batches SSM names by 10, each name once', async () => {
    const parameters = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`/p/${i}`, `v${i}`]));
    const { api, calls } = fakeApi({}, parameters);
    const names = Object.keys(parameters);
    const resolved = await resolveSecrets(
      [
        container('a', { secrets: names.slice(0, 15).map((name) => ({ name: `V${name.slice(3)}`, valueFrom: name })) }),
        container('b', { secrets: names.slice(10).map((name) => ({ name: `V${name.slice(3)}`, valueFrom: name })) }),
      ],
      api,
    );
    // 25 distinct names → 10 + 10 + 5
    assert.deepEqual(
      calls.getParameters.map((batch) => batch.length),
      [10, 10, 5],
    );
    assert.deepEqual(calls.getParameters.flat(), names);
    assert.equal(resolved.environment.b!.V24, 'v24');
    assert.equal(resolved.environment.a!.V3, 'v3');
  });

  it('makes no call when the task has no secrets', async () => {
    const { api, calls } = fakeApi({}, {});
    assert.deepEqual(await resolveSecrets([container('c', {})], api), { environment: {}, logOptions: {} });
    assert.deepEqual(calls, { getSecretValue: [], getParameters: [] });
  });

  it('gives a binary secret an empty value, and leaves an empty log option out (as the agent does)', async () => {
    const { api } = fakeApi({ [`${DB}|AWSCURRENT|`]: { SecretBinary: 'AAEC' } }, { empty: '' });
    const resolved = await resolveSecrets(
      [
        container('c', {
          secrets: [
            { name: 'BIN', valueFrom: DB },
            { name: 'EMPTY', valueFrom: 'empty' },
          ],
          logConfiguration: { logDriver: 'splunk', secretOptions: [{ name: 'splunk-token', valueFrom: 'empty' }] },
        }),
      ],
      api,
    );
    assert.deepEqual(resolved, { environment: { c: { BIN: '', EMPTY: '' } }, logOptions: { c: {} } });
  });

  it('takes a container or variable named __proto__ as a name like any other', async () => {
    const { api } = fakeApi({}, { p: 'v' });
    const resolved = await resolveSecrets(
      [container('__proto__', { secrets: [{ name: '__proto__', valueFrom: 'p' }] })],
      api,
    );
    assert.deepEqual(Object.keys(resolved.environment), ['__proto__']);
    assert.equal(Object.getOwnPropertyDescriptor(resolved.environment, '__proto__')?.value.__proto__, 'v');
  });

  describe('stops the task with ECS’s reason', () => {
    const failures: [string, ContainerDefinition['secrets'], string][] = [
      [
        'a secret that does not exist',
        [{ name: 'X', valueFrom: `${ARN}:gone-AbCdEf` }],
        "unable to retrieve secret from asm: service call has been retried 1 time(s): ResourceNotFoundException: Secrets Manager can't find the specified secret.",
      ],
      [
        'a secret the role may not read',
        [{ name: 'X', valueFrom: `${ARN}:denied-AbCdEf:k::` }],
        'unable to retrieve secret from asm: service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/exec/t is not authorized to perform: secretsmanager:GetSecretValue',
      ],
      [
        'a json key the secret lacks',
        [{ name: 'X', valueFrom: `${DB}:nope::` }],
        'unable to retrieve secret from asm: service call has been retried 1 time(s): retrieved secret from Secrets Manager did not contain json key nope',
      ],
      [
        'a json key of a secret that is not JSON',
        [{ name: 'X', valueFrom: `${ARN}:text-AbCdEf:k::` }],
        'unable to retrieve secret from asm: service call has been retried 1 time(s): invalid character looking for beginning of value',
      ],
      [
        'a json key of a binary secret',
        [{ name: 'X', valueFrom: `${ARN}:bin-AbCdEf:k::` }],
        'unable to retrieve secret from asm: service call has been retried 1 time(s): unexpected end of JSON input',
      ],
      [
        'a Secrets Manager ARN of the wrong shape',
        [{ name: 'X', valueFrom: `${DB}:k` }],
        `unable to retrieve secret from asm: trying to retrieve secret with value ${DB}:k resulted in error: an invalid ARN format for the AWS Secrets Manager secret was specified. Specify a valid ARN and try again.`,
      ],
      [
        'parameters that do not exist (those of the failing call)',
        [
          { name: 'A', valueFrom: '/ok' },
          { name: 'B', valueFrom: '/missing/one' },
          { name: 'C', valueFrom: '/missing/two' },
        ],
        'unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: /missing/one,/missing/two',
      ],
      [
        'the first failing reference in task order',
        [
          { name: 'A', valueFrom: '/missing/one' },
          { name: 'B', valueFrom: `${ARN}:gone-AbCdEf` },
        ],
        'unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: /missing/one',
      ],
    ];
    for (const [name, secrets, reason] of failures) {
      it(name, async () => {
        const { api } = fakeApi(
          {
            [`${DB}|AWSCURRENT|`]: { SecretString: '{"k":"v"}' },
            [`${ARN}:denied-AbCdEf|AWSCURRENT|`]: new ApiError(
              'AccessDeniedException',
              'User: arn:aws:sts::123456789012:assumed-role/exec/t is not authorized to perform: secretsmanager:GetSecretValue',
            ),
            [`${ARN}:text-AbCdEf|AWSCURRENT|`]: { SecretString: 'hunter2' },
            [`${ARN}:bin-AbCdEf|AWSCURRENT|`]: { SecretBinary: 'AAEC' },
          },
          { '/ok': 'fine' },
        );
        assert.equal(await reasonOf(resolveSecrets([container('c', { secrets })], api)), `${PREFIX}${reason}`);
      });
    }

    it('when GetParameters itself fails', async () => {
      const { api } = fakeApi({}, {});
      api.getParameters = async () => {
        throw new ApiError('AccessDeniedException', 'not authorized to perform: ssm:GetParameters');
      };
      const reason = await reasonOf(
        resolveSecrets([container('c', { secrets: [{ name: 'A', valueFrom: '/a' }] })], api),
      );
      assert.equal(
        reason,
        `${PREFIX}unable to retrieve secrets from ssm: service call has been retried 1 time(s): AccessDeniedException: not authorized to perform: ssm:GetParameters`,
      );
    });

    it('when a log option’s secret fails', async () => {
      const { api } = fakeApi({}, {});
      const reason = await reasonOf(
        resolveSecrets(
          [
            container('c', {
              logConfiguration: { logDriver: 'splunk', secretOptions: [{ name: 't', valueFrom: '/t' }] },
            }),
          ],
          api,
        ),
      );
      assert.equal(
        reason,
        `${PREFIX}unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: /t`,
      );
    });

    it('without ever putting a secret value in the reason', async () => {
      const { api } = fakeApi({ [`${DB}|AWSCURRENT|`]: { SecretString: 'hunter2-not-json' } }, {});
      const reason = await reasonOf(
        resolveSecrets([container('c', { secrets: [{ name: 'X', valueFrom: `${DB}:k::` }] })], api),
      );
      assert.doesNotMatch(reason, /hunter|'h'/);
    });
  });
});

describe('resolveRepositoryCredentials', () => {
  const auth = (credentialsParameter: string) => container('c', { repositoryCredentials: { credentialsParameter } });

  it('reads username and password from the whole secret, by ARN or by name', async () => {
    const { api, calls } = fakeApi(
      {
        [`${ARN}:hub-AbCdEf|AWSCURRENT|`]: { SecretString: '{"username":"me","password":"pw"}' },
        'hub|AWSCURRENT|': { SecretString: '{"username":"you","password":"pw2"}' },
      },
      {},
    );
    assert.deepEqual(await resolveRepositoryCredentials(auth(`${ARN}:hub-AbCdEf`), api), {
      username: 'me',
      password: 'pw',
    });
    assert.deepEqual(await resolveRepositoryCredentials(auth('hub'), api), { username: 'you', password: 'pw2' });
    assert.deepEqual(calls.getSecretValue, [{ SecretId: `${ARN}:hub-AbCdEf` }, { SecretId: 'hub' }]);
  });

  it('is undefined for a container without repositoryCredentials', async () => {
    const { api, calls } = fakeApi({}, {});
    assert.equal(await resolveRepositoryCredentials(container('c', {}), api), undefined);
    assert.equal(calls.getSecretValue.length, 0);
  });

  const failures: [string, { SecretString?: string; SecretBinary?: string } | Error | undefined, string][] = [
    ['a missing secret', undefined, "ResourceNotFoundException: Secrets Manager can't find the specified secret."],
    ['a denied secret', new ApiError('AccessDeniedException', 'no'), 'AccessDeniedException: no'],
    [
      'a secret that is not JSON',
      { SecretString: 'me:pw' },
      'asm fetching authorization data: unable to unmarshal secret value, invalid schema',
    ],
    ['a binary secret', { SecretBinary: 'AAEC' }, 'asm fetching authorization data: empty secrets value'],
    [
      'no username',
      { SecretString: '{"password":"pw"}' },
      'asm fetching username: AuthorizationData is malformed, empty field',
    ],
    [
      'no password',
      { SecretString: '{"username":"me"}' },
      'asm fetching password: AuthorizationData is malformed, empty field',
    ],
  ];
  for (const [name, answer, detail] of failures) {
    it(`${name} stops the task`, async () => {
      const { api } = fakeApi(answer === undefined ? {} : { 'creds|AWSCURRENT|': answer }, {});
      assert.equal(
        await reasonOf(resolveRepositoryCredentials(auth('creds'), api)),
        `${PREFIX}unable to retrieve secret from asm: service call has been retried 1 time(s): ${detail}`,
      );
    });
  }
});

describe('needsSecrets', () => {
  const cases: [string, ContainerDefinition[], boolean][] = [
    ['no containers', [], false],
    ['plain containers', [container('a', { environment: [{ name: 'A', value: '1' }] })], false],
    [
      'empty lists',
      [container('a', { secrets: [], logConfiguration: { logDriver: 'awslogs', secretOptions: [] } })],
      false,
    ],
    ['secrets', [container('a', {}), container('b', { secrets: [{ name: 'A', valueFrom: '/a' }] })], true],
    [
      'secretOptions',
      [container('a', { logConfiguration: { logDriver: 'splunk', secretOptions: [{ name: 't', valueFrom: '/t' }] } })],
      true,
    ],
    ['repositoryCredentials', [container('a', { repositoryCredentials: { credentialsParameter: 'hub' } })], true],
  ];
  for (const [name, containers, expected] of cases) {
    it(name, () => assert.equal(needsSecrets(containers), expected));
  }
});

describe('describeApiError', () => {
  it('is `Code: message`, or a request error when the call never reached the service', () => {
    assert.equal(
      describeApiError(new ApiError('ThrottlingException', 'Rate exceeded')),
      'ThrottlingException: Rate exceeded',
    );
    assert.equal(
      describeApiError(new TypeError('fetch failed')),
      'RequestError: send request failed caused by: fetch failed',
    );
  });
});
