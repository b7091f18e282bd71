/** A server keeping registry blobs in its data folder, as it announced itself. */
export interface BlobServer {
  readonly id: string;
  /** Where the other servers reach its peer endpoints (/berth/peer/...). */
  readonly url: string;
  /** Announced within the liveness window, by the database's clock. */
  readonly live: boolean;
}

export interface BlobHolder {
  readonly server: string;
  readonly size: number;
}

/**
 * Which servers hold which blob, and which server holds an upload's bytes, for several servers that
 * keep blobs in their own data folders (migrations/0028-blob-locations.ts; blobs/replicated/).
 * Times are the database's clock, so servers' clocks never matter.
 */
export interface BlobLocationRepository {
  /** Records (or renews) this server's presence and URL. */
  announce(server: string, url: string): Promise<void>;
  /** Every announced server; `live` when it announced within `liveWithinMs`. */
  servers(liveWithinMs: number): Promise<BlobServer[]>;
  addHolder(digest: string, server: string, size: number): Promise<void>;
  holders(digest: string): Promise<BlobHolder[]>;
  removeHolder(digest: string, server: string): Promise<void>;
  /** Forgets every holder of the blob (it was deleted). */
  removeBlob(digest: string): Promise<void>;
  /** The server whose disk has the upload's bytes, and how many it acknowledged. */
  setUploadHolder(id: string, server: string, size: number): Promise<void>;
  uploadHolder(id: string): Promise<BlobHolder | undefined>;
  removeUploadHolder(id: string): Promise<void>;
}
