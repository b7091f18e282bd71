import { startDnsServer, type DnsServer, type DnsZoneSource } from '../dns/index.ts';
import type { Logger } from '../shared/logger.ts';

/** Where the container networks reach this host (the managed capacity's task metadata listener's). */
interface NetworkAddresses {
  readonly awsvpc?: string | undefined;
  readonly bridge?: string | undefined;
}

export interface DiscoveryDns {
  readonly server: DnsServer;
  /** The DNS servers awsvpc tasks get: this one, when it answers on port 53 of their network's gateway. */
  awsvpcDns(): readonly string[] | undefined;
  close(): Promise<void>;
}

/**
 * The DNS server of Cloud Map's private DNS namespaces, as the VPC's resolver answers tasks on AWS:
 * on 127.0.0.1 and the container networks' gateways, at `port` (53 for tasks to resolve through
 * it; they are given it as their DNS server). Names outside the namespaces are forwarded to the
 * host's resolvers. Undefined (with a warning) when the port cannot be had: another server holds
 * it, or binding port 53 needs root.
 */
export async function startDiscoveryDns(options: {
  readonly port: number;
  readonly networks: NetworkAddresses;
  readonly zones: DnsZoneSource;
  readonly logger: Logger;
}): Promise<DiscoveryDns | undefined> {
  const { networks } = options;
  const addresses = [...new Set(['127.0.0.1', networks.awsvpc, networks.bridge].filter((a): a is string => !!a))];
  let server: DnsServer;
  try {
    server = await startDnsServer({ addresses, port: options.port, zones: options.zones, log: options.logger });
  } catch (error) {
    options.logger.warn(
      { err: String(error), port: options.port },
      "no DNS server for Cloud Map namespaces: tasks resolve with Docker's DNS (BERTH_DNS_PORT)",
    );
    return undefined;
  }
  options.logger.info(
    { port: server.port, addresses: server.addresses },
    'DNS server for Cloud Map namespaces listening',
  );
  return {
    server,
    awsvpcDns: () =>
      server.port === 53 && networks.awsvpc && server.addresses.includes(networks.awsvpc)
        ? [networks.awsvpc]
        : undefined,
    close: () => server.close(),
  };
}
