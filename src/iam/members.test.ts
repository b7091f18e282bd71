import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as iamSdk from '@aws-sdk/client-iam';
import { memberPaths } from '../aws-protocol/member-paths.ts';
import { loadServiceModel } from '../aws-protocol/service-model.ts';
import type { AwsError } from '../shared/aws-error.ts';
import { iamAccess } from './access.ts';
import * as iamErrors from './errors.ts';
import { iamMembers } from './members.ts';
import { iamOperations } from './operations.ts';

/*
 * IAM's tables, checked as aws-protocol/member-tables.test.ts checks the other services': every
 * implemented operation declares its access and classifies every input member, and every error
 * is a model exception shape with its wire code and an SDK class.
 */

const model = loadServiceModel('iam-2010-05-08');
const operations = Object.keys(iamOperations({} as never)).sort();

describe('IAM tables', () => {
  it('has an access declaration and a member entry for each implemented operation, each of the model', () => {
    assert.deepEqual(Object.keys(iamAccess).sort(), operations);
    assert.deepEqual(Object.keys(iamMembers).sort(), operations);
    assert.deepEqual(
      operations.filter((name) => !model.operations[name]),
      [],
    );
  });

  for (const operation of operations) {
    it(`${operation}: every input member is acted on, refused or inert, and every entry is a member`, () => {
      const paths = memberPaths(model, model.operations[operation]?.input?.shape);
      const members = iamMembers[operation]!;
      const rules = Object.keys(members.rules ?? {});
      assert.deepEqual(
        paths.leaves.filter((path) => !members.acted.includes(path) && !rules.includes(path)),
        [],
      );
      assert.deepEqual(
        [...members.acted, ...rules].filter((path) => !paths.all.has(path)),
        [],
      );
    });
  }

  it('names every error as a model exception shape with its wire code, and an SDK class', () => {
    for (const [name, ErrorClass] of Object.entries(iamErrors)) {
      const error = new (ErrorClass as new (message: string) => AwsError)('probe');
      if (error.code === 'ValidationError') continue; // the query services' common error: no shape
      assert.equal(model.shapes[name]?.error?.code, error.code, `${name} is not the model's ${error.code}`);
      assert.equal(typeof (iamSdk as Record<string, unknown>)[name], 'function', `${name} is not in the IAM SDK`);
    }
  });
});
