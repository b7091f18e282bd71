/** A content digest, `<algorithm>:<hex>`, already validated (see oci/digest.ts). */
export interface Digest {
  readonly algorithm: 'sha256' | 'sha512';
  readonly hex: string;
}

export interface BlobReader {
  /** Reads up to `length` bytes at `position` into `buffer`; resolves with the count (0 at the end). */
  read(buffer: Buffer, length: number, position: number): Promise<number>;
  close(): Promise<void>;
}

export interface ByteRange {
  readonly start: number;
  /** Inclusive. */
  readonly end: number;
}

/**
 * Where blob bytes live: committed blobs addressed by digest, and upload sessions being written.
 * A committed blob appears only on `commitUpload` (write to a temporary place, then an atomic
 * rename), so no reader ever sees half a blob under its digest. Which repository may read which
 * blob is the metadata store's business, not this one's. Writes that fail because the disk is full
 * throw DataVolumeFullError (shared/storage-full.ts), having removed what they wrote.
 */
export interface BlobStore {
  /** The size of a committed blob, or undefined. */
  stat(digest: Digest): Promise<number | undefined>;
  /** Opens a committed blob for positioned reads into the caller's buffers (no per-chunk allocation). */
  openRead(digest: Digest): Promise<BlobReader>;
  /**
   * A URL a client may GET the blob's bytes from directly (an object store's presigned URL): the
   * registry answers blob GETs with a 307 to it, as ECR does. Absent: the server sends the bytes.
   */
  redirectUrl?(digest: Digest): Promise<string | undefined>;

  /** Starts an empty upload. */
  createUpload(id: string): Promise<void>;
  /**
   * Writes `data` at `offset`, discarding anything stored past it (bytes a client sent but never
   * saw acknowledged), and makes it durable. Resolves with the upload's new size.
   */
  appendUpload(id: string, offset: number, data: AsyncIterable<Uint8Array>): Promise<number>;
  /** Hashes the upload's bytes from storage (when no running hash is at hand, e.g. after a restart). */
  hashUpload(id: string, algorithm: Digest['algorithm']): Promise<string>;
  /** Moves the upload's bytes under `digest`; if that blob exists already, drops the upload. */
  commitUpload(id: string, digest: Digest): Promise<void>;
  deleteUpload(id: string): Promise<void>;
  /**
   * Cuts the upload back to `size` bytes (what was acknowledged), dropping what an interrupted
   * write left past it; false if it holds fewer bytes or none (they were lost).
   */
  trimUpload(id: string, size: number): Promise<boolean>;
  /** Upload ids with bytes stored, to clear those the metadata no longer knows. */
  listUploads(): Promise<string[]>;

  /** Removes a committed blob (garbage collection). */
  delete(digest: Digest): Promise<void>;
  /** Every committed blob, for garbage collection of blobs the metadata lost track of. */
  list(): AsyncIterable<Digest>;
  /**
   * When a committed blob was last written (epoch ms), or undefined when there is none. Garbage
   * collection leaves a blob the metadata has no record of alone while it is young: its commit, on
   * this or another server, may be about to record it.
   */
  modifiedAt(digest: Digest): Promise<number | undefined>;
}
