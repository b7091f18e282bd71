import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerDefinition } from '../../../ecs/shapes.generated.ts';
import { confine, confinedVolumeProblem } from './confinement.ts';
import { dockerCreateBody, type DockerCreateBody, type TaskRuntimeContext } from './container-config.ts';

const MIB = 1024 * 1024;
const fargateTask: TaskRuntimeContext = {
  clusterName: 'c',
  clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c',
  launchType: 'FARGATE',
  taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/c/0123456789abcdef',
  family: 'web',
  revision: 1,
  networkMode: 'awsvpc',
  pauseContainerId: 'pause',
  awsvpcNetworkName: 'berth-awsvpc',
  taskCpu: 512,
  taskMemory: 1024,
  containerCount: 1,
  volumes: { scratch: { volumeName: 'ecs-web-1-scratch-0123' } },
};
const web: ContainerDefinition = { name: 'web', image: 'busybox' };
const size = { cpu: 512, memory: 1024 };
const confinement = { pidsLimit: 4096 };
const bodyOf = (container: Partial<ContainerDefinition>, task: Partial<TaskRuntimeContext> = {}) =>
  dockerCreateBody({ ...web, ...container }, { ...fargateTask, ...task });

describe('confine', () => {
  it('sets the task’s CPU, memory without swap, and the pids limit', () => {
    const { HostConfig } = confine(bodyOf({}), size, confinement);
    assert.equal(HostConfig.NanoCpus, 500_000_000, '512 units / 1024 = half a CPU');
    assert.equal(HostConfig.Memory, 1024 * MIB);
    assert.equal(HostConfig.MemorySwap, 1024 * MIB);
    assert.equal(HostConfig.PidsLimit, 4096);
    assert.equal(HostConfig.Privileged, undefined);
  });

  it('keeps a container’s own smaller memory, and caps a larger one at the task’s', () => {
    assert.equal(confine(bodyOf({ memory: 256 }), size, confinement).HostConfig.Memory, 256 * MIB);
    assert.equal(confine(bodyOf({ memory: 4096 }), size, confinement).HostConfig.Memory, 1024 * MIB);
  });

  it('lets a container add SYS_PTRACE and drop anything', () => {
    const body = bodyOf({ linuxParameters: { capabilities: { add: ['SYS_PTRACE'], drop: ['ALL'] } } });
    assert.deepEqual(confine(body, size, confinement).HostConfig.CapAdd, ['SYS_PTRACE']);
  });

  const withHost = (hostConfig: Partial<DockerCreateBody['HostConfig']>): DockerCreateBody => {
    const body = bodyOf({});
    return { ...body, HostConfig: { ...body.HostConfig, ...hostConfig } };
  };
  const refused: [string, DockerCreateBody, RegExp][] = [
    ['a privileged container', bodyOf({ privileged: true }), /a privileged container/],
    [
      'SYS_ADMIN',
      bodyOf({ linuxParameters: { capabilities: { add: ['SYS_PTRACE', 'SYS_ADMIN'] } } }),
      /the capability SYS_ADMIN/,
    ],
    ['ALL capabilities', bodyOf({ linuxParameters: { capabilities: { add: ['ALL'] } } }), /the capability ALL/],
    ['the host network', bodyOf({}, { networkMode: 'host' }), /the network mode host/],
    ['the bridge network', bodyOf({}, { networkMode: 'bridge' }), /the network mode bridge/],
    ['the host PID namespace', withHost({ PidMode: 'host' }), /the PID namespace host/],
    ['the host IPC namespace', withHost({ IpcMode: 'host' }), /the IPC namespace host/],
    ['a device', bodyOf({ linuxParameters: { devices: [{ hostPath: '/dev/kvm' }] } }), /a device/],
    [
      'a host path',
      bodyOf(
        { mountPoints: [{ sourceVolume: 'root', containerPath: '/host' }] },
        { volumes: { root: { hostPath: '/' } } },
      ),
      /the host path \//,
    ],
    [
      'security options',
      bodyOf({ dockerSecurityOptions: ['seccomp=unconfined'] }),
      /the security options seccomp=unconfined/,
    ],
  ];
  for (const [what, body, message] of refused) {
    it(`refuses ${what}`, () => {
      assert.throws(() => confine(body, size, confinement), message);
    });
  }

  it('refuses a task without task-level cpu and memory', () => {
    assert.throws(() => confine(bodyOf({}), { cpu: 0, memory: 512 }, confinement), /task-level cpu and memory/);
  });

  it('accepts a named volume mount', () => {
    const body = bodyOf({ mountPoints: [{ sourceVolume: 'scratch', containerPath: '/scratch' }] });
    assert.deepEqual(confine(body, size, confinement).HostConfig.Binds, ['ecs-web-1-scratch-0123:/scratch']);
  });
});

describe('confinedVolumeProblem', () => {
  it('refuses host paths and volume drivers, and takes task storage', () => {
    assert.match(confinedVolumeProblem([{ name: 'root', host: { sourcePath: '/' } }]) ?? '', /host path volume 'root'/);
    assert.match(
      confinedVolumeProblem([{ name: 'nfs', dockerVolumeConfiguration: { driver: 'local' } }]) ?? '',
      /Docker volume 'nfs'/,
    );
    assert.equal(confinedVolumeProblem([{ name: 'scratch', host: {} }, { name: 'tmp' }]), undefined);
  });
});
