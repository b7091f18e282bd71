import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FrontDoor, FrontDoorOptions } from '../http/front-door.ts';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { issueCertificate, loadBerthCa } from '../pki/index.ts';
import type { ServerConfig, TlsConfig } from '../shared/config.ts';

/** What the HTTPS front door serves with. */
export interface FrontDoorCertificate {
  readonly cert: string;
  readonly key: string;
  /** The Berth CA that issued `cert`; undefined with the operator's own certificate. */
  readonly ca?: { readonly certificatePem: string; readonly certificatePath: string; readonly created: boolean };
  /** The names and addresses `cert` covers, for the start-up line. */
  readonly names: readonly string[];
}

/** A server certificate lasts this long; a fresh one is issued at every start. */
const SERVER_CERTIFICATE_DAYS = 397;

/**
 * The operator's certificate and key (BERTH_TLS_CERT / BERTH_TLS_KEY, checked to belong together),
 * or one the Berth CA of the data folder issues now for the names the server is reached by.
 */
export async function frontDoorCertificate(config: ServerConfig, now: Date): Promise<FrontDoorCertificate | undefined> {
  const { tls } = config;
  if (tls === undefined) return undefined;
  if (tls.certFile !== undefined && tls.keyFile !== undefined) return operatorCertificate(tls.certFile, tls.keyFile);
  const ca = await loadBerthCa(config.dataDir, now);
  const names = serverNames(config, tls);
  const issued = await issueCertificate(ca, {
    commonName: names[0]!,
    names,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + SERVER_CERTIFICATE_DAYS * 86_400_000),
    keyAlgorithm: 'EC_prime256v1',
  });
  return {
    cert: issued.certificatePem + ca.certificatePem,
    key: issued.privateKeyPem,
    ca: { certificatePem: ca.certificatePem, certificatePath: ca.certificatePath, created: ca.created },
    names,
  } satisfies FrontDoorCertificate;
}

function operatorCertificate(certFile: string, keyFile: string): FrontDoorCertificate {
  const cert = readFileSync(certFile, 'utf8');
  const key = readFileSync(keyFile, 'utf8');
  const leaf = new X509Certificate(cert);
  if (!leaf.checkPrivateKey(createPrivateKey(key)))
    throw new Error(`BERTH_TLS_KEY (${keyFile}) is not the key of BERTH_TLS_CERT (${certFile})`);
  return { cert, key, names: (leaf.subjectAltName ?? leaf.subject).split(', ') };
}

/**
 * localhost, the loopback addresses and this host's name; the addresses the front doors listen on
 * (every interface's when one listens on all); the registry's host; BERTH_TLS_NAMES.
 */
export function serverNames(config: ServerConfig, tls: TlsConfig): string[] {
  const names = ['localhost', '127.0.0.1', '::1', hostname()];
  for (const host of [config.host, tls.host]) {
    if (host === '0.0.0.0' || host === '::' || host === '') names.push(...interfaceAddresses());
    else names.push(host.replace(/^\[(.*)\]$/, '$1'));
  }
  if (config.registryHost) names.push(config.registryHost.replace(/:\d+$/, ''));
  names.push(...tls.names);
  return [...new Set(names.filter((name) => isIP(name) !== 0 || /^[A-Za-z0-9*.-]+$/.test(name)))];
}

function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((addresses) => addresses ?? [])
    .filter((address) => !address.address.startsWith('fe80:'))
    .map((address) => address.address);
}

/**
 * The scheme and host a request addressed (`https://registry.example:4511`), for the URLs an answer
 * gives out; `fallbackHost` when its Host header is missing or not a plain host[:port].
 */
export function requestOrigin(request: IncomingMessage, fallbackHost: string): string {
  const scheme = (request.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http';
  const host = request.headers.host;
  return `${scheme}://${host !== undefined && /^[A-Za-z0-9.:[\]-]+$/.test(host) ? host : fallbackHost}`;
}

/** The registry's scheme: https when BERTH_REGISTRY_HOST names the TLS front door's port. */
export function registrySchemeOf(config: Pick<ServerConfig, 'registryHost' | 'tls'>): 'http' | 'https' {
  const port = /:(\d+)$/.exec(config.registryHost ?? '')?.[1];
  return config.tls !== undefined && port !== undefined && Number(port) === config.tls.port ? 'https' : 'http';
}

/** createFrontDoor's `tls` option for a certificate (none without). */
export function frontDoorTls(certificate: FrontDoorCertificate | undefined): Pick<FrontDoorOptions, 'tls'> {
  if (certificate === undefined) return {};
  return { tls: { cert: certificate.cert, key: certificate.key, caCertificatePem: certificate.ca?.certificatePem } };
}

/** Listens with HTTP, then HTTPS when configured: the HTTP port, and the HTTPS URL the server reaches itself at. */
export async function listenFrontDoor(
  frontDoor: FrontDoor,
  config: ServerConfig,
  certificate: FrontDoorCertificate | undefined,
): Promise<{ port: number; httpsUrl: string | undefined; caCertificatePath: string | undefined }> {
  await listen(frontDoor.server, config.port, config.host);
  const { port } = frontDoor.server.address() as AddressInfo;
  if (frontDoor.secureServer === undefined || config.tls === undefined)
    return { port, httpsUrl: undefined, caCertificatePath: undefined };
  await listen(frontDoor.secureServer, config.tls.port, config.tls.host);
  const secure = frontDoor.secureServer.address() as AddressInfo;
  const httpsUrl = `https://${loopbackOf(config.tls.host)}:${secure.port}`;
  return { port, httpsUrl, caCertificatePath: certificate?.ca?.certificatePath };
}

/** Where the server reaches itself: its listening address, or the loopback one when it listens on all. */
export function loopbackOf(host: string): string {
  if (host === '' || host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** Listens on host:port, or fails with the listen error (EADDRINUSE...). */
function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Writes the start-up lines about the Berth CA: where its certificate is, and how clients trust it. */
export function announceCa(
  certificate: FrontDoorCertificate | undefined,
  served: { httpsUrl: string | undefined },
  announce: (text: string) => void = (text) => process.stderr.write(text),
): void {
  const { httpsUrl } = served;
  const ca = certificate?.ca;
  if (ca === undefined || httpsUrl === undefined) return;
  const { host } = new URL(httpsUrl);
  announce(
    [
      `Berth CA${ca.created ? ' created' : ''}: ${ca.certificatePath} (also served at ${httpsUrl}/berth/ca.pem)`,
      `  aws --ca-bundle ${ca.certificatePath} --endpoint-url ${httpsUrl} ...`,
      `  docker: copy it to /etc/docker/certs.d/<registry host:port>/ca.crt (for ${host}: /etc/docker/certs.d/${host}/ca.crt)`,
      `  berth agent --ca-bundle ${ca.certificatePath} --endpoint ${httpsUrl}`,
      '',
    ].join('\n'),
  );
}
