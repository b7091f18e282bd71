export type { BlobStore, ByteRange, Digest } from './blob-store.ts';
