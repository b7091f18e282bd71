import type { MemberRule, OperationMembers } from '../shared/member-classification.ts';

/**
 * The task set operations (services with the EXTERNAL deployment controller), built from the rules
 * members.ts shares (passed in: members.ts imports this file).
 */
export function taskSetMembers(shared: {
  readonly TAGS: readonly string[];
  readonly AWSVPC: Record<string, MemberRule>;
  readonly STRATEGY_SPLIT: MemberRule;
  readonly PLATFORM_VERSION: MemberRule;
}): Record<string, OperationMembers> {
  const { TAGS, AWSVPC, STRATEGY_SPLIT, PLATFORM_VERSION } = shared;
  return {
    CreateTaskSet: {
      acted: [
        'service',
        'cluster',
        'externalId',
        'taskDefinition',
        'loadBalancers[].targetGroupArn',
        'loadBalancers[].containerName',
        'loadBalancers[].containerPort',
        'launchType',
        'capacityProviderStrategy[].capacityProvider',
        'scale.unit',
        'scale.value',
        'clientToken',
        ...TAGS,
      ],
      rules: {
        ...AWSVPC,
        'capacityProviderStrategy[].weight': STRATEGY_SPLIT,
        'capacityProviderStrategy[].base': STRATEGY_SPLIT,
        platformVersion: PLATFORM_VERSION,
        'loadBalancers[].loadBalancerName': {
          refused: 'Classic Load Balancers do not exist in Berth: the task set would get no load balancer',
        },
        'loadBalancers[].advancedConfiguration': {
          refused: 'a task set has one target group per load balancer: nothing would shift traffic between groups',
        },
        serviceRegistries: {
          refused: 'no service discovery: nothing would register the tasks in Cloud Map',
          issue: 20,
        },
      },
    },
    UpdateTaskSet: { acted: ['cluster', 'service', 'taskSet', 'scale.unit', 'scale.value'] },
    DeleteTaskSet: { acted: ['cluster', 'service', 'taskSet', 'force'] },
    DescribeTaskSets: { acted: ['cluster', 'service', 'taskSets', 'include'] },
    UpdateServicePrimaryTaskSet: { acted: ['cluster', 'service', 'primaryTaskSet'] },
  };
}
