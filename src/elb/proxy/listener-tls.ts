import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContext, type SecureVersion } from 'node:tls';
import type { ListenerTls } from '../data-plane-contract.ts';
import { chooseBySni, sniIndex, type SniIndex } from './sni.ts';

/*
 * TLS termination for an HTTPS listener: one secure context per certificate, with the security
 * policy's protocol range and ciphers (server order, as ELB), chosen per connection by SNI
 * (sni.ts). The listener's net.Server accepts plain TCP and wraps each socket here, so a
 * configuration change (new certificates, policy, even HTTP ↔ HTTPS) swaps the contexts for new
 * connections while open ones carry on with theirs.
 */

const VERSIONS: readonly SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** What distinguishes two TLS configurations: rebuilt only when this changes. */
export function tlsFingerprint(tls: ListenerTls): string {
  const hash = createHash('sha256').update(tls.sslPolicy);
  for (const certificate of tls.certificates)
    hash.update(`\0${certificate.certificateArn}\0${certificate.certificatePem}\0${certificate.chainPem ?? ''}`);
  return hash.digest('base64');
}

/** The groups ELBSecurityPolicy-* (non-PQ) policies negotiate, in preference order. */
export const KEY_EXCHANGE_GROUPS = 'X25519:P-256:P-384';

export class ListenerTlsContexts {
  readonly fingerprint: string;
  readonly #index: SniIndex<SecureContext> | undefined;

  constructor(tls: ListenerTls) {
    this.fingerprint = tlsFingerprint(tls);
    const versions = tls.protocols.filter((p): p is SecureVersion => VERSIONS.includes(p as SecureVersion));
    const legacy = versions.includes('TLSv1') || versions.includes('TLSv1.1');
    const options = {
      minVersion: versions[0] ?? 'TLSv1.2',
      maxVersion: versions.at(-1) ?? 'TLSv1.3',
      // OpenSSL 3 refuses TLS 1.0/1.1 (SHA-1 signatures) above security level 0.
      ciphers: tls.ciphers.join(':') + (legacy ? ':@SECLEVEL=0' : ''),
      honorCipherOrder: true,
      // ALB's predefined policies offer these key exchange groups; OpenSSL 3.5's default list starts
      // with post-quantum X25519MLKEM768, which ALB keeps to its separate PQ policies.
      ecdhCurve: KEY_EXCHANGE_GROUPS,
    };
    const entries = tls.certificates.map((certificate) => ({
      names: certificate.names,
      value: createSecureContext({
        ...options,
        cert: certificate.certificatePem + (certificate.chainPem ? `\n${certificate.chainPem}` : ''),
        key: certificate.privateKeyPem,
      }),
    }));
    this.#index = entries.length > 0 ? sniIndex(entries) : undefined;
  }

  /** The socket with TLS on it; one without any certificate (ACM deleted it) is refused at the handshake. */
  wrap(socket: Socket): TLSSocket {
    const index = this.#index;
    const secure = new TLSSocket(socket, {
      isServer: true,
      ...(index ? { secureContext: index.fallback } : {}),
      SNICallback: (serverName, done) => {
        if (index) done(null, chooseBySni(index, serverName));
        else done(new Error('no certificate'), undefined);
      },
    });
    return secure;
  }
}
