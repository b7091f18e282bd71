import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerDefinition } from '../ecs/index.ts';
import { dependencyVerdict, startOrder, type DependencyState } from './dependencies.ts';

const c = (name: string, dependsOn: ContainerDefinition['dependsOn'] = []): ContainerDefinition => ({
  name,
  image: 'x',
  dependsOn,
});

describe('container dependencies', () => {
  it('starts dependencies first and keeps the definition order otherwise', () => {
    const order = startOrder([
      c('app', [{ containerName: 'db', condition: 'HEALTHY' }]),
      c('sidecar'),
      c('db', [{ containerName: 'init', condition: 'SUCCESS' }]),
      c('init'),
    ]).map((x) => x.name);
    assert.deepEqual(order, ['init', 'db', 'app', 'sidecar']);
  });

  const states = (map: Record<string, DependencyState>) => (name: string) => map[name];
  const table: [string, ContainerDefinition['dependsOn'], DependencyState, true | 'wait' | RegExp][] = [
    [
      'START waits for the start',
      [{ containerName: 'd', condition: 'START' }],
      { status: 'PENDING', started: false },
      'wait',
    ],
    [
      'START is met once started',
      [{ containerName: 'd', condition: 'START' }],
      { status: 'RUNNING', started: true },
      true,
    ],
    [
      'COMPLETE waits for the exit',
      [{ containerName: 'd', condition: 'COMPLETE' }],
      { status: 'RUNNING', started: true },
      'wait',
    ],
    [
      'COMPLETE takes any exit code',
      [{ containerName: 'd', condition: 'COMPLETE' }],
      { status: 'STOPPED', started: true, exitCode: 3 },
      true,
    ],
    [
      'SUCCESS needs exit code 0',
      [{ containerName: 'd', condition: 'SUCCESS' }],
      { status: 'STOPPED', started: true, exitCode: 0 },
      true,
    ],
    [
      'SUCCESS fails on another code',
      [{ containerName: 'd', condition: 'SUCCESS' }],
      { status: 'STOPPED', started: true, exitCode: 1 },
      /exited with code 1/,
    ],
    [
      'HEALTHY waits while unknown',
      [{ containerName: 'd', condition: 'HEALTHY' }],
      { status: 'RUNNING', started: true, health: 'UNKNOWN' },
      'wait',
    ],
    [
      'HEALTHY is met once healthy',
      [{ containerName: 'd', condition: 'HEALTHY' }],
      { status: 'RUNNING', started: true, health: 'HEALTHY' },
      true,
    ],
    [
      'HEALTHY fails when unhealthy',
      [{ containerName: 'd', condition: 'HEALTHY' }],
      { status: 'RUNNING', started: true, health: 'UNHEALTHY' },
      /did not become HEALTHY/,
    ],
  ];
  for (const [title, dependsOn, state, expected] of table) {
    it(title, () => {
      const verdict = dependencyVerdict(c('app', dependsOn), states({ d: state }));
      if (expected instanceof RegExp) assert.match(String(verdict), expected);
      else assert.equal(verdict, expected);
    });
  }
});
