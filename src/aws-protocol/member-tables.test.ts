import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ecrMembers } from '../ecr/members.ts';
import { ecrOperations } from '../ecr/operations.ts';
import { ecsMembers } from '../ecs/members.ts';
import { ecsOperations } from '../ecs/operations.ts';
import { elbMembers } from '../elb/members.ts';
import { elbOperations } from '../elb/operations.ts';
import { iamMembers } from '../iam/members.ts';
import { iamOperations } from '../iam/operations.ts';
import { logsMembers } from '../logs/members.ts';
import { logsOperations } from '../logs/operations.ts';
import { stsMembers } from '../sts/members.ts';
import { ssmMembers } from '../ssm/members.ts';
import { ssmOperations } from '../ssm/operations.ts';
import { stsOperations } from '../sts/operations.ts';
import { kmsMembers } from '../kms/members.ts';
import { kmsOperations } from '../kms/operations.ts';
import { secretsManagerMembers } from '../secretsmanager/members.ts';
import { secretsManagerOperations } from '../secretsmanager/operations.ts';
import { serviceDiscoveryMembers } from '../servicediscovery/members.ts';
import { acmMembers, acmOperations } from '../acm/index.ts';
import { applicationAutoScalingMembers, applicationAutoScalingOperations } from '../application-autoscaling/index.ts';
import { serviceDiscoveryOperations } from '../servicediscovery/operations.ts';
import { cloudWatchMembers } from '../cloudwatch/members.ts';
import { cloudWatchOperations } from '../cloudwatch/operations.ts';
import { isRefused, type MemberTable } from '../shared/member-classification.ts';
import { memberPaths } from './member-paths.ts';
import { loadServiceModel, type ShippedModel } from './service-model.ts';

/*
 * Every member of every operation Berth implements is decided: acted on, refused, or inert by
 * design (issue #16). A new operation, or a member a newer model adds, fails here until its table
 * (src/<service>/members.ts) says what Berth does with it.
 */

const services: { name: string; model: ShippedModel; operations: object; members: MemberTable }[] = [
  // Building a table only makes closures: nothing here touches its dependencies.
  { name: 'ecs', model: 'ecs-2014-11-13', operations: ecsOperations({} as never), members: ecsMembers },
  {
    name: 'ecr',
    model: 'ecr-2015-09-21',
    operations: ecrOperations({ registry: {} } as never),
    members: ecrMembers,
  },
  { name: 'logs', model: 'logs-2014-03-28', operations: logsOperations({} as never), members: logsMembers },
  { name: 'elb', model: 'elbv2-2015-12-01', operations: elbOperations({} as never), members: elbMembers },
  { name: 'iam', model: 'iam-2010-05-08', operations: iamOperations({} as never), members: iamMembers },
  { name: 'sts', model: 'sts-2011-06-15', operations: stsOperations({} as never), members: stsMembers },
  { name: 'ssm', model: 'ssm-2014-11-06', operations: ssmOperations({} as never), members: ssmMembers },
  { name: 'kms', model: 'kms-2014-11-01', operations: kmsOperations({} as never), members: kmsMembers },
  {
    name: 'secretsmanager',
    model: 'secretsmanager-2017-10-17',
    operations: secretsManagerOperations({} as never),
    members: secretsManagerMembers,
  },
  {
    name: 'servicediscovery',
    model: 'servicediscovery-2017-03-14',
    operations: serviceDiscoveryOperations({} as never),
    members: serviceDiscoveryMembers,
  },
  {
    name: 'cloudwatch',
    model: 'cloudwatch-2010-08-01',
    operations: cloudWatchOperations({} as never),
    members: cloudWatchMembers,
  },
  {
    name: 'application-autoscaling',
    model: 'application-autoscaling-2016-02-06',
    operations: applicationAutoScalingOperations({} as never),
    members: applicationAutoScalingMembers,
  },
  { name: 'acm', model: 'acm-2015-12-08', operations: acmOperations({} as never), members: acmMembers },
];

/** Whether `path` is `rule` or inside it. */
function within(path: string, rule: string): boolean {
  return path === rule || (path.startsWith(rule) && ['.', '[', '{'].includes(path[rule.length]!));
}

for (const service of services) {
  const model = loadServiceModel(service.model);
  describe(`${service.name} members`, () => {
    it('has an entry for each implemented operation, each an operation of the model', () => {
      const entries = Object.keys(service.members);
      assert.deepEqual(
        Object.keys(service.operations).filter((name) => !entries.includes(name)),
        [],
        'implemented operations without an entry',
      );
      // An entry may come before its operation is wired in: the protocol answers 501 until then.
      assert.deepEqual(
        entries.filter((name) => !model.operations[name]),
        [],
        'entries for operations the model does not have',
      );
    });

    for (const [operation, members] of Object.entries(service.members)) {
      it(`${operation}: every input member is acted on, refused or inert, and every entry is a member`, () => {
        const paths = memberPaths(model, model.operations[operation]?.input?.shape);
        const rules = Object.entries(members.rules ?? {});
        const unclassified = paths.leaves.filter(
          (path) => !members.acted.includes(path) && !rules.some(([rule]) => within(path, rule)),
        );
        assert.deepEqual(unclassified, [], 'members nobody decided about');
        const leaves = new Set(paths.leaves);
        assert.deepEqual(
          members.acted.filter((path) => !leaves.has(path)),
          [],
          'acted members that are not leaves of the input',
        );
        assert.deepEqual(
          rules.filter(([rule]) => !paths.all.has(rule)).map(([rule]) => rule),
          [],
          'rules for members the input does not have',
        );
        assert.equal(new Set(members.acted).size, members.acted.length, 'an acted member listed twice');
        // Acted on and refused only under a condition (a log driver Berth ships, another it refuses).
        const contradictions = rules.filter(
          ([rule, r]) => members.acted.some((path) => within(path, rule)) && !(isRefused(r) && r.when !== undefined),
        );
        assert.deepEqual(
          contradictions.map(([rule]) => rule),
          [],
          'members both acted on and inert or always refused',
        );
      });
    }
  });
}
