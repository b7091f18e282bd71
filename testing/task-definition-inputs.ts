import type { ContainerDefinition, RegisterTaskDefinitionRequest } from '../src/ecs/index.ts';

/** A bridge-mode web container: the task definition rules' tests start from it. */
export const web: ContainerDefinition = {
  name: 'web',
  image: 'busybox',
  memory: 128,
  portMappings: [{ containerPort: 80 }],
};

/** A RegisterTaskDefinition input of `web`, with `overrides`. */
export const td = (overrides: Partial<RegisterTaskDefinitionRequest> = {}): RegisterTaskDefinitionRequest => ({
  family: 'app',
  containerDefinitions: [web],
  ...overrides,
});

/** A FARGATE input of the given size. */
export const fargate = (cpu: string, memory: string): RegisterTaskDefinitionRequest =>
  td({
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu,
    memory,
    containerDefinitions: [{ name: 'web', image: 'busybox' }],
  });
