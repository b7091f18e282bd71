// Writes OCI image layouts (https://github.com/opencontainers/image-spec/blob/main/image-layout.md)
// of random layers for the registry benchmark, so it needs neither the internet nor a container engine.
//
// Each layer is a gzip member made of stored (level 0) deflate blocks around random bytes. skopeo
// recompresses any layer that does not start with the gzip magic before it pushes it to a registry
// (and before it writes it to an OCI layout), which would make a push measure gzip instead of the
// registry; a stored gzip is recognised as compressed and copied byte for byte, at ~0.02% overhead.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGzip } from 'node:zlib';

const randomBytesAsync = promisify(randomBytes);
const CHUNK = 1024 * 1024;

export const LAYER_MEDIA_TYPE = 'application/vnd.oci.image.layer.v1.tar+gzip';
const CONFIG_MEDIA_TYPE = 'application/vnd.oci.image.config.v1+json';
const MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface ImageLayout {
  dir: string;
  tag: string;
  /** What a copy moves besides the manifest and config: the sum of the layer blob sizes. */
  layerBytes: number;
  manifestDigest: string;
}

/** Writes an image whose layers carry `layerSizes` random bytes each (before the gzip framing). */
export async function writeImageLayout(dir: string, layerSizes: readonly number[], tag: string): Promise<ImageLayout> {
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const layers: Descriptor[] = [];
  const diffIds: string[] = [];
  for (const size of layerSizes) {
    const layer = await writeRandomLayer(blobs, size);
    layers.push(layer.descriptor);
    diffIds.push(layer.diffId);
  }
  const config = await writeJsonBlob(blobs, CONFIG_MEDIA_TYPE, {
    architecture: 'amd64',
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: diffIds },
  });
  const manifest = await writeJsonBlob(blobs, MANIFEST_MEDIA_TYPE, {
    schemaVersion: 2,
    mediaType: MANIFEST_MEDIA_TYPE,
    config,
    layers,
  });
  const index = {
    schemaVersion: 2,
    manifests: [{ ...manifest, annotations: { 'org.opencontainers.image.ref.name': tag } }],
  };
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));
  return {
    dir,
    tag,
    layerBytes: layers.reduce((sum, layer) => sum + layer.size, 0),
    manifestDigest: manifest.digest,
  };
}

async function writeRandomLayer(blobs: string, size: number): Promise<{ descriptor: Descriptor; diffId: string }> {
  const uncompressed = createHash('sha256');
  const compressed = createHash('sha256');
  let written = 0;
  // The digest is known only at the end, so the blob is written under a temporary name first.
  const partial = join(blobs, `.partial-${process.pid}-${Math.random().toString(36).slice(2)}`);
  await pipeline(
    Readable.from(randomChunks(size)),
    hashing(uncompressed),
    createGzip({ level: 0 }),
    hashing(compressed, (length) => (written += length)),
    createWriteStream(partial),
  );
  const hex = compressed.digest('hex');
  await rename(partial, join(blobs, hex));
  return {
    descriptor: { mediaType: LAYER_MEDIA_TYPE, digest: `sha256:${hex}`, size: written },
    diffId: `sha256:${uncompressed.digest('hex')}`,
  };
}

async function* randomChunks(size: number): AsyncGenerator<Buffer> {
  for (let left = size; left > 0; left -= CHUNK) yield await randomBytesAsync(Math.min(CHUNK, left));
}

function hashing(hash: Hash, onChunk?: (length: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      onChunk?.(chunk.length);
      callback(null, chunk);
    },
  });
}

async function writeJsonBlob(blobs: string, mediaType: string, value: unknown): Promise<Descriptor> {
  const bytes = Buffer.from(JSON.stringify(value));
  const hex = createHash('sha256').update(bytes).digest('hex');
  await writeFile(join(blobs, hex), bytes);
  return { mediaType, digest: `sha256:${hex}`, size: bytes.length };
}
