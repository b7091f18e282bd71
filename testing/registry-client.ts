import { createHash, randomBytes } from 'node:crypto';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import type { TestServer } from './server.ts';

export interface RegistryResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
  /** The body parsed as JSON, or undefined. */
  readonly json: Record<string, unknown> | undefined;
  /** The first error code of a registry error body. */
  readonly errorCode: string | undefined;
}

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

export function sha256(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A raw OCI distribution client for protocol tests: every header and status is the test's to check. */
export class RegistryClient {
  readonly url: string;
  readonly authorization: string | undefined;

  constructor(url: string, password: string | undefined) {
    this.url = url;
    this.authorization =
      password === undefined ? undefined : `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}`;
  }

  static async forServer(
    server: TestServer,
    client?: ECRClient,
  ): Promise<{ client: RegistryClient; ecr: ECRClient; password: string }> {
    const ecr =
      client ?? new ECRClient({ endpoint: server.url, region: server.region, credentials: server.credentials });
    const out = await ecr.send(new GetAuthorizationTokenCommand({}));
    const token = Buffer.from(out.authorizationData![0]!.authorizationToken!, 'base64').toString('utf8');
    const password = token.slice('AWS:'.length);
    return { client: new RegistryClient(server.url, password), ecr, password };
  }

  async request(
    method: string,
    path: string,
    options: { body?: Uint8Array | string; headers?: Record<string, string> } = {},
  ): Promise<RegistryResponse> {
    const response = await fetch(new URL(path, this.url), {
      method,
      headers: { ...(this.authorization ? { authorization: this.authorization } : {}), ...options.headers },
      ...(options.body !== undefined ? { body: options.body } : {}),
      redirect: 'manual',
    });
    const body = Buffer.from(await response.arrayBuffer());
    let json: Record<string, unknown> | undefined;
    try {
      json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      json = undefined;
    }
    const errors = json?.errors as { code?: string }[] | undefined;
    return { status: response.status, headers: response.headers, body, json, errorCode: errors?.[0]?.code };
  }

  /** Pushes a blob in one POST ?digest= and returns its digest. */
  async pushBlob(repository: string, data: Uint8Array | string): Promise<string> {
    const digest = sha256(data);
    const response = await this.request('POST', `/v2/${repository}/blobs/uploads/?digest=${digest}`, {
      body: data,
      headers: { 'content-type': 'application/octet-stream' },
    });
    if (response.status !== 201) throw new Error(`blob push answered ${response.status}: ${response.body.toString()}`);
    return digest;
  }

  /** Pushes a manifest; returns the response. */
  putManifest(
    repository: string,
    reference: string,
    manifest: unknown,
    mediaType = OCI_MANIFEST,
  ): Promise<RegistryResponse> {
    return this.request('PUT', `/v2/${repository}/manifests/${reference}`, {
      body: typeof manifest === 'string' ? manifest : JSON.stringify(manifest),
      headers: { 'content-type': mediaType },
    });
  }

  /** Pushes a small image (config and one random layer) and returns its manifest's digest. */
  async pushImage(repository: string, tag: string, options: { mediaType?: string; layer?: Uint8Array } = {}) {
    const layer = options.layer ?? randomBytes(1024);
    const config = JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [sha256(layer)] },
    });
    const layerDigest = await this.pushBlob(repository, layer);
    const configDigest = await this.pushBlob(repository, config);
    const mediaType = options.mediaType ?? OCI_MANIFEST;
    const docker = mediaType === DOCKER_MANIFEST;
    const manifest = {
      schemaVersion: 2,
      mediaType,
      config: {
        mediaType: docker
          ? 'application/vnd.docker.container.image.v1+json'
          : 'application/vnd.oci.image.config.v1+json',
        digest: configDigest,
        size: Buffer.byteLength(config),
      },
      layers: [
        {
          mediaType: docker
            ? 'application/vnd.docker.image.rootfs.diff.tar.gzip'
            : 'application/vnd.oci.image.layer.v1.tar',
          digest: layerDigest,
          size: layer.length,
        },
      ],
    };
    const body = JSON.stringify(manifest);
    const response = await this.putManifest(repository, tag, body, mediaType);
    if (response.status !== 201)
      throw new Error(`manifest push answered ${response.status}: ${response.body.toString()}`);
    return { digest: sha256(body), body, layerDigest, configDigest, layer };
  }
}

export async function createRepository(
  ecr: ECRClient,
  name: string,
  input: Partial<ConstructorParameters<typeof CreateRepositoryCommand>[0]> = {},
) {
  await ecr.send(new CreateRepositoryCommand({ repositoryName: name, ...input }));
}
