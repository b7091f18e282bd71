export type { BlobReader, BlobStore, ByteRange, Digest } from './blob-store.ts';
export { BlobsUnavailableError } from './errors.ts';
