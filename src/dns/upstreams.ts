import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/** A resolver that names outside Berth's zones are forwarded to. */
export interface Upstream {
  address: string;
  port: number;
  family: 4 | 6;
}

const DNS_PORT = 53;
/** glibc reads at most this many `nameserver` lines (MAXNS). */
const MAX_NAMESERVERS = 3;

/**
 * `10.0.0.2`, `10.0.0.2:5353`, `fd00::1`, `[fd00::1]:5353` (an IPv6 zone, `fe80::1%eth0`, is kept).
 * Only IP addresses: resolving a resolver's host name would need a resolver.
 */
export function parseUpstream(text: string): Upstream {
  const bare = ipFamily(text);
  if (bare) return { address: text, port: DNS_PORT, family: bare };
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  const family = match ? ipFamily(match[1]!) : undefined;
  const port = Number(match?.[2]);
  if (!match || !family || !(port > 0 && port < 65536)) {
    throw new TypeError(`DNS upstream '${text}' is not an IP address, IP:port or [IPv6]:port`);
  }
  return { address: match[1]!, port, family };
}

function ipFamily(text: string): 4 | 6 | undefined {
  const family = isIP(text.replace(/%[^%]+$/, ''));
  return family === 4 || family === 6 ? family : undefined;
}

export interface HostResolversOptions {
  /** Default /etc/resolv.conf. */
  path?: string;
  /**
   * Where this DNS server listens: a nameserver that is this server (same address, or a local
   * address while it listens on a wildcard, on port 53) is skipped, since forwarding to it loops.
   * Other loopback resolvers (systemd-resolved's 127.0.0.53, dnsmasq) are kept: they are the host's.
   */
  listening?: { addresses: readonly string[]; port: number };
}

/** The host's resolvers, as glibc reads them: the first three `nameserver` lines. [] without the file. */
export async function hostResolvers(options: HostResolversOptions = {}): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(options.path ?? '/etc/resolv.conf', 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const nameservers = text
    .split('\n')
    .map((line) =>
      line
        .replace(/[#;].*$/, '')
        .trim()
        .split(/\s+/),
    )
    .filter((words) => words[0] === 'nameserver' && words[1] !== undefined && ipFamily(words[1]) !== undefined)
    .map((words) => words[1]!)
    .slice(0, MAX_NAMESERVERS);
  const listening = options.listening;
  return listening ? nameservers.filter((address) => !isSelf(address, listening)) : nameservers;
}

function isSelf(address: string, listening: { addresses: readonly string[]; port: number }): boolean {
  if (listening.port !== DNS_PORT) return false;
  if (listening.addresses.includes(address)) return true;
  const wildcard = ipFamily(address) === 4 ? '0.0.0.0' : '::';
  const onWildcard = listening.addresses.includes(wildcard) || listening.addresses.includes('::');
  return onWildcard && isLocalAddress(address);
}

function isLocalAddress(address: string): boolean {
  if (address.startsWith('127.') || address === '::1') return true;
  return Object.values(networkInterfaces()).some((list) => list?.some((entry) => entry.address === address));
}
