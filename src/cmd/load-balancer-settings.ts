import { networkInterfaces } from 'node:os';
import type { DataPlane } from '../elb/index.ts';
import { createProxyDataPlane } from '../elb/proxy/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { ServerConfig } from '../shared/config.ts';
import type { Logger } from '../shared/logger.ts';

/** The real ELB data plane, with the listener limits the server was given (BERTH_ELB_*). */
export function proxyDataPlane(config: ServerConfig, options: { log: Logger; clock: Clock }): DataPlane {
  return createProxyDataPlane({
    ...options,
    headerTimeoutMs: config.elbHeaderTimeoutSeconds * 1000,
    maxConnectionsPerListener: config.elbMaxConnections,
    maxConnections: config.elbMaxConnectionsTotal,
  });
}

/**
 * What no ELB target may point at (RegisterTargets): the API and registry port and the task
 * metadata endpoint's, read when asked (both are known only once listening), at the server's host
 * or any address of this host's interfaces.
 */
export function ownPorts(
  host: string,
  ports: () => { readonly api: number; readonly metadata: number | undefined },
): () => { ports: { port: number; name: string }[]; hostAddresses: string[] } {
  return () => {
    const { api, metadata } = ports();
    const named = [{ port: api, name: 'the API and registry' }];
    if (metadata !== undefined) named.push({ port: metadata, name: 'the task metadata endpoint' });
    const interfaces = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((info) => info.address));
    return { ports: named, hostAddresses: [host, ...interfaces] };
  };
}
