/**
 * A peer's address as AWS reports it (ALB's X-Forwarded-For, aws:SourceIp): an IPv4-mapped IPv6
 * address (`::ffff:10.0.0.9`, what a dual-stack socket gives for an IPv4 peer) as plain IPv4.
 */
export function plainAddress(remoteAddress: string): string {
  return remoteAddress.startsWith('::ffff:') && remoteAddress.includes('.') ? remoteAddress.slice(7) : remoteAddress;
}
