import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';

/** The header a server's call to another's peer endpoint carries. */
export const PEER_HEADER = 'x-berth-peer';
/** A peer signature is good this long after it was made (and refused when made further ahead). */
const VALID_SECONDS = 300;

/*
 * Servers authenticate each other with the data folder's token key (keys/, which servers sharing a
 * store must share, docs/multi-server.md): an HMAC-SHA256 over the server id, the method, the path with its
 * query and an expiry, in `x-berth-peer: <server id>;<expiry epoch seconds>;<hex MAC>`. No client holds the
 * token key: registry passwords are MACs under it too, but over another message form.
 */
export function signPeerRequest(key: KeyObject, server: string, method: string, path: string, nowMs: number): string {
  const expires = Math.floor(nowMs / 1000) + VALID_SECONDS;
  return `${server};${expires};${mac(key, server, method, path, expires)}`;
}

/** The calling server's id, or undefined when the header is missing, expired or does not verify. */
export function verifyPeerRequest(
  key: KeyObject,
  header: string | undefined,
  method: string,
  path: string,
  nowMs: number,
): string | undefined {
  const match = /^([^;]{1,200});(\d{1,12});([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return undefined;
  const expires = Number(match[2]);
  const now = nowMs / 1000;
  if (expires < now || expires > now + VALID_SECONDS + 60) return undefined;
  const expected = Buffer.from(mac(key, match[1]!, method, path, expires), 'hex');
  return timingSafeEqual(expected, Buffer.from(match[3]!, 'hex')) ? match[1] : undefined;
}

function mac(key: KeyObject, server: string, method: string, path: string, expires: number): string {
  return createHmac('sha256', key).update(`berth-peer\n${server}\n${method}\n${path}\n${expires}`).digest('hex');
}
