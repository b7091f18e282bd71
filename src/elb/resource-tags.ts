import { commit, type ElbDeps } from './commit.ts';
import {
  ListenerNotFoundException,
  LoadBalancerNotFoundException,
  RuleNotFoundException,
  TargetGroupNotFoundException,
  ValidationError,
} from './errors.ts';
import { kindOfArn } from './names.ts';
import type {
  AddTagsInput,
  AddTagsOutput,
  DescribeTagsInput,
  DescribeTagsOutput,
  RemoveTagsInput,
  RemoveTagsOutput,
} from './shapes.generated.ts';
import { loadState, type AnyResource, type ElbState } from './state.ts';
import { mergeTags } from './tags.ts';

/** Tags on load balancers, target groups, listeners and rules (up to 20 resources per call). */
const MAX_RESOURCES_PER_CALL = 20;

function requireResource(state: ElbState, arn: string): AnyResource {
  const kind = kindOfArn(arn);
  const found =
    state.loadBalancers.get(arn) ?? state.targetGroups.get(arn) ?? state.listeners.get(arn) ?? state.rules.get(arn);
  if (found) return found;
  if (kind === 'target-group') throw new TargetGroupNotFoundException(`Target groups '${arn}' not found`);
  if (kind === 'listener') throw new ListenerNotFoundException(`Listener '${arn}' not found`);
  if (kind === 'rule') throw new RuleNotFoundException(`Rule '${arn}' not found`);
  if (kind === 'load-balancer') throw new LoadBalancerNotFoundException(`Load balancer '${arn}' not found`);
  throw new ValidationError(`'${arn}' is not a valid load balancer, target group, listener or rule ARN`);
}

function checkCount(arns: readonly string[]): void {
  if (arns.length > MAX_RESOURCES_PER_CALL)
    throw new ValidationError(`You can specify at most ${MAX_RESOURCES_PER_CALL} resource ARNs`);
}

export async function addTags(deps: ElbDeps, input: AddTagsInput): Promise<AddTagsOutput> {
  checkCount(input.ResourceArns);
  return commit(deps, (state) => ({
    put: input.ResourceArns.map((arn) => {
      const resource = requireResource(state, arn);
      return { ...resource, tags: mergeTags(resource.tags, input.Tags) };
    }),
    result: {},
  }));
}

export async function removeTags(deps: ElbDeps, input: RemoveTagsInput): Promise<RemoveTagsOutput> {
  checkCount(input.ResourceArns);
  return commit(deps, (state) => ({
    put: input.ResourceArns.map((arn) => {
      const resource = requireResource(state, arn);
      return { ...resource, tags: resource.tags.filter((t) => !input.TagKeys.includes(t.Key)) };
    }),
    result: {},
  }));
}

export async function describeTags(deps: ElbDeps, input: DescribeTagsInput): Promise<DescribeTagsOutput> {
  checkCount(input.ResourceArns);
  const state = await loadState(deps.store);
  return {
    TagDescriptions: input.ResourceArns.map((arn) => ({
      ResourceArn: arn,
      Tags: [...requireResource(state, arn).tags],
    })),
  };
}
