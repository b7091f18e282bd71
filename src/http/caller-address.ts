import type { IncomingMessage } from 'node:http';
import { plainAddress } from '../shared/ip-address.ts';

/** aws:SourceIp and aws:SecureTransport of a request: the peer's address (IPv4 as such) and TLS. */
export function callerAddress(request: IncomingMessage): { sourceIp?: string; secureTransport: boolean } {
  const address = request.socket.remoteAddress;
  const secureTransport = (request.socket as { encrypted?: boolean }).encrypted === true;
  if (address === undefined) return { secureTransport };
  return { sourceIp: plainAddress(address), secureTransport };
}
