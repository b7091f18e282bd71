import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileInputValidator, describeValidationErrors } from '../aws-protocol/validate-input.ts';
import { loadServiceModel } from '../aws-protocol/index.ts';
import { InvalidParameterException } from './errors.ts';
import { ecrInvalidParameter, ecrValidationMessage } from './validation-messages.ts';

const model = loadServiceModel('ecr-2015-09-21');

/** What the ECR service answers for an input the model rejects, through the real validator. */
function answer(operation: string, input: Record<string, unknown>): string {
  const { errors } = compileInputValidator(model, model.operations[operation]!.input?.shape)(input);
  assert.ok(errors.length > 0, `the model accepts ${JSON.stringify(input)}`);
  const error = ecrInvalidParameter(describeValidationErrors(errors));
  assert.ok(error instanceof InvalidParameterException);
  return error.message;
}

describe("ECR's wording of validation errors", () => {
  const cases: [string, string, Record<string, unknown>, string][] = [
    [
      'an enum',
      'PutImageTagMutability',
      { repositoryName: 'app', imageTagMutability: 'SOMETIMES' },
      "Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: [MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION]'",
    ],
    [
      'a pattern',
      'CreateRepository',
      { repositoryName: 'Upper' },
      "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'Member must satisfy regular expression pattern: [a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*'",
    ],
    [
      'a missing member',
      'CreateRepository',
      {},
      "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'Member must not be null'",
    ],
    [
      'a number out of range',
      'DescribeRepositories',
      { maxResults: 5000 },
      "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 1000'",
    ],
    [
      // ECR: "Invalid parameter at 'registryIds' failed to satisfy constraint: 'Member must satisfy
      // constraint: [Member must satisfy regular expression pattern: [0-9]{12}]'"
      'a member of a list of strings',
      'GetAuthorizationToken',
      { registryIds: ['000000000000', 'nope'] },
      "Invalid parameter at 'registryIds' failed to satisfy constraint: 'Member must satisfy constraint: [Member must satisfy regular expression pattern: [0-9]{12}]'",
    ],
    [
      'a member of a structure in a list',
      'TagResource',
      {
        resourceArn: 'arn:aws:ecr:us-east-1:000000000000:repository/a',
        tags: [{ Key: 'k', Value: 'v' }, { Value: 'v' }],
      },
      "Invalid parameter at 'tags.2.member.Key' failed to satisfy constraint: 'Member must not be null'",
    ],
    [
      'a wrong type',
      'DescribeRepositories',
      { maxResults: 'ten' },
      "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must be an integer'",
    ],
  ];
  for (const [what, operation, input, message] of cases) {
    it(`names the parameter and quotes the constraint: ${what}`, () => {
      assert.equal(answer(operation, input), message);
    });
  }

  it('reports the first of several violations', () => {
    assert.equal(
      answer('CreateRepository', { repositoryName: 'Upper', imageTagMutability: 'SOMETIMES' }),
      "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'Member must satisfy regular expression pattern: [a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*'",
    );
  });

  it('reads past quotes and semicolons in the value it shows', () => {
    assert.equal(
      answer('PutImageTagMutability', { repositoryName: 'app', imageTagMutability: "it's; Value 'odd'" }),
      "Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: [MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION]'",
    );
  });

  it('keeps a message it cannot read instead of dropping it', () => {
    assert.equal(ecrValidationMessage(['something else']), 'Invalid parameter: something else');
  });

  it("passes the protocol layer's other refusals through as they are", () => {
    const message = "Berth does not support encryptionConfiguration 'KMS' yet: keys are not managed.";
    assert.equal(ecrInvalidParameter(message).message, message);
  });
});
