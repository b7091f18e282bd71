export type { BlobReader, BlobStore, ByteRange, Digest } from './blob-store.ts';
