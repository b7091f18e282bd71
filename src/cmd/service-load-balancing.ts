import type { LoadBalancing, TargetRef } from '../ecs/index.ts';
import type { Elb } from '../elb/index.ts';

/**
 * The ECS service scheduler's view of ELBv2 (the LoadBalancing port), on the in-process Elb: the
 * same rules and commit path as RegisterTargets and DeregisterTargets, targets owned by tasks.
 */
export function serviceLoadBalancing(elb: Elb): LoadBalancing {
  return {
    async targetGroup(arn) {
      const group = await elb.describeTargetGroup(arn);
      return group && { targetType: group.TargetType ?? 'instance', loadBalancerArns: group.LoadBalancerArns ?? [] };
    },
    register: (target, owner) =>
      elb.registerServiceTarget(target.targetGroupArn, { id: target.id, port: target.port }, owner),
    deregister: (target) => elb.deregisterServiceTarget(target.targetGroupArn, { id: target.id, port: target.port }),
    health: (target) => elb.targetHealthOf(target.targetGroupArn, target.id, target.port)?.state,
    healthDescription: (target) => elb.targetHealthOf(target.targetGroupArn, target.id, target.port)?.description,
    async owned(targetGroupArn) {
      return (await elb.ownedTargets(targetGroupArn)).map((t) => ({
        target: { targetGroupArn, id: t.id, port: t.port } satisfies TargetRef,
        ownerTaskArn: t.owner,
      }));
    },
    forwardOf: (rule) => elb.forwardOf(rule),
    setForward: (rule, weights) => elb.setForward(rule, weights),
    instancesChanged: (attributeNames) => elb.instancesChanged(attributeNames),
  };
}
