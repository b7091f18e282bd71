import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';

/**
 * The address this host reaches `endpoint` from: the source address of its route there, which is
 * what the server reaches this host at (as an EC2 instance's private IP is what ALB reaches its
 * targets at). Undefined when the endpoint is on this host (loopback) or unreachable. A UDP
 * connect only looks up the route: no packet is sent.
 */
export async function localAddressTowards(endpoint: URL): Promise<string | undefined> {
  const host = endpoint.hostname.replace(/^\[(.*)\]$/, '$1'); // [::1] → ::1
  const family = isIP(host) === 6 ? 'udp6' : 'udp4';
  const socket = createSocket(family);
  try {
    const address = await new Promise<string>((resolve, reject) => {
      socket.once('error', reject);
      // A failed name lookup comes to the callback, not as an 'error' event.
      socket.connect(Number(endpoint.port || 80), host, (error?: Error) =>
        error ? reject(error) : resolve(socket.address().address),
      );
    });
    return isLoopbackOrUnspecified(address) ? undefined : address;
  } catch {
    return undefined;
  } finally {
    socket.close();
  }
}

function isLoopbackOrUnspecified(address: string): boolean {
  // 0.0.0.0 or :: would mean no route was picked: no address to give either.
  return (
    address.startsWith('127.') ||
    address === '::1' ||
    address.startsWith('::ffff:127.') ||
    address === '0.0.0.0' ||
    address === '::'
  );
}
