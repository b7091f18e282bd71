import type { ContainerRuntime } from '../agent/index.ts';
import { startDnsServer, type DnsServer } from '../dns/index.ts';
import type { DnsAnswer, DnsRecordType } from '../shared/dns-records.ts';
import type { Logger } from '../shared/logger.ts';

/** What an agent asks its server about Cloud Map's DNS (POST /berth/agent/dns). */
export interface AgentDnsControl {
  /** Where the server's DNS listens; undefined when it has none (BERTH_DNS_PORT=off, or no port). */
  dnsListening(): Promise<{ readonly addresses: readonly string[]; readonly port: number } | undefined>;
  /** The server's answer for a name in its zones; undefined when the name is in none of them. */
  dnsLookup(name: string, type: DnsRecordType): Promise<DnsAnswer | undefined>;
}

export interface AgentDns {
  /** The DNS servers this host's bridge-mode containers get (Docker's HostConfig.Dns). */
  readonly bridgeDns: readonly string[];
  /** The port it answers on (53 but in tests). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * How a `berth agent` host's bridge-mode containers resolve Cloud Map's names, as an EC2 instance's
 * containers resolve them through the VPC's resolver on AWS. On the server's own host, the
 * server's DNS already answers on the Docker bridge's gateway: the containers are given that.
 * Elsewhere the agent runs its own view there: a DNS server on the bridge gateway whose zone
 * answers come from the server (one signed call per question) and which forwards every other name
 * to this host's resolvers. Undefined, with a warning, when neither can be had: the containers
 * then resolve as Docker sets them up, without Cloud Map's names.
 */
export async function startAgentDns(options: {
  readonly control: AgentDnsControl;
  /** The bridge network's gateway on this host (where its containers reach the host). */
  readonly gateway: string | undefined;
  readonly logger: Logger;
  /** 53 (what Docker's Dns setting means); tests pick a free one. */
  readonly port?: number;
}): Promise<AgentDns | undefined> {
  const { control, gateway, logger } = options;
  const port = options.port ?? 53;
  if (!gateway) return undefined;
  let listening;
  try {
    listening = await control.dnsListening();
  } catch (error) {
    logger.warn(
      { err: String(error) },
      "the server did not say where its DNS listens: bridge tasks resolve with Docker's DNS",
    );
    return undefined;
  }
  if (!listening) return undefined;
  if (listening.port === port && listening.addresses.includes(gateway)) {
    logger.info({ gateway }, "bridge tasks resolve through the server's DNS on this host");
    return { bridgeDns: [gateway], port, close: () => Promise.resolve() };
  }
  let server: DnsServer;
  try {
    server = await startDnsServer({
      addresses: [gateway],
      port,
      zones: { lookup: (name, type) => control.dnsLookup(name, type) },
      log: logger,
    });
  } catch (error) {
    logger.warn(
      { err: String(error), gateway, port },
      "no DNS server for Cloud Map's names on the bridge gateway: bridge tasks resolve with Docker's DNS",
    );
    return undefined;
  }
  logger.info({ address: gateway, port: server.port }, "DNS view of the server's Cloud Map namespaces listening");
  return { bridgeDns: [gateway], port: server.port, close: () => server.close() };
}

/** Where this host's bridge-mode containers reach it; undefined when the runtime cannot tell. */
export async function bridgeGateway(runtime: ContainerRuntime): Promise<string | undefined> {
  const networks = await runtime.hostNetworks?.().catch(() => undefined);
  return networks?.bridge?.gateway;
}
