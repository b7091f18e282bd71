import type { KeyedMutex } from '../shared/keyed-mutex.ts';
import type { Clock } from '../shared/clock.ts';
import type { MetadataStore } from '../store/index.ts';
import { ListenerPortInUseError, type DataPlane } from './data-plane-contract.ts';
import { buildDataPlaneConfig, listenerCertificateArns } from './data-plane-config.ts';
import type { ListenerCertificate } from './data-plane-contract.ts';
import { InvalidConfigurationRequestException } from './errors.ts';
import { changedState, loadState, recordOf, type AnyResource, type ElbState } from './state.ts';

export interface ElbDeps {
  readonly store: MetadataStore;
  readonly clock: Clock;
  readonly dataPlane: DataPlane;
  /** BERTH_ELB_BIND_ADDRESS: where listeners bind. */
  readonly bindAddress: string;
  /** Orders every ELB write (one server process owns its store). */
  readonly writeLock: KeyedMutex;
  /** Berth's own ports on this host, which no target may point at (RegisterTargets); none when absent. */
  readonly reservedPorts?: () => ReservedPorts;
}

/** What a target may not point at besides the listeners' ports: Berth's own endpoints on this host. */
export interface ReservedPorts {
  /** The API and registry port, the task metadata endpoint's: each named for the error message. */
  readonly ports: readonly { readonly port: number; readonly name: string }[];
  /** This host's addresses and names beyond loopback (the API's host, its interfaces' addresses). */
  readonly hostAddresses: readonly string[];
}

export interface Plan<T> {
  readonly put?: readonly AnyResource[];
  readonly remove?: readonly string[];
  readonly result: T;
}

/** A container instance attribute naming the address its host's targets are reached at. */
export const HOST_ADDRESS_ATTRIBUTE = 'berth.host-address';
/** The container instance attribute an instance target's zone comes from. */
export const ZONE_ATTRIBUTE = 'ecs.availability-zone';

/**
 * Every ELB write: under one lock, plan the change against the current state, show the data plane
 * the state it leads to, then commit it in one transaction. The data plane goes first, so a port it
 * cannot bind leaves nothing written; if the commit fails, the data plane is put back.
 */
export async function commit<T>(deps: ElbDeps, plan: (state: ElbState) => Plan<T> | Promise<Plan<T>>): Promise<T> {
  return deps.writeLock.run('elb', async () => {
    const state = await loadState(deps.store);
    const { put = [], remove = [], result } = await plan(state);
    if (put.length === 0 && remove.length === 0) return result;
    await applyState(deps, changedState(state, put, remove));
    try {
      await deps.store.elb.write({ put: put.map(recordOf), remove });
    } catch (error) {
      await applyState(deps, state).catch(() => {});
      throw error;
    }
    return result;
  });
}

/** Hands the data plane the stored state (at server start). */
export async function syncDataPlane(deps: ElbDeps): Promise<void> {
  await deps.writeLock.run('elb', async () => applyState(deps, await loadState(deps.store)));
}

async function applyState(deps: ElbDeps, state: ElbState): Promise<void> {
  const ids = new Set<string>();
  for (const group of state.targetGroups.values()) {
    if (group.view.TargetType !== 'ip') for (const target of group.targets) ids.add(target.id);
  }
  const instances = new Map<string, { address?: string; availabilityZone?: string }>();
  for (const record of await deps.store.containerInstances.byEc2InstanceIds([...ids])) {
    const attributes = (record.body.attributes ?? []) as { name: string; value?: string }[];
    const value = (name: string): string | undefined => attributes.find((a) => a.name === name)?.value;
    const address = value(HOST_ADDRESS_ATTRIBUTE);
    const zone = value(ZONE_ATTRIBUTE);
    instances.set(String(record.body.ec2InstanceId), {
      ...(address !== undefined ? { address } : {}),
      ...(zone !== undefined ? { availabilityZone: zone } : {}),
    });
  }
  const certificates = await listenerCertificates(deps, state);
  try {
    await deps.dataPlane.apply(buildDataPlaneConfig(state, { bindAddress: deps.bindAddress, instances, certificates }));
  } catch (error) {
    if (error instanceof ListenerPortInUseError) {
      throw new InvalidConfigurationRequestException(
        `Port ${error.port} is already in use on this host (${deps.bindAddress}): choose another listener port`,
      );
    }
    throw error;
  }
}

/** The HTTPS listeners' certificates, read from ACM (its store keeps the keys sealed at rest). */
async function listenerCertificates(deps: ElbDeps, state: ElbState): Promise<Map<string, ListenerCertificate>> {
  const arns = new Set<string>();
  for (const listener of state.listeners.values()) for (const arn of listenerCertificateArns(listener)) arns.add(arn);
  const out = new Map<string, ListenerCertificate>();
  for (const arn of arns) {
    const record = await deps.store.acm.get(arn);
    if (!record) continue;
    const names = (record.body as { subjectAlternativeNames?: string[] }).subjectAlternativeNames ?? [];
    out.set(arn, {
      certificateArn: arn,
      certificatePem: record.certificatePem,
      ...(record.chainPem ? { chainPem: record.chainPem } : {}),
      privateKeyPem: record.privateKeyPem,
      names: [...new Set([record.domainName, ...names])],
    });
  }
  return out;
}
